//! A ruleset document (DECISIONS.md "Rules") and its compilation: rules in order, a scorecard,
//! bands covering 300–1000. Compiled once when saved (and when loaded); a document that does not
//! compile is refused with the first thing wrong.

use cashloan_runtime::money::{parse_amount, parse_rate};
use serde::{Deserialize, Serialize};

use super::expression::Compiled;
use crate::features::{catalogue, Kind};

pub const SCORE_MIN: i64 = 300;
pub const SCORE_MAX: i64 = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Approve,
    Refer,
    Reject,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Approve => "approve",
            Outcome::Refer => "refer",
            Outcome::Reject => "reject",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "approve" => Some(Outcome::Approve),
            "refer" => Some(Outcome::Refer),
            "reject" => Some(Outcome::Reject),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default)]
    pub name: String,
    pub rules: Vec<Rule>,
    pub scorecard: Scorecard,
    pub bands: Vec<Band>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub when: String,
    /// `reject` or `refer`.
    pub outcome: Outcome,
    pub reason: String,
    /// What the borrower is told (rejections); empty for reasons only people see.
    #[serde(default)]
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    /// Points, or the feature whose value the score starts from (`bureau.score`).
    pub base: Base,
    #[serde(default)]
    pub factors: Vec<Factor>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Base {
    Points(i64),
    Feature(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub feature: String,
    pub bins: Vec<Bin>,
}

/// `min..=max` of the feature's value earns `points`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bin {
    pub min: i64,
    pub max: i64,
    pub points: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Band {
    pub band: String,
    pub min: i64,
    pub max: i64,
    pub outcome: Outcome,
    /// Approvals: the most approved (`5000.00`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub max_amount: String,
    /// Approvals: the rate, when it lies inside the product's range (`0.2400`); else the applied.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rate: String,
    /// Rejections: what the borrower is told.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// Per band: the most approved in fen (approvals), its rate in millionths if any.
pub type BandTerms = (Option<i64>, Option<i64>);

/// A document ready to decide with.
#[derive(Clone, Debug)]
pub struct Ruleset {
    pub document: Document,
    pub rules: Vec<(Rule, Compiled)>,
    pub band_terms: Vec<BandTerms>,
}

/// The document in the default ruleset (DECISIONS.md "The default ruleset").
pub const DEFAULT_DOCUMENT: &str = include_str!("../../rulesets/default.json");

impl Ruleset {
    /// Parses and compiles `text`; `rate_cap_ppm` bounds the bands' rates.
    pub fn compile(text: &str, rate_cap_ppm: i64) -> Result<Self, String> {
        let document: Document = serde_json::from_str(text).map_err(|e| format!("document: {e}"))?;
        Self::from_document(document, rate_cap_ppm)
    }

    pub fn from_document(document: Document, rate_cap_ppm: i64) -> Result<Self, String> {
        let mut rules = Vec::with_capacity(document.rules.len());
        for rule in &document.rules {
            if rule.id.trim().is_empty() || rule.id.len() > 64 {
                return Err("a rule without an id (1–64 characters)".into());
            }
            if rules.iter().any(|(r, _): &(Rule, Compiled)| r.id == rule.id) {
                return Err(format!("rule {}: the id is used twice", rule.id));
            }
            if rule.outcome == Outcome::Approve {
                return Err(format!(
                    "rule {}: a rule rejects or refers, never approves",
                    rule.id
                ));
            }
            if rule.reason.trim().is_empty() {
                return Err(format!("rule {}: no reason code", rule.id));
            }
            let compiled = Compiled::new(&rule.when).map_err(|e| format!("rule {}: {e}", rule.id))?;
            rules.push((rule.clone(), compiled));
        }
        check_scorecard(&document.scorecard)?;
        let band_terms = check_bands(&document.bands, rate_cap_ppm)?;
        Ok(Self {
            document,
            rules,
            band_terms,
        })
    }

    pub fn default_ruleset(rate_cap_ppm: i64) -> Self {
        Self::compile(DEFAULT_DOCUMENT, rate_cap_ppm)
            .expect("the default ruleset compiles (a unit test says so)")
    }
}

fn int_feature(name: &str) -> Result<(), String> {
    match catalogue().into_iter().find(|(n, _)| n == name) {
        Some((_, Kind::Int)) => Ok(()),
        Some(_) => Err(format!("scorecard: {name} is not a number")),
        None => Err(format!("scorecard: unknown feature {name}")),
    }
}

fn check_scorecard(card: &Scorecard) -> Result<(), String> {
    if let Base::Feature(name) = &card.base {
        int_feature(name)?;
    }
    for factor in &card.factors {
        int_feature(&factor.feature)?;
        let mut bins: Vec<&Bin> = factor.bins.iter().collect();
        if bins.is_empty() {
            return Err(format!("scorecard: {} has no bins", factor.feature));
        }
        bins.sort_by_key(|b| b.min);
        for (i, bin) in bins.iter().enumerate() {
            if bin.min > bin.max {
                return Err(format!(
                    "scorecard: {} has a bin from {} to {}",
                    factor.feature, bin.min, bin.max
                ));
            }
            if i > 0 && bin.min <= bins[i - 1].max {
                return Err(format!(
                    "scorecard: {}'s bins overlap at {}",
                    factor.feature, bin.min
                ));
            }
        }
    }
    Ok(())
}

/// Bands cover 300–1000 without gaps or overlaps; approvals carry an amount and a rate inside the
/// cap. Per band (in the document's order): its amount and rate.
fn check_bands(bands: &[Band], rate_cap_ppm: i64) -> Result<Vec<BandTerms>, String> {
    let mut sorted: Vec<&Band> = bands.iter().collect();
    sorted.sort_by_key(|b| b.min);
    let mut next = SCORE_MIN;
    for band in &sorted {
        if band.min > band.max {
            return Err(format!("band {}: from {} to {}", band.band, band.min, band.max));
        }
        if band.min > next {
            return Err(format!("bands: no band covers {next}–{}", band.min - 1));
        }
        if band.min < next {
            return Err(format!("bands: band {} overlaps at {}", band.band, band.min));
        }
        next = band.max + 1;
    }
    if next <= SCORE_MAX {
        return Err(format!("bands: no band covers {next}–{SCORE_MAX}"));
    }
    if next > SCORE_MAX + 1 {
        return Err(format!("bands: scores end at {SCORE_MAX}"));
    }
    bands
        .iter()
        .map(|band| {
            let amount = match (band.outcome, band.max_amount.as_str()) {
                (Outcome::Approve, text) => Some(
                    parse_amount(text)
                        .filter(|a| *a > 0)
                        .ok_or(format!("band {}: an approving band needs maxAmount", band.band))?,
                ),
                (_, "") => None,
                _ => {
                    return Err(format!(
                        "band {}: only an approving band has maxAmount",
                        band.band
                    ))
                }
            };
            let rate =
                match band.rate.as_str() {
                    "" => None,
                    text => Some(parse_rate(text).filter(|r| *r > 0 && *r <= rate_cap_ppm).ok_or(
                        format!("band {}: the rate is not inside the cap in force", band.band),
                    )?),
                };
            Ok((amount, rate))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: i64 = 360_000;

    fn with(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Ruleset, String> {
        let mut doc: serde_json::Value = serde_json::from_str(DEFAULT_DOCUMENT).unwrap();
        edit(&mut doc);
        Ruleset::compile(&doc.to_string(), CAP)
    }

    #[test]
    fn the_default_ruleset_compiles_as_written() {
        let set = Ruleset::default_ruleset(CAP);
        let ids: Vec<&str> = set.rules.iter().map(|(r, _)| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "AGE",
                "BUREAU_BLACKLIST",
                "MULTI_LENDING_HIGH",
                "MULTI_LENDING",
                "BUREAU_UNAVAILABLE",
                "OVERDUE_HISTORY",
                "DEVICE_SHARED",
                "IP_BURST"
            ]
        );
        assert_eq!(set.band_terms[0], (Some(500_000), None));
    }

    #[test]
    fn invalid_documents_are_refused_with_the_first_error() {
        let err = with(|d| d["rules"][0]["when"] = "age <".into()).unwrap_err();
        assert!(err.starts_with("rule AGE: syntax"), "{err}");
        let err = with(|d| d["rules"][1]["when"] = "bureau.creditScore > 1".into()).unwrap_err();
        assert_eq!(err, "rule BUREAU_BLACKLIST: unknown feature bureau.creditScore");
        let err = with(|d| d["bands"][1]["min"] = 630.into()).unwrap_err();
        assert_eq!(err, "bands: no band covers 620–629");
        let err = with(|d| d["bands"][0]["max"] = 990.into()).unwrap_err();
        assert_eq!(err, "bands: no band covers 991–1000");
        let err = with(|d| d["bands"][2]["max"] = 625.into()).unwrap_err();
        assert!(err.contains("overlaps"), "{err}");
        let err = with(|d| d["bands"][0]["rate"] = "0.4000".into()).unwrap_err();
        assert!(err.contains("cap"), "{err}");
        let err = with(|d| d["rules"][0]["outcome"] = "approve".into()).unwrap_err();
        assert!(err.contains("never approves"), "{err}");
        let err = with(|d| d["scorecard"]["factors"][0]["feature"] = "gender".into()).unwrap_err();
        assert!(err.contains("not a number"), "{err}");
        assert!(Ruleset::compile("{}", CAP).unwrap_err().starts_with("document"));
    }
}
