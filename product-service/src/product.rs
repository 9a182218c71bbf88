//! The product model's rules (API.md §6.3, §7): limits that do not contradict themselves,
//! defaults inside them, rates under the configured annual cap. Checked on every upsert; the
//! failing field is named by its wire name.

use cashloan_proto::product::v1::{Limit, ProductInfo};

/// A field that failed, by its name on the wire.
#[derive(Debug, PartialEq, Eq)]
pub struct BadField(pub &'static str);

pub const DAY: u32 = 1;
pub const MONTH: u32 = 2;

fn limit_ok(limit: Option<&Limit>, min_allowed: i64) -> bool {
    match limit {
        None => false,
        Some(l) if l.fixed => !l.values.is_empty() && l.values.iter().all(|v| *v >= min_allowed),
        Some(l) => l.min >= min_allowed && l.min <= l.max,
    }
}

/// Whether `value` is allowed by the limit.
pub fn allows(limit: Option<&Limit>, value: i64) -> bool {
    match limit {
        None => false,
        Some(l) if l.fixed => l.values.contains(&value),
        Some(l) => (l.min..=l.max).contains(&value),
    }
}

fn largest(limit: &Limit) -> i64 {
    if limit.fixed {
        limit.values.iter().copied().max().unwrap_or(0)
    } else {
        limit.max
    }
}

fn subset(values: &[u32], allowed: &[u32]) -> bool {
    !values.is_empty() && values.iter().all(|v| allowed.contains(v))
}

pub fn validate(p: &ProductInfo, rate_cap_ppm: i64) -> Result<(), BadField> {
    let code_ok = (1..=32).contains(&p.code.len())
        && p.code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !code_ok {
        return Err(BadField("code"));
    }
    if !(1..=50).contains(&p.name.chars().count()) {
        return Err(BadField("name"));
    }
    if !limit_ok(p.amount.as_ref(), 1) {
        return Err(BadField(if p.amount.as_ref().is_some_and(|l| l.fixed) {
            "singleAmounts"
        } else {
            "singleMinAmount"
        }));
    }
    if !allows(p.amount.as_ref(), p.default_amount) {
        return Err(BadField("singleDefaultAmount"));
    }
    if !limit_ok(p.rate.as_ref(), 0) {
        return Err(BadField(if p.rate.as_ref().is_some_and(|l| l.fixed) {
            "interestRates"
        } else {
            "minInterestRate"
        }));
    }
    if p.rate.as_ref().is_some_and(|l| largest(l) > rate_cap_ppm) {
        return Err(BadField(if p.rate.as_ref().is_some_and(|l| l.fixed) {
            "interestRates"
        } else {
            "maxInterestRate"
        }));
    }
    if !allows(p.rate.as_ref(), p.default_rate) {
        return Err(BadField("defaultInterestRate"));
    }
    if !subset(&p.term_units, &[DAY, MONTH]) {
        return Err(BadField("termUnit"));
    }
    if p.term_units.contains(&DAY) {
        if !limit_ok(p.days.as_ref(), 1) {
            return Err(BadField(if p.days.as_ref().is_some_and(|l| l.fixed) {
                "singleDays"
            } else {
                "singleMinDays"
            }));
        }
        if !allows(p.days.as_ref(), p.default_days) {
            return Err(BadField("singleDefaultDays"));
        }
    }
    if p.term_units.contains(&MONTH) {
        if !limit_ok(p.months.as_ref(), 1) {
            return Err(BadField(if p.months.as_ref().is_some_and(|l| l.fixed) {
                "singleMonths"
            } else {
                "singleMinMonths"
            }));
        }
        if !allows(p.months.as_ref(), p.default_months) {
            return Err(BadField("singleDefaultMonths"));
        }
    }
    if !subset(&p.repay_types, &[1, 2, 3, 4]) {
        return Err(BadField("repayType"));
    }
    if !subset(&p.repay_term_units, &[DAY, MONTH]) {
        return Err(BadField("repayTermUnit"));
    }
    if p.default_repay_term_count == 0 {
        return Err(BadField("defaultRepayTermCount"));
    }
    if !p.repay_term_units.contains(&p.default_repay_term_unit) {
        return Err(BadField("defaultRepayTermUnit"));
    }
    if p.penalty_rate < 0 {
        return Err(BadField("penaltyRate"));
    }
    if !(0..=1_000_000).contains(&p.fee_rate) {
        return Err(BadField("feeRate"));
    }
    if !(0..=1).contains(&p.review_mode) {
        return Err(BadField("reviewMode"));
    }
    if p.auto_payout_limit.is_some_and(|l| l <= 0) {
        return Err(BadField("autoPayoutLimit"));
    }
    Ok(())
}

fn fixed(values: &[i64]) -> Option<Limit> {
    Some(Limit {
        fixed: true,
        min: 0,
        max: 0,
        values: values.to_vec(),
    })
}

fn range(min: i64, max: i64) -> Option<Limit> {
    Some(Limit {
        fixed: false,
        min,
        max,
        values: Vec::new(),
    })
}

/// The three products of a fresh installation (the original's samples).
/// The sample products, decided by the rules (`review_mode` 1, paid out up to 3000.00) or by people.
pub fn seeds(review_mode: i32) -> Vec<ProductInfo> {
    let base = |code: &str, name: &str, order: i32| ProductInfo {
        code: code.into(),
        name: name.into(),
        third_service_code: "cashLoanOperatorDataService,zsCreditService.bankCardVerification".into(),
        rate: fixed(&[360_000]),
        default_rate: 360_000,
        term_units: vec![DAY],
        repay_types: vec![1],
        default_repay_term_count: 1,
        default_repay_term_unit: DAY,
        repay_term_units: vec![DAY],
        penalty_rate: 360_000,
        fee_rate: 0,
        on_sale: true,
        sort_order: order,
        review_mode,
        auto_payout_limit: (review_mode == 1).then_some(300_000),
        ..Default::default()
    };
    vec![
        ProductInfo {
            detail_description: "额度2000元;借款期限7天;到期一次性还本付息".into(),
            amount: fixed(&[200_000]),
            default_amount: 200_000,
            days: fixed(&[7]),
            default_days: 7,
            ..base("CASH", "现金贷", 1)
        },
        ProductInfo {
            detail_description: "额度500-5000元;借款期限7天或14天;到期一次性还本付息".into(),
            amount: range(50_000, 500_000),
            default_amount: 200_000,
            days: fixed(&[7, 14]),
            default_days: 7,
            ..base("CASH-NEW", "新现金贷", 2)
        },
        ProductInfo {
            detail_description: "员工专享;额度500元;借款期限7天或14天".into(),
            amount: fixed(&[50_000]),
            default_amount: 50_000,
            days: fixed(&[7, 14]),
            default_days: 7,
            ..base("STAFF", "员工贷", 3)
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: i64 = 360_000;

    #[test]
    fn the_seeds_are_valid() {
        for p in seeds(1) {
            assert_eq!(validate(&p, CAP), Ok(()), "{}", p.name);
        }
    }

    #[test]
    fn contradictions_name_their_field() {
        type Breaker = fn(&mut ProductInfo);
        let cases: Vec<(Breaker, &str)> = vec![
            (|p| p.code = "bad code".into(), "code"),
            (|p| p.amount = range(5000, 500), "singleMinAmount"),
            (|p| p.amount = fixed(&[]), "singleAmounts"),
            (|p| p.default_amount = 123, "singleDefaultAmount"),
            (|p| p.rate = range(100_000, 400_000), "maxInterestRate"),
            (|p| p.rate = fixed(&[370_000]), "interestRates"),
            (|p| p.default_rate = 240_000, "defaultInterestRate"),
            (|p| p.term_units = vec![3], "termUnit"),
            (|p| p.days = range(14, 7), "singleMinDays"),
            (|p| p.default_days = 30, "singleDefaultDays"),
            (|p| p.term_units = vec![DAY, MONTH], "singleMinMonths"),
            (|p| p.repay_types = vec![5], "repayType"),
            (|p| p.default_repay_term_unit = MONTH, "defaultRepayTermUnit"),
            (|p| p.fee_rate = -1, "feeRate"),
        ];
        for (breaker, field) in cases {
            let mut p = seeds(1).remove(1);
            breaker(&mut p);
            assert_eq!(validate(&p, CAP), Err(BadField(field)), "{field}");
        }
    }

    #[test]
    fn month_limits_are_checked_only_when_months_are_offered() {
        let mut p = seeds(1).remove(0);
        p.months = range(6, 1);
        assert_eq!(validate(&p, CAP), Ok(()));
    }

    #[test]
    fn the_cap_is_configurable() {
        assert!(validate(&seeds(1)[0], 240_000).is_err());
    }
}
