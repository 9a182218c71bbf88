//! App versions: dotted numeric versions compared part by part (API.md §6.1, #17).

use std::cmp::Ordering;

use cashloan_proto::message::v1 as pb;

use crate::error::MessageError;
use crate::MessageCore;

/// A version such as `1.2.0`: one to four dot-separated numbers.
#[derive(Clone, Debug)]
pub struct Version(Vec<u32>);

impl Version {
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Option<Vec<u32>> = text
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect();
        parts.filter(|p| (1..=4).contains(&p.len())).map(Version)
    }
}

impl Ord for Version {
    /// Missing parts count as zero: `1.2` == `1.2.0`.
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// App types: 1 Android, 2 iOS, 3 other.
pub fn parse_app_type(text: &str) -> Result<&'static str, MessageError> {
    match text.trim_start_matches('0') {
        "1" => Ok("1"),
        "2" => Ok("2"),
        "3" => Ok("3"),
        _ => Err(MessageError::AppTypeInvalid),
    }
}

/// A client must update when its version is below the minimum supported one. A client that does
/// not say its version is not forced.
pub fn must_update(client: Option<&Version>, min_supported: &Version) -> bool {
    client.is_some_and(|v| v < min_supported)
}

/// A publication: versions valid and the minimum not above the latest.
pub struct Publication {
    pub app_type: &'static str,
    pub latest: String,
    pub min_supported: String,
    pub download_url: String,
    pub release_notes: String,
}

impl Publication {
    pub fn parse(
        app_type: &str,
        latest: &str,
        min_supported: &str,
        download_url: &str,
        release_notes: &str,
    ) -> Result<Self, MessageError> {
        let app_type = parse_app_type(app_type).map_err(|_| MessageError::InvalidField("appType"))?;
        let latest_v = Version::parse(latest).ok_or(MessageError::InvalidField("latestVersion"))?;
        let min_v = Version::parse(min_supported).ok_or(MessageError::InvalidField("minSupportedVersion"))?;
        if min_v > latest_v {
            return Err(MessageError::InvalidField("minSupportedVersion"));
        }
        if download_url.chars().count() > 500 {
            return Err(MessageError::InvalidField("downloadUrl"));
        }
        if release_notes.chars().count() > 2000 {
            return Err(MessageError::InvalidField("releaseNotes"));
        }
        Ok(Self {
            app_type,
            latest: latest.to_owned(),
            min_supported: min_supported.to_owned(),
            download_url: download_url.to_owned(),
            release_notes: release_notes.to_owned(),
        })
    }
}

impl MessageCore {
    /// The newest version of an app type, and whether `app_version` (when sent) must update.
    pub async fn detect_app_version(
        &self,
        app_type: &str,
        app_version: &str,
    ) -> Result<pb::AppVersion, MessageError> {
        let app_type = parse_app_type(app_type)?;
        let client = match app_version {
            "" => None,
            text => Some(Version::parse(text).ok_or(MessageError::InvalidField("appVersion"))?),
        };
        let current = self
            .store
            .current_version(app_type)
            .await?
            .ok_or(MessageError::AppVersionNotPublished)?;
        // A stored minimum always parses: it was validated when published.
        let force_update = Version::parse(&current.min_supported_version)
            .is_some_and(|min| must_update(client.as_ref(), &min));
        Ok(pb::AppVersion {
            app_type: app_type.to_owned(),
            latest_version: current.latest_version,
            min_supported_version: current.min_supported_version,
            download_url: current.download_url,
            release_notes: current.release_notes,
            force_update,
        })
    }

    pub async fn publish_app_version(&self, v: &pb::AppVersion) -> Result<(), MessageError> {
        let publication = Publication::parse(
            &v.app_type,
            &v.latest_version,
            &v.min_supported_version,
            &v.download_url,
            &v.release_notes,
        )?;
        self.store.publish_version(publication).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn versions_compare_numerically_part_by_part() {
        assert!(v("1.10.0") > v("1.9.9"));
        assert!(v("2") > v("1.99"));
        assert_eq!(v("1.2"), v("1.2.0"));
        assert!(v("1.2.0") < v("1.2.1"));
    }

    #[test]
    fn malformed_versions_are_refused() {
        for bad in ["", "1..2", "a.b", "1.2.", "-1", "1.2.3.4.5", " 1.2"] {
            assert_eq!(Version::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_versions_below_the_minimum_are_forced() {
        let min = v("1.1.0");
        assert!(must_update(Some(&v("1.0.9")), &min));
        assert!(!must_update(Some(&v("1.1.0")), &min));
        assert!(!must_update(None, &min));
    }

    #[test]
    fn app_types_accept_a_leading_zero() {
        assert_eq!(parse_app_type("02").unwrap(), "2");
        assert!(parse_app_type("4").is_err());
        assert!(parse_app_type("").is_err());
    }

    #[test]
    fn a_minimum_above_the_latest_is_refused() {
        assert!(Publication::parse("1", "1.0.0", "1.1.0", "", "").is_err());
        assert!(Publication::parse("1", "1.1.0", "1.1.0", "u", "n").is_ok());
    }
}
