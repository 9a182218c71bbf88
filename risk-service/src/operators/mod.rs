//! The risk team's side (DECISIONS.md "Operators", API.md §7 `/admin/risk/*`): rulesets saved as
//! drafts, replayed, activated (the gateway asks a second operator first); decisions listed and
//! counted per day. Calls the rules (pure) and the store, nothing else.

mod reports;
mod rulesets;

use chrono::NaiveDate;

use crate::error::RiskError;

/// A `yyyy-MM-dd` date of a request.
fn day(text: &str, field: &'static str) -> Result<NaiveDate, RiskError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| RiskError::InvalidField(field))
}

/// `from..=to`, in order and at most `most` days long.
fn period(from: &str, to: &str, most: i64) -> Result<(NaiveDate, NaiveDate), RiskError> {
    let (from, to) = (day(from, "from")?, day(to, "to")?);
    if to < from || (to - from).num_days() >= most {
        return Err(RiskError::InvalidField("to"));
    }
    Ok((from, to))
}

fn text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_in_order_and_bounded() {
        assert!(period("2026-12-01", "2026-12-04", 31).is_ok());
        assert!(period("2026-12-04", "2026-12-04", 1).is_ok());
        assert!(matches!(
            period("2026-12-04", "2026-12-01", 31),
            Err(RiskError::InvalidField("to"))
        ));
        assert!(matches!(
            period("2026-01-01", "2026-12-31", 92),
            Err(RiskError::InvalidField("to"))
        ));
        assert!(matches!(
            period("2026-13-01", "2026-12-31", 92),
            Err(RiskError::InvalidField("from"))
        ));
    }
}
