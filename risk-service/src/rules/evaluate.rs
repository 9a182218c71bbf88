//! Evaluation (DECISIONS.md "Rules"): a pure function of the ruleset and the features. Every rule
//! is evaluated; any reject rejects, else any refer (or a rule that could not be evaluated) refers,
//! else the score's band decides. Nothing that cannot be evaluated ever approves.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::expression;
use super::ruleset::{Base, Outcome, Ruleset, SCORE_MAX, SCORE_MIN};
use crate::features::int_at;

/// What an approval is bounded by, besides the band.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Terms {
    pub applied_amount_fen: i64,
    pub applied_rate_ppm: i64,
    pub product_min_rate_ppm: i64,
    pub product_max_rate_ppm: i64,
    pub available_credit_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub id: String,
    /// `hit`, `pass` or `error`.
    pub result: String,
    pub outcome: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    /// None when a feature the scorecard needs is missing.
    pub score: Option<i64>,
    pub band: String,
    pub rules: Vec<RuleResult>,
    pub approved_amount_fen: i64,
    pub approved_rate_ppm: i64,
}

fn reason(code: &str, text: &str) -> Reason {
    Reason {
        code: code.to_owned(),
        text: text.to_owned(),
    }
}

/// The score: the base plus each factor's bin; None when a feature it needs is missing.
pub fn score(ruleset: &Ruleset, features: &Value) -> Option<i64> {
    let card = &ruleset.document.scorecard;
    let mut total = match &card.base {
        Base::Points(p) => *p,
        Base::Feature(name) => int_at(features, name)?,
    };
    for factor in &card.factors {
        let value = int_at(features, &factor.feature)?;
        if let Some(bin) = factor.bins.iter().find(|b| (b.min..=b.max).contains(&value)) {
            total += bin.points;
        }
    }
    Some(total)
}

