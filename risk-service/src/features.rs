//! The features of a decision (DECISIONS.md "Features"): what the rules, the scorecard and a
//! replay read. Derived values only: no ID number, card number, name, device token or address.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    /// Whole years on the application's date (UTC+8), from the ID number.
    pub age: i64,
    /// `M` or `F`, from the ID number's 17th digit.
    pub gender: String,
    /// The ID number's first two digits.
    pub province_code: String,
    pub days_since_registration: i64,
    pub real_name_verified: bool,
    pub bank_card_verified: bool,
    pub carrier_verified: bool,
    pub profile_complete: bool,
    pub is_risk: bool,
    pub emergency_contacts: i64,
    pub education: String,
    pub marital_status: String,
    pub month_income: i64,
    pub industry_type: String,
    /// The appType of the latest login; whether it named a device.
    pub app_type: String,
    pub device_known: bool,
    pub application: ApplicationFeatures,
    pub history: HistoryFeatures,
    pub velocity: VelocityFeatures,
    pub bureau: BureauFeatures,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFeatures {
    pub product_code: String,
    pub amount_fen: i64,
    pub term_count: i64,
    pub term_unit: i64,
    pub repay_type: i64,
    pub rate_ppm: i64,
    pub purpose: String,
    pub other_channels: String,
    pub phonebook_size: i64,
    pub gps_present: bool,
    pub app_type: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryFeatures {
    pub loans_settled: i64,
    pub loans_settled_clean: i64,
    pub loans_open: i64,
    pub max_days_overdue: i64,
    pub principal_repaid_fen: i64,
    /// -1 when no loan was ever settled.
    pub days_since_last_settled: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VelocityFeatures {
    pub applications_per_device24h: i64,
    pub applications_per_device7d: i64,
    pub applications_per_ip24h: i64,
    pub applications_per_ip7d: i64,
    pub applications_per_id_number24h: i64,
    pub applications_per_id_number7d: i64,
    pub users_per_device30d: i64,
}

/// The bureau's answer; without one only `unavailable` is there, so a rule that needs the rest
/// cannot be evaluated (and refers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BureauFeatures {
    pub unavailable: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multi_lending30d: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multi_lending90d: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub blacklist_hit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub score: Option<i64>,
}

/// What a feature holds, for checking expressions when a ruleset is saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Bool,
    Text,
}

impl Features {
    /// Every feature present (the bureau answered), for the table of names and kinds.
    fn complete() -> Self {
        Self {
            bureau: BureauFeatures {
                unavailable: false,
                multi_lending30d: Some(0),
                multi_lending90d: Some(0),
                blacklist_hit: Some(false),
                score: Some(0),
            },
            ..Self::default()
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Every feature's dotted name (`age`, `bureau.score`) and kind; groups are not features.
pub fn catalogue() -> Vec<(String, Kind)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, Kind)>) {
        if let Value::Object(map) = value {
            for (key, v) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match v {
                    Value::Object(_) => walk(&name, v, out),
                    Value::Bool(_) => out.push((name, Kind::Bool)),
                    Value::Number(_) => out.push((name, Kind::Int)),
                    _ => out.push((name, Kind::Text)),
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", &Features::complete().to_json(), &mut out);
    out
}

/// A feature's integer value by dotted name, if it is there.
pub fn int_at(features: &Value, path: &str) -> Option<i64> {
    path.split('.')
        .try_fold(features, |v, key| v.get(key))
        .and_then(Value::as_i64)
}

/// What the ID number says (GB 11643): birth date, sex, province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdFacts {
    pub age: i64,
    pub gender: String,
    pub province_code: String,
}

pub fn id_facts(id_card_no: &str, on: NaiveDate) -> Option<IdFacts> {
    if id_card_no.len() != 18 || !id_card_no.is_ascii() {
        return None;
    }
    let birth = NaiveDate::parse_from_str(&id_card_no[6..14], "%Y%m%d").ok()?;
    let mut age = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    let sex_digit = id_card_no[16..17].parse::<u32>().ok()?;
    Some(IdFacts {
        age,
        gender: if sex_digit % 2 == 1 { "M" } else { "F" }.to_owned(),
        province_code: id_card_no[..2].to_owned(),
    })
}

/// The sequence code: the ID number's 15th–17th digits.
pub fn sequence_code(id_card_no: &str) -> &str {
    id_card_no.get(14..17).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_number_gives_age_on_the_day_sex_and_province() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let facts = id_facts("110105200612039915", day).unwrap();
        assert_eq!(
            (facts.age, facts.gender.as_str(), facts.province_code.as_str()),
            (20, "M", "11")
        );
        // The day before the birthday: a year younger.
        let facts = id_facts("110105200612049925", day).unwrap();
        assert_eq!((facts.age, facts.gender.as_str()), (19, "F"));
        assert_eq!(id_facts("1101052006", day), None);
        assert_eq!(sequence_code("110105200612039915"), "991");
    }

    #[test]
    fn the_catalogue_names_every_feature_with_its_kind() {
        let names = catalogue();
        let kind = |n: &str| names.iter().find(|(name, _)| name == n).map(|(_, k)| *k);
        assert_eq!(kind("age"), Some(Kind::Int));
        assert_eq!(kind("bureau.blacklistHit"), Some(Kind::Bool));
        assert_eq!(kind("velocity.usersPerDevice30d"), Some(Kind::Int));
        assert_eq!(kind("application.productCode"), Some(Kind::Text));
        assert_eq!(kind("bureau"), None, "a group is not a feature");
    }
}
