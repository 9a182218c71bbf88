//! Term validation (API.md §6.4, #22 and #23): the app's strings checked against the product in
//! the contract's order, each failure with its own reason.

use cashloan_proto::product::v1::{Limit, ProductInfo};
use cashloan_proto::Reason;
use cashloan_runtime::money::{parse_amount, parse_rate};

use crate::loan::schedule::{RepayType, TermUnit};

/// Why the terms were refused; `reason()` is what the gateway maps to 20004000–20004015.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermError {
    AmountInvalid,
    AmountNotAllowed,
    RateInvalid,
    RateNotAllowed,
    TermUnitInvalid,
    TermUnitNotOffered,
    TermCountInvalid,
    TermCountNotAllowed,
    RepayTermUnitInvalid,
    RepayTermUnitNotOffered,
    DayIntervalOnMonthTerm,
    RepayTermCountInvalid,
    RepayTermCountIndivisible,
    RepayTypeInvalid,
    RepayTypeNotOffered,
    AnnuityOnDayTerm,
}

impl TermError {
    pub fn reason(self) -> Reason {
        match self {
            Self::AmountInvalid => Reason::AmountInvalid,
            Self::AmountNotAllowed => Reason::AmountNotAllowed,
            Self::RateInvalid => Reason::RateInvalid,
            Self::RateNotAllowed => Reason::RateNotAllowed,
            Self::TermUnitInvalid => Reason::TermUnitInvalid,
            Self::TermUnitNotOffered => Reason::TermUnitNotOffered,
            Self::TermCountInvalid => Reason::TermCountInvalid,
            Self::TermCountNotAllowed => Reason::TermCountNotAllowed,
            Self::RepayTermUnitInvalid => Reason::RepayTermUnitInvalid,
            Self::RepayTermUnitNotOffered => Reason::RepayTermUnitNotOffered,
            Self::DayIntervalOnMonthTerm => Reason::DayIntervalOnMonthTerm,
            Self::RepayTermCountInvalid => Reason::RepayTermCountInvalid,
            Self::RepayTermCountIndivisible => Reason::RepayTermCountIndivisible,
            Self::RepayTypeInvalid => Reason::RepayTypeInvalid,
            Self::RepayTypeNotOffered => Reason::RepayTypeNotOffered,
            Self::AnnuityOnDayTerm => Reason::AnnuityOnDayTerm,
        }
    }
}

/// The app's fields, as sent.
pub struct RequestedTerms<'a> {
    pub amount: &'a str,
    pub interest_rate: &'a str,
    pub term_unit: &'a str,
    pub term_count: &'a str,
    pub repay_term_unit: &'a str,
    pub repay_term_count: &'a str,
    pub repay_type: &'a str,
}

/// Terms that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedTerms {
    pub amount_fen: i64,
    pub rate_ppm: i64,
    pub term_unit: TermUnit,
    pub term_count: u32,
    pub repay_term_unit: TermUnit,
    pub repay_term_count: u32,
    pub repay_type: RepayType,
}

fn allows(limit: Option<&Limit>, value: i64) -> bool {
    match limit {
        None => false,
        Some(l) if l.fixed => l.values.contains(&value),
        Some(l) => (l.min..=l.max).contains(&value),
    }
}

/// A positive integer, leading zeros allowed ("01").
fn positive(text: &str) -> Option<u32> {
    let ok = !text.is_empty() && text.len() <= 6 && text.bytes().all(|b| b.is_ascii_digit());
    text.parse::<u32>().ok().filter(|v| ok && *v >= 1)
}

/// A unit code 1 (day) or 2 (month), leading zeros allowed.
fn unit(text: &str) -> Option<(u32, TermUnit)> {
    match positive(text)? {
        1 => Some((1, TermUnit::Day)),
        2 => Some((2, TermUnit::Month)),
        _ => None,
    }
}

