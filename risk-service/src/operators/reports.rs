//! What operators read of the decisions: a page of them, newest first, and per-day statistics —
//! outcomes, bands, and the challenger against the champion on the share it evaluated.

use std::collections::BTreeMap;

use cashloan_proto::risk::v1 as pb;
use chrono::NaiveDate;
use serde::Deserialize;

use super::rulesets::counts;
use super::{day, period, text};
use crate::decide::decision_proto;
use crate::error::RiskError;
use crate::rules::replay::Tally;
use crate::rules::ruleset::Outcome;
use crate::store::{DayOutcome, DecisionFilter};
use crate::RiskCore;

const STATS_DAYS: i64 = 366;

#[derive(Deserialize)]
struct Shadow {
    outcome: String,
    #[serde(default)]
    band: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayTally {
    pub outcomes: Tally,
    pub challenger_evaluated: i64,
    pub challenger_agreed: i64,
    pub challenger: Tally,
}

/// Every day of `from..=to` with what was decided on it (days without decisions count zero).
pub fn per_day(from: NaiveDate, to: NaiveDate, rows: &[DayOutcome]) -> BTreeMap<String, DayTally> {
    let mut days: BTreeMap<String, DayTally> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (text(d), DayTally::default()))
        .collect();
    for (day, outcome, band, challenger) in rows {
        let (Some(tally), Some(outcome)) = (days.get_mut(day), Outcome::parse(outcome)) else {
            continue;
        };
        tally.outcomes.count(outcome, band);
        let shadow = challenger
            .as_deref()
            .and_then(|c| serde_json::from_str::<Shadow>(c).ok());
        if let Some((s, theirs)) = shadow.and_then(|s| Outcome::parse(&s.outcome).map(|o| (s, o))) {
            tally.challenger_evaluated += 1;
            tally.challenger_agreed += i64::from(theirs == outcome);
            tally.challenger.count(theirs, &s.band);
        }
    }
    days
}

impl RiskCore {
    pub async fn list_decisions(&self, r: &pb::ListDecisionsRequest) -> Result<pb::DecisionPage, RiskError> {
        if !matches!(r.outcome.as_str(), "" | "approve" | "refer" | "reject") {
            return Err(RiskError::InvalidField("outcome"));
        }
        for (value, field) in [(&r.from, "from"), (&r.to, "to")] {
            if !value.is_empty() {
                day(value, field)?;
            }
        }
        let size = r.page_size.clamp(1, 100);
        let filter = DecisionFilter {
            outcome: r.outcome.clone(),
            from: r.from.clone(),
            to: r.to.clone(),
            offset: i64::from(r.page_num.max(1) - 1) * i64::from(size),
            limit: i64::from(size),
        };
        let (rows, total) = self.store.page_decisions(filter).await?;
        Ok(pb::DecisionPage {
            items: rows.iter().map(decision_proto).collect::<Result<_, _>>()?,
            total,
        })
    }

    pub async fn decision_stats(&self, r: &pb::StatsRequest) -> Result<pb::StatsReply, RiskError> {
        let (from, to) = period(&r.from, &r.to, STATS_DAYS)?;
        let rows = self.store.day_outcomes(text(from), text(to)).await?;
        Ok(pb::StatsReply {
            days: per_day(from, to, &rows)
                .into_iter()
                .map(|(day, t)| pb::DayStats {
                    day,
                    outcomes: Some(counts(&t.outcomes)),
                    challenger_evaluated: t.challenger_evaluated,
                    challenger_agreed: t.challenger_agreed,
                    challenger: Some(counts(&t.challenger)),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, outcome: &str, band: &str, challenger: Option<&str>) -> DayOutcome {
        (
            day.into(),
            outcome.into(),
            band.into(),
            challenger.map(str::to_owned),
        )
    }

    #[test]
    fn each_day_counts_its_outcomes_and_the_challengers_agreement() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let rows = [
            row(
                "2026-12-01",
                "approve",
                "A",
                Some(r#"{"outcome":"approve","band":"A","score":700,"version":2}"#),
            ),
            row(
                "2026-12-01",
                "approve",
                "B",
                Some(r#"{"outcome":"reject","band":"E","score":500,"version":2}"#),
            ),
            row("2026-12-01", "reject", "", None),
            row("2026-12-03", "refer", "D", None),
            row("2026-12-09", "approve", "A", None),
        ];
        let days = per_day(d("2026-12-01"), d("2026-12-03"), &rows);
        assert_eq!(days.len(), 3, "every day, the empty one too");
        let first = &days["2026-12-01"];
        assert_eq!((first.outcomes.approve, first.outcomes.reject), (2, 1));
        assert_eq!((first.challenger_evaluated, first.challenger_agreed), (2, 1));
        assert_eq!(first.challenger.reject, 1);
        assert_eq!(first.outcomes.bands.get("B"), Some(&1));
        assert_eq!(days["2026-12-02"], DayTally::default());
        assert_eq!(days["2026-12-03"].outcomes.refer, 1);
    }
}
