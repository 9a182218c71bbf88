//! What the loan database's codes and texts mean, read back into domain types. Every reading is
//! fallible: a code or date that does not parse is a corrupt row and fails the call, because a
//! guess (a day term, a bullet loan, a due date of year 1) would move money wrongly.

use cashloan_proto::loan::v1::PeriodStatus;
use cashloan_runtime::clock::cst;
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::error::LoanError;
use crate::loan::schedule::{RepayType, TermUnit};

pub fn term_unit_code(unit: TermUnit) -> i32 {
    match unit {
        TermUnit::Day => 1,
        TermUnit::Month => 2,
    }
}

pub fn term_unit(code: i32) -> Result<TermUnit, LoanError> {
    match code {
        1 => Ok(TermUnit::Day),
        2 => Ok(TermUnit::Month),
        _ => Err(LoanError::Corrupt("term unit")),
    }
}

pub fn repay_type_code(t: RepayType) -> i32 {
    match t {
        RepayType::Bullet => 1,
        RepayType::InterestOnly => 2,
        RepayType::Annuity => 3,
        RepayType::FlatEqual => 4,
    }
}

pub fn repay_type(code: i32) -> Result<RepayType, LoanError> {
    match code {
        1 => Ok(RepayType::Bullet),
        2 => Ok(RepayType::InterestOnly),
        3 => Ok(RepayType::Annuity),
        4 => Ok(RepayType::FlatEqual),
        _ => Err(LoanError::Corrupt("repay type")),
    }
}

/// `repayment_periods.status`: 0 unpaid, 1 paid.
pub const UNPAID: i32 = 0;
pub const PAID: i32 = 1;

pub fn period_status(code: i32) -> Result<PeriodStatus, LoanError> {
    match code {
        UNPAID => Ok(PeriodStatus::Unpaid),
        PAID => Ok(PeriodStatus::Paid),
        _ => Err(LoanError::Corrupt("period status")),
    }
}

/// A period's status as the customer sees it: an unpaid one that an order holds is processing.
pub fn shown_status(code: i32, reserved: bool) -> Result<PeriodStatus, LoanError> {
    match period_status(code)? {
        PeriodStatus::Unpaid if reserved => Ok(PeriodStatus::Processing),
        status => Ok(status),
    }
}

pub fn due_date(text: &str) -> Result<NaiveDate, LoanError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| LoanError::Corrupt("due date"))
}

/// Epoch milliseconds of the end of a due date: 23:59:59 in China (API.md §6.4).
pub fn due_at_ms(text: &str) -> Result<i64, LoanError> {
    due_date(text)?
        .and_time(NaiveTime::from_hms_opt(23, 59, 59).ok_or(LoanError::Corrupt("due time"))?)
        .and_local_timezone(cst())
        .single()
        .map(|t| t.timestamp_millis())
        .ok_or(LoanError::Corrupt("due date"))
}

/// A schedule amount in fen; the schedule rounds to cents, so anything else is a fault.
pub fn fen(amount: Decimal) -> Result<i64, LoanError> {
    cashloan_runtime::money::to_fen(amount).ok_or(LoanError::Corrupt("amount out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_fail() {
        for unit in [TermUnit::Day, TermUnit::Month] {
            assert_eq!(term_unit(term_unit_code(unit)).unwrap(), unit);
        }
        for t in [
            RepayType::Bullet,
            RepayType::InterestOnly,
            RepayType::Annuity,
            RepayType::FlatEqual,
        ] {
            assert_eq!(repay_type(repay_type_code(t)).unwrap(), t);
        }
        assert!(term_unit(0).is_err() && term_unit(3).is_err());
        assert!(repay_type(0).is_err() && repay_type(5).is_err());
        assert_eq!(period_status(1).unwrap(), PeriodStatus::Paid);
        assert!(period_status(2).is_err());
    }

    #[test]
    fn a_period_is_due_until_the_end_of_its_day_in_china() {
        // 2026-03-10 23:59:59 UTC+8 = 2026-03-10 15:59:59 UTC
        assert_eq!(due_at_ms("2026-03-10").unwrap(), 1_773_158_399_000);
        assert!(due_at_ms("2026-02-30").is_err());
        assert!(due_date("").is_err());
    }

    #[test]
    fn an_amount_beyond_fen_is_an_error_not_zero() {
        assert_eq!(fen(Decimal::new(50_700, 2)).unwrap(), 50_700);
        assert!(fen(Decimal::MAX).is_err());
    }
}