pub fn validate(p: &ProductInfo, t: &RequestedTerms) -> Result<AcceptedTerms, TermError> {
    let amount_fen = parse_amount(t.amount)
        .filter(|v| *v > 0)
        .ok_or(TermError::AmountInvalid)?;
    if !allows(p.amount.as_ref(), amount_fen) {
        return Err(TermError::AmountNotAllowed);
    }
    let rate_ppm = parse_rate(t.interest_rate).ok_or(TermError::RateInvalid)?;
    if !allows(p.rate.as_ref(), rate_ppm) {
        return Err(TermError::RateNotAllowed);
    }
    let (unit_code, term_unit) = unit(t.term_unit).ok_or(TermError::TermUnitInvalid)?;
    if !p.term_units.contains(&unit_code) {
        return Err(TermError::TermUnitNotOffered);
    }
    let term_count = positive(t.term_count).ok_or(TermError::TermCountInvalid)?;
    let term_limit = match term_unit {
        TermUnit::Day => p.days.as_ref(),
        TermUnit::Month => p.months.as_ref(),
    };
    if !allows(term_limit, term_count.into()) {
        return Err(TermError::TermCountNotAllowed);
    }
    let (repay_unit_code, repay_term_unit) =
        unit(t.repay_term_unit).ok_or(TermError::RepayTermUnitInvalid)?;
    if !p.repay_term_units.contains(&repay_unit_code) {
        return Err(TermError::RepayTermUnitNotOffered);
    }
    if term_unit == TermUnit::Month && repay_term_unit == TermUnit::Day {
        return Err(TermError::DayIntervalOnMonthTerm);
    }
    let repay_term_count = positive(t.repay_term_count).ok_or(TermError::RepayTermCountInvalid)?;
    // A day term cannot be cut into months either.
    if repay_term_unit != term_unit || term_count % repay_term_count != 0 {
        return Err(TermError::RepayTermCountIndivisible);
    }
    let repay_type = match positive(t.repay_type) {
        Some(1) => (1, RepayType::Bullet),
        Some(2) => (2, RepayType::InterestOnly),
        Some(3) => (3, RepayType::Annuity),
        Some(4) => (4, RepayType::FlatEqual),
        _ => return Err(TermError::RepayTypeInvalid),
    };
    if !p.repay_types.contains(&repay_type.0) {
        return Err(TermError::RepayTypeNotOffered);
    }
    if term_unit == TermUnit::Day && repay_type.1 == RepayType::Annuity {
        return Err(TermError::AnnuityOnDayTerm);
    }
    Ok(AcceptedTerms {
        amount_fen,
        rate_ppm,
        term_unit,
        term_count,
        repay_term_unit,
        repay_term_count,
        repay_type: repay_type.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> ProductInfo {
        ProductInfo {
            amount: Some(Limit {
                fixed: false,
                min: 50_000,
                max: 500_000,
                values: vec![],
            }),
            rate: Some(Limit {
                fixed: false,
                min: 100_000,
                max: 360_000,
                values: vec![],
            }),
            term_units: vec![1, 2],
            days: Some(Limit {
                fixed: true,
                min: 0,
                max: 0,
                values: vec![7, 14],
            }),
            months: Some(Limit {
                fixed: false,
                min: 1,
                max: 12,
                values: vec![],
            }),
            repay_types: vec![1, 2, 3],
            repay_term_units: vec![1, 2],
            ..Default::default()
        }
    }

    fn good() -> RequestedTerms<'static> {
        RequestedTerms {
            amount: "3000.00",
            interest_rate: "0.24",
            term_unit: "02",
            term_count: "6",
            repay_term_unit: "2",
            repay_term_count: "1",
            repay_type: "03",
        }
    }

    #[test]
    fn good_terms_pass_with_leading_zeros() {
        let t = validate(&product(), &good()).unwrap();
        assert_eq!((t.amount_fen, t.rate_ppm, t.term_count), (300_000, 240_000, 6));
        assert_eq!((t.term_unit, t.repay_type), (TermUnit::Month, RepayType::Annuity));
    }

    #[test]
    fn each_rule_has_its_own_error_in_order() {
        type Breaker = fn(&mut RequestedTerms<'static>);
        let cases: Vec<(Breaker, TermError)> = vec![
            (|t| t.amount = "12.345", TermError::AmountInvalid),
            (|t| t.amount = "0", TermError::AmountInvalid),
            (|t| t.amount = "-5", TermError::AmountInvalid),
            (|t| t.amount = "5000.01", TermError::AmountNotAllowed),
            (|t| t.interest_rate = "abc", TermError::RateInvalid),
            (|t| t.interest_rate = "0.37", TermError::RateNotAllowed),
            (|t| t.term_unit = "3", TermError::TermUnitInvalid),
            (|t| t.term_count = "0", TermError::TermCountInvalid),
            (|t| t.term_count = "1.5", TermError::TermCountInvalid),
            (|t| t.term_count = "13", TermError::TermCountNotAllowed),
            (|t| t.repay_term_unit = "x", TermError::RepayTermUnitInvalid),
            (|t| t.repay_term_unit = "1", TermError::DayIntervalOnMonthTerm),
            (|t| t.repay_term_count = "0", TermError::RepayTermCountInvalid),
            (|t| t.repay_term_count = "4", TermError::RepayTermCountIndivisible),
            (|t| t.repay_type = "5", TermError::RepayTypeInvalid),
            (|t| t.repay_type = "4", TermError::RepayTypeNotOffered),
        ];
        for (breaker, expected) in cases {
            let mut t = good();
            breaker(&mut t);
            assert_eq!(validate(&product(), &t), Err(expected), "{expected:?}");
        }
        // Earlier rules win: a bad amount and a bad rate report the amount.
        let mut t = good();
        t.amount = "x";
        t.interest_rate = "y";
        assert_eq!(validate(&product(), &t), Err(TermError::AmountInvalid));
    }

    #[test]
    fn unit_offer_and_day_annuity_rules() {
        let mut day_only = product();
        day_only.term_units = vec![1];
        assert_eq!(validate(&day_only, &good()), Err(TermError::TermUnitNotOffered));
        let mut p = product();
        p.repay_term_units = vec![1];
        assert_eq!(validate(&p, &good()), Err(TermError::RepayTermUnitNotOffered));
        let mut t = good();
        t.term_unit = "1";
        t.term_count = "14";
        t.repay_term_unit = "1";
        t.repay_term_count = "7";
        assert_eq!(validate(&product(), &t), Err(TermError::AnnuityOnDayTerm));
        t.repay_type = "1";
        assert!(validate(&product(), &t).is_ok());
    }
}
