//! The repayment-schedule engine (API.md §6.4): pure functions, no I/O. The same code computes a
//! quote and, at disbursement, the stored plan. Money is exact decimals, rounded half-up to the
//! cent per period; the last period takes what rounding left over.

use cashloan_runtime::money::cents;
use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermUnit {
    Day,
    Month,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepayType {
    /// 1 一次性还本付息: one period at maturity.
    Bullet,
    /// 2 按期还息到期还本: interest each period, principal at the end.
    InterestOnly,
    /// 3 等额本息: level payments (months only).
    Annuity,
    /// 4 等本等息: equal principal, interest on the original principal.
    FlatEqual,
}

/// What a schedule is computed from; validated before (counts divide, units fit the type).
#[derive(Clone, Debug)]
pub struct LoanTerms {
    pub principal: Decimal,
    pub annual_rate: Decimal,
    /// Service fee per period, a fraction of the original principal.
    pub fee_rate: Decimal,
    pub term_count: u32,
    pub term_unit: TermUnit,
    /// Length of one period in `term_unit`s (ignored by `Bullet`).
    pub repay_term_count: u32,
    pub repay_type: RepayType,
    pub start: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub num: u32,
    pub due_date: NaiveDate,
    pub principal: Decimal,
    pub interest: Decimal,
    pub fee: Decimal,
}

impl Period {
    pub fn amount(&self) -> Decimal {
        self.principal + self.interest + self.fee
    }
}

#[derive(Clone, Debug)]
pub struct Schedule {
    pub periods: Vec<Period>,
    /// Length of one period in `unit`s: the whole term for a bullet loan.
    pub period_length: u32,
    pub unit: TermUnit,
}

impl Schedule {
    pub fn total_principal(&self) -> Decimal {
        self.periods.iter().map(|p| p.principal).sum()
    }
    pub fn total_interest(&self) -> Decimal {
        self.periods.iter().map(|p| p.interest).sum()
    }
    pub fn total_fee(&self) -> Decimal {
        self.periods.iter().map(|p| p.fee).sum()
    }
    pub fn total_amount(&self) -> Decimal {
        self.periods.iter().map(Period::amount).sum()
    }
}

/// The interest rate of one period of `length` units: rate/360 per day, rate/12 per month.
fn period_rate(annual: Decimal, unit: TermUnit, length: u32) -> Decimal {
    let per_unit = match unit {
        TermUnit::Day => annual / Decimal::from(360),
        TermUnit::Month => annual / Decimal::from(12),
    };
    per_unit * Decimal::from(length)
}

/// The due date of the end of period `k` (months keep the day, clamped to the month's end).
fn due_date(start: NaiveDate, unit: TermUnit, units: u32) -> NaiveDate {
    match unit {
        TermUnit::Day => start + Days::new(units.into()),
        TermUnit::Month => start
            .checked_add_months(Months::new(units))
            .unwrap_or(NaiveDate::MAX),
    }
}

fn pow(base: Decimal, n: u32) -> Decimal {
    (0..n).fold(Decimal::ONE, |acc, _| acc * base)
}

pub fn build(t: &LoanTerms) -> Schedule {
    let (count, length) = match t.repay_type {
        RepayType::Bullet => (1, t.term_count),
        _ => (t.term_count / t.repay_term_count.max(1), t.repay_term_count),
    };
    let count = count.max(1);
    let i = period_rate(t.annual_rate, t.term_unit, length);
    let fee = cents(t.principal * t.fee_rate);
    let p = t.principal;
    let n = Decimal::from(count);

    let level_payment = match t.repay_type {
        RepayType::Annuity if !i.is_zero() => {
            let growth = pow(Decimal::ONE + i, count);
            cents(p * i * growth / (growth - Decimal::ONE))
        }
        RepayType::Annuity => cents(p / n),
        _ => Decimal::ZERO,
    };

    let mut periods = Vec::with_capacity(count as usize);
    let mut outstanding = p;
    for k in 1..=count {
        let last = k == count;
        let (principal, interest) = match t.repay_type {
            RepayType::Bullet | RepayType::InterestOnly => {
                (if last { p } else { Decimal::ZERO }, cents(p * i))
            }
            RepayType::Annuity => {
                let interest = cents(outstanding * i);
                let principal = if last {
                    outstanding
                } else {
                    level_payment - interest
                };
                (principal, interest)
            }
            RepayType::FlatEqual => {
                let principal = if last { outstanding } else { cents(p / n) };
                (principal, cents(p * i))
            }
        };
        outstanding -= principal;
        periods.push(Period {
            num: k,
            due_date: due_date(t.start, t.term_unit, k * length),
            principal,
            interest,
            fee,
        });
    }
    Schedule {
        periods,
        period_length: length,
        unit: t.term_unit,
    }
}

/// 综合年化成本 by IRR: the periodic rate r with Σ amount_k / (1+r)^k = received, annualised by
/// the number of periods in a year (360 days or 12 months), not compounded.
pub fn apr(schedule: &Schedule, received: Decimal) -> Decimal {
    let present_value = |r: Decimal| -> Decimal {
        let factor = Decimal::ONE + r;
        let mut discount = Decimal::ONE;
        let mut sum = Decimal::ZERO;
        for period in &schedule.periods {
            discount /= factor;
            sum += period.amount() * discount;
        }
        sum
    };
    if received <= Decimal::ZERO || present_value(Decimal::ZERO) <= received {
        return Decimal::ZERO;
    }
    let (mut low, mut high) = (Decimal::ZERO, Decimal::ONE);
    while present_value(high) > received && high < Decimal::from(1_000_000) {
        low = high;
        high *= Decimal::TWO;
    }
    for _ in 0..100 {
        let mid = (low + high) / Decimal::TWO;
        if present_value(mid) > received {
            low = mid;
        } else {
            high = mid;
        }
    }
    let periods_per_year = match schedule.unit {
        TermUnit::Day => Decimal::from(360) / Decimal::from(schedule.period_length.max(1)),
        TermUnit::Month => Decimal::from(12) / Decimal::from(schedule.period_length.max(1)),
    };
    (low + high) / Decimal::TWO * periods_per_year
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn terms(p: &str, rate: &str, count: u32, unit: TermUnit, every: u32, kind: RepayType) -> LoanTerms {
        LoanTerms {
            principal: d(p),
            annual_rate: d(rate),
            fee_rate: Decimal::ZERO,
            term_count: count,
            term_unit: unit,
            repay_term_count: every,
            repay_type: kind,
            start: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        }
    }

    fn apr4(s: &Schedule, received: &str) -> String {
        cashloan_runtime::money::format_decimal(apr(s, d(received)), 4)
    }

    #[test]
    fn cent_payments_carry_the_rate_within_a_basis_point() {
        let s = build(&terms(
            "1111.68",
            "0.2458",
            3,
            TermUnit::Month,
            1,
            RepayType::Annuity,
        ));
        assert!(s.periods.iter().all(|p| p.amount() == d("385.84")));
        assert_eq!(
            apr4(&s, "1111.68"),
            "0.2457",
            "what the rounded payments cost, not the nominal rate"
        );
    }

    #[test]
    fn annuity_10000_at_12_percent_over_12_months() {
        let s = build(&terms(
            "10000.00",
            "0.12",
            12,
            TermUnit::Month,
            1,
            RepayType::Annuity,
        ));
        assert_eq!(s.periods.len(), 12);
        assert_eq!(s.periods[0].amount(), d("888.49"));
        assert_eq!(
            (s.periods[0].interest, s.periods[0].principal),
            (d("100.00"), d("788.49"))
        );
        let last = s.periods.last().unwrap();
        assert_eq!((last.principal, last.interest), (d("879.67"), d("8.80")));
        assert_eq!(s.total_interest(), d("661.86"));
        assert_eq!(s.total_principal(), d("10000.00"));
        assert_eq!(apr4(&s, "10000.00"), "0.1200");
    }

    #[test]
    fn flat_equal_10000_at_12_percent_over_12_months() {
        let s = build(&terms(
            "10000.00",
            "0.12",
            12,
            TermUnit::Month,
            1,
            RepayType::FlatEqual,
        ));
        for p in &s.periods[..11] {
            assert_eq!((p.principal, p.interest), (d("833.33"), d("100.00")));
        }
        assert_eq!(s.periods[11].principal, d("833.37"));
        assert_eq!(s.periods[11].interest, d("100.00"));
        assert!(
            apr(&s, d("10000.00")) > d("0.12"),
            "等本等息 costs more than its rate"
        );
    }

    #[test]
    fn interest_only_10000_at_12_percent_for_3_months() {
        let s = build(&terms(
            "10000.00",
            "0.12",
            3,
            TermUnit::Month,
            1,
            RepayType::InterestOnly,
        ));
        let amounts: Vec<Decimal> = s.periods.iter().map(Period::amount).collect();
        assert_eq!(amounts, vec![d("100.00"), d("100.00"), d("10100.00")]);
        assert_eq!(apr4(&s, "10000.00"), "0.1200");
    }

    #[test]
    fn day_bullet_500_at_36_percent_for_14_days() {
        let s = build(&terms("500.00", "0.36", 14, TermUnit::Day, 1, RepayType::Bullet));
        assert_eq!(s.periods.len(), 1);
        assert_eq!(s.periods[0].interest, d("7.00"));
        assert_eq!(s.periods[0].amount(), d("507.00"));
        assert_eq!(
            s.periods[0].due_date,
            NaiveDate::from_ymd_opt(2026, 2, 14).unwrap()
        );
        assert_eq!(apr4(&s, "500.00"), "0.3600");
    }

    #[test]
    fn month_ends_are_clamped_and_kept() {
        let s = build(&terms(
            "3000.00",
            "0.12",
            3,
            TermUnit::Month,
            1,
            RepayType::Annuity,
        ));
        let dates: Vec<String> = s.periods.iter().map(|p| p.due_date.to_string()).collect();
        assert_eq!(dates, ["2026-02-28", "2026-03-31", "2026-04-30"]);
    }

    #[test]
    fn fees_are_per_period_and_raise_the_apr() {
        let mut t = terms("10000.00", "0.12", 12, TermUnit::Month, 1, RepayType::Annuity);
        t.fee_rate = d("0.001");
        let s = build(&t);
        assert!(s.periods.iter().all(|p| p.fee == d("10.00")));
        assert_eq!(s.total_fee(), d("120.00"));
        assert!(apr(&s, d("10000.00")) > d("0.12"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_terms() -> impl Strategy<Value = LoanTerms> {
            (
                1i64..=5_000_000i64,
                0u32..=360_000u32,
                0u32..=3_000u32,
                prop_oneof![Just(TermUnit::Day), Just(TermUnit::Month)],
                1u32..=6u32,
                1u32..=12u32,
                prop_oneof![
                    Just(RepayType::Bullet),
                    Just(RepayType::InterestOnly),
                    Just(RepayType::Annuity),
                    Just(RepayType::FlatEqual)
                ],
                0u32..=3650u32,
            )
                .prop_map(
                    |(fen, rate_ppm, fee_ppm, unit, every, periods, kind, start_offset)| {
                        let unit = if kind == RepayType::Annuity {
                            TermUnit::Month
                        } else {
                            unit
                        };
                        let every = if unit == TermUnit::Day { every * 7 } else { every };
                        LoanTerms {
                            principal: Decimal::new(fen, 2),
                            annual_rate: Decimal::new(rate_ppm.into(), 6),
                            fee_rate: Decimal::new(fee_ppm.into(), 6),
                            term_count: every * periods,
                            term_unit: unit,
                            repay_term_count: every,
                            repay_type: kind,
                            start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                                + Days::new(start_offset.into()),
                        }
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn schedules_are_consistent(t in any_terms()) {
                let s = build(&t);
                prop_assert_eq!(s.total_principal(), t.principal, "principal sums exactly");
                for p in &s.periods {
                    prop_assert!(p.principal >= Decimal::ZERO && p.interest >= Decimal::ZERO && p.fee >= Decimal::ZERO);
                    prop_assert_eq!(p.principal.scale().min(2), p.principal.scale());
                }
                let sum: Decimal = s.periods.iter().map(Period::amount).sum();
                prop_assert_eq!(s.total_amount(), sum);
                prop_assert_eq!(s.total_amount(), s.total_principal() + s.total_interest() + s.total_fee());
                for pair in s.periods.windows(2) {
                    prop_assert!(pair[0].due_date < pair[1].due_date, "due dates strictly increase");
                }
                prop_assert!(s.periods[0].due_date > t.start);
            }

            #[test]
            fn a_fee_free_annuity_costs_its_rate(fen in 100_000i64..=10_000_000, rate_bp in 100i64..=3600, n in 2u32..=36) {
                // Rates travel with four decimals (API.md §2).
                let t = LoanTerms {
                    principal: Decimal::new(fen, 2),
                    annual_rate: Decimal::new(rate_bp, 4),
                    fee_rate: Decimal::ZERO,
                    term_count: n,
                    term_unit: TermUnit::Month,
                    repay_term_count: 1,
                    repay_type: RepayType::Annuity,
                    start: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
                };
                let s = build(&t);
                // Payments are whole cents, so the rate they carry is the nominal one within a
                // basis point: 1111.68 at 24.58 % over 3 months pays 385.84 (385.8415 unrounded),
                // which is 24.5749 %.
                let got = apr(&s, t.principal);
                let off = (got - t.annual_rate).abs();
                prop_assert!(off <= Decimal::new(1, 4), "apr {} for {}", got, t.annual_rate);
            }
        }
    }
}