pub fn evaluate(ruleset: &Ruleset, features: &Value, terms: Terms) -> Evaluation {
    let ctx = expression::context(features);
    let mut rules = Vec::with_capacity(ruleset.rules.len());
    let (mut rejects, mut refers) = (Vec::new(), Vec::new());
    for (rule, compiled) in &ruleset.rules {
        let result = match compiled.evaluate(&ctx) {
            Ok(true) => {
                let to = if rule.outcome == Outcome::Reject {
                    &mut rejects
                } else {
                    &mut refers
                };
                to.push(reason(&rule.reason, &rule.text));
                "hit"
            }
            Ok(false) => "pass",
            Err(_) => {
                refers.push(reason(&format!("RULE_ERROR:{}", rule.id), ""));
                "error"
            }
        };
        rules.push(RuleResult {
            id: rule.id.clone(),
            result: result.into(),
            outcome: rule.outcome.name().into(),
        });
    }
    let score = score(ruleset, features);
    let band = score.and_then(|s| {
        let clamped = s.clamp(SCORE_MIN, SCORE_MAX);
        ruleset
            .document
            .bands
            .iter()
            .zip(&ruleset.band_terms)
            .find(|(b, _)| (b.min..=b.max).contains(&clamped))
    });
    let mut evaluation = Evaluation {
        outcome: Outcome::Refer,
        reasons: Vec::new(),
        score,
        band: band.map(|(b, _)| b.band.clone()).unwrap_or_default(),
        rules,
        approved_amount_fen: 0,
        approved_rate_ppm: 0,
    };
    if !rejects.is_empty() {
        evaluation.outcome = Outcome::Reject;
        evaluation.reasons = rejects;
        return evaluation;
    }
    if !refers.is_empty() {
        evaluation.reasons = refers;
        return evaluation;
    }
    let Some((band, (max_amount, rate))) = band else {
        evaluation.reasons = vec![reason("SCORE_ERROR", "")];
        return evaluation;
    };
    match band.outcome {
        Outcome::Approve => {
            let amount = terms
                .applied_amount_fen
                .min(max_amount.unwrap_or(0))
                .min(terms.available_credit_fen);
            if amount <= 0 {
                evaluation.reasons = vec![reason("NO_CREDIT", "")];
                return evaluation;
            }
            evaluation.outcome = Outcome::Approve;
            evaluation.approved_amount_fen = amount;
            evaluation.approved_rate_ppm = rate
                .filter(|r| (terms.product_min_rate_ppm..=terms.product_max_rate_ppm).contains(r))
                .unwrap_or(terms.applied_rate_ppm);
        }
        outcome => {
            evaluation.outcome = outcome;
            evaluation.reasons = vec![reason("SCORE_BAND", &band.text)];
        }
    }
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{BureauFeatures, Features};
    use proptest::prelude::*;

    const CAP: i64 = 360_000;

    fn terms(amount: i64) -> Terms {
        Terms {
            applied_amount_fen: amount,
            applied_rate_ppm: 360_000,
            product_min_rate_ppm: 100_000,
            product_max_rate_ppm: 360_000,
            available_credit_fen: 500_000,
        }
    }

    fn clean() -> Features {
        Features {
            age: 30,
            bureau: BureauFeatures {
                unavailable: false,
                multi_lending30d: Some(1),
                multi_lending90d: Some(2),
                blacklist_hit: Some(false),
                score: Some(680),
            },
            ..Features::default()
        }
    }

    fn decide(f: &Features, amount: i64) -> Evaluation {
        evaluate(&Ruleset::default_ruleset(CAP), &f.to_json(), terms(amount))
    }

    #[test]
    fn the_default_ruleset_decides_as_the_table_says() {
        let e = decide(&clean(), 300_000);
        assert_eq!(
            (e.outcome, e.band.as_str(), e.approved_amount_fen),
            (Outcome::Approve, "A", 300_000)
        );
        // 995: score 600, band C, at most 1000.00.
        let mut f = clean();
        f.bureau.score = Some(600);
        let e = decide(&f, 300_000);
        assert_eq!(
            (e.outcome, e.band.as_str(), e.approved_amount_fen),
            (Outcome::Approve, "C", 100_000)
        );
        // Age 20–24 costs 30 points: 680 → 650, band B.
        let mut f = clean();
        f.age = 22;
        assert_eq!(decide(&f, 400_000).approved_amount_fen, 300_000);
        // 994: score 520 → E.
        f.bureau.score = Some(520);
        let e = decide(&f, 50_000);
        assert_eq!(e.outcome, Outcome::Reject);
        assert_eq!(e.reasons, vec![reason("SCORE_BAND", "综合评分不足")]);
        let mut f = clean();
        f.age = 56;
        assert_eq!(
            decide(&f, 50_000).reasons,
            vec![reason("AGE", "年龄不符合产品要求")]
        );
        // 993: the bureau did not answer: refer, the rules that needed it as errors.
        let mut f = clean();
        f.bureau = BureauFeatures {
            unavailable: true,
            ..BureauFeatures::default()
        };
        let e = decide(&f, 50_000);
        assert_eq!(e.outcome, Outcome::Refer);
        let codes: Vec<&str> = e.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "RULE_ERROR:BUREAU_BLACKLIST",
                "RULE_ERROR:MULTI_LENDING_HIGH",
                "RULE_ERROR:MULTI_LENDING",
                "BUREAU_UNAVAILABLE"
            ]
        );
        assert_eq!(e.score, None);
        // Settled loans raise the score, at most by 40; the credit line bounds the amount.
        let mut f = clean();
        f.bureau.score = Some(600);
        f.history.loans_settled_clean = 9;
        let e = evaluate(
            &Ruleset::default_ruleset(CAP),
            &f.to_json(),
            Terms {
                available_credit_fen: 120_000,
                ..terms(300_000)
            },
        );
        assert_eq!(
            (e.score, e.band.as_str(), e.approved_amount_fen),
            (Some(640), "B", 120_000)
        );
    }

    fn features() -> impl Strategy<Value = Features> {
        (
            (0i64..90, 0i64..5, 0i64..60, 0i64..6),
            (
                proptest::option::of(0i64..15),
                proptest::option::of(any::<bool>()),
                proptest::option::of(250i64..950),
            ),
            (0i64..30, 0i64..5),
        )
            .prop_map(
                |((age, clean_loans, overdue, users), (multi, black, score), (per_ip, contacts))| {
                    let mut f = Features {
                        age,
                        emergency_contacts: contacts,
                        ..Features::default()
                    };
                    f.history.loans_settled_clean = clean_loans;
                    f.history.max_days_overdue = overdue;
                    f.velocity.users_per_device30d = users;
                    f.velocity.applications_per_ip24h = per_ip;
                    f.bureau = BureauFeatures {
                        unavailable: multi.is_none() && black.is_none() && score.is_none(),
                        multi_lending30d: multi,
                        multi_lending90d: multi,
                        blacklist_hit: black,
                        score,
                    };
                    f
                },
            )
    }

    proptest! {
        #[test]
        fn a_decision_is_a_pure_function_and_no_rejecting_rule_lets_an_approval_through(f in features(), amount in 1i64..1_000_000) {
            let set = Ruleset::default_ruleset(CAP);
            let first = evaluate(&set, &f.to_json(), terms(amount));
            // The same again, and from the stored snapshot read back: the same decision.
            let stored: Features = serde_json::from_value(f.to_json()).unwrap();
            prop_assert_eq!(&first, &evaluate(&set, &stored.to_json(), terms(amount)));
            let hit = |id: &str| first.rules.iter().any(|r| r.id == id && r.result == "hit");
            let errors = first.rules.iter().any(|r| r.result == "error");
            if first.outcome == Outcome::Approve {
                prop_assert!(!errors, "approved with a rule not evaluated: {:?}", first);
                for (rule, _) in &set.rules {
                    prop_assert!(!hit(&rule.id), "approved with {} hit", rule.id);
                }
                prop_assert!(first.approved_amount_fen >= 1 && first.approved_amount_fen <= amount);
                prop_assert!(f.age >= 20 && f.age <= 55);
            }
            if (f.age < 20 || f.age > 55) || f.bureau.blacklist_hit == Some(true) || f.history.max_days_overdue > 30 {
                prop_assert_eq!(first.outcome, Outcome::Reject);
            }
        }
    }
}
