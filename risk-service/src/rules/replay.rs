//! Replay (DECISIONS.md "Operators"): a ruleset against the one in force over stored snapshots —
//! outcome rates and band counts of each, and the applications whose outcome would change. Pure:
//! the same snapshots give the same report.

use std::collections::BTreeMap;

use serde_json::Value;

use super::evaluate::{evaluate, Evaluation, Terms};
use super::ruleset::{Outcome, Ruleset};

/// A stored decision's input.
pub struct Snapshot {
    pub application_id: String,
    pub features: Value,
    pub terms: Terms,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub approve: i64,
    pub refer: i64,
    pub reject: i64,
    pub bands: BTreeMap<String, i64>,
}

impl Tally {
    pub fn count(&mut self, outcome: Outcome, band: &str) {
        match outcome {
            Outcome::Approve => self.approve += 1,
            Outcome::Refer => self.refer += 1,
            Outcome::Reject => self.reject += 1,
        }
        if !band.is_empty() {
            *self.bands.entry(band.to_owned()).or_default() += 1;
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub application_id: String,
    pub from: Outcome,
    pub to: Outcome,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub decisions: i64,
    pub current: Tally,
    pub draft: Tally,
    /// The first `keep` in the snapshots' order.
    pub changed: Vec<Changed>,
    pub changed_total: i64,
}

pub fn replay(current: &Ruleset, draft: &Ruleset, snapshots: &[Snapshot], keep: usize) -> Report {
    let mut report = Report::default();
    for s in snapshots {
        let now: Evaluation = evaluate(current, &s.features, s.terms);
        let then: Evaluation = evaluate(draft, &s.features, s.terms);
        report.decisions += 1;
        report.current.count(now.outcome, &now.band);
        report.draft.count(then.outcome, &then.band);
        if now.outcome != then.outcome {
            report.changed_total += 1;
            if report.changed.len() < keep {
                report.changed.push(Changed {
                    application_id: s.application_id.clone(),
                    from: now.outcome,
                    to: then.outcome,
                });
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{BureauFeatures, Features};
    use crate::rules::ruleset::DEFAULT_DOCUMENT;

    fn snapshot(id: &str, age: i64, score: i64) -> Snapshot {
        Snapshot {
            application_id: id.into(),
            features: Features {
                age,
                bureau: BureauFeatures {
                    multi_lending30d: Some(1),
                    blacklist_hit: Some(false),
                    score: Some(score),
                    ..BureauFeatures::default()
                },
                ..Features::default()
            }
            .to_json(),
            terms: Terms {
                applied_amount_fen: 100_000,
                applied_rate_ppm: 240_000,
                product_min_rate_ppm: 0,
                product_max_rate_ppm: 360_000,
                available_credit_fen: 500_000,
            },
        }
    }

    /// The default with AGE tightened to 30.
    fn stricter() -> Ruleset {
        let text = DEFAULT_DOCUMENT.replace("age < 20 || age > 55", "age < 30 || age > 55");
        Ruleset::compile(&text, 360_000).unwrap()
    }

    #[test]
    fn a_stricter_rule_shows_the_applications_it_would_turn_away() {
        let current = Ruleset::compile(DEFAULT_DOCUMENT, 360_000).unwrap();
        let draft = stricter();
        let snapshots = [
            snapshot("a", 25, 700),
            snapshot("b", 40, 700),
            snapshot("c", 26, 500),
        ];
        let report = replay(&current, &draft, &snapshots, 100);
        assert_eq!(report.decisions, 3);
        assert_eq!((report.current.approve, report.current.reject), (2, 1));
        assert_eq!((report.draft.approve, report.draft.reject), (1, 2));
        assert_eq!(
            report.changed,
            vec![Changed {
                application_id: "a".into(),
                from: Outcome::Approve,
                to: Outcome::Reject
            }],
            "c was rejected by both"
        );
        assert_eq!(report.current.bands.get("A"), Some(&2));
        let same = replay(&current, &current, &snapshots, 100);
        assert_eq!(same.changed_total, 0);
        assert_eq!(
            replay(&current, &draft, &snapshots, 0).changed_total,
            1,
            "counted beyond what is kept"
        );
    }
}
