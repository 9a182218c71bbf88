//! Mainland mobile numbers: `^1[3-9][0-9]{9}$` (API.md §5).

use crate::error::AuthError;

/// A mobile number that passed the format check; only ever built by `parse`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(text: &str) -> Result<Self, AuthError> {
        let b = text.as_bytes();
        let valid = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(AuthError::MobileInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub use cashloan_runtime::mask::mobile as mask;

impl std::fmt::Display for Mobile {
    /// Masked, so a mobile in a log line is not a full personal number.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&mask(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_numbers_are_accepted() {
        for good in ["13800138000", "19912345678", "15000000000"] {
            assert!(Mobile::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800a",
            "+8613800138000",
            "１3800138000",
        ] {
            assert!(Mobile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_masks_the_middle() {
        assert_eq!(Mobile::parse("18912347521").unwrap().to_string(), "189****7521");
    }
}
