//! What a borrower owes, computed at read time (API.md §6.4): penalties on overdue periods and the
//! amounts of a `current` or `all` repayment. Pure functions over fen and dates.

use cashloan_runtime::money::{amount, cents, rate, to_fen};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One period of a plan as the charges see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanPeriod {
    pub period_num: i32,
    pub due_date: NaiveDate,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub fee_fen: i64,
    pub paid: bool,
    /// Overdue days that are not charged.
    pub waived_days: i64,
}

/// Calendar days after the due date (UTC+8); the first overdue day starts at 00:00 after it.
pub fn days_overdue(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// (principal + interest) × penaltyRate / 360 × days overdue (less the waived ones), half-up to
/// the cent.
pub fn penalty_fen(p: &PlanPeriod, penalty_rate_ppm: i64, today: NaiveDate) -> i64 {
    let days = (days_overdue(p.due_date, today) - p.waived_days).max(0);
    if days == 0 || p.paid {
        return 0;
    }
    let base = amount(p.principal_fen + p.interest_fen);
    let value = base * rate(penalty_rate_ppm) / Decimal::from(360) * Decimal::from(days);
    to_fen(cents(value)).unwrap_or(i64::MAX)
}

/// The overdue days a period spent held by an order from `held_from` to `freed` (both UTC+8
/// dates): each overdue day that began while it was held.
pub fn held_overdue_days(due: NaiveDate, held_from: NaiveDate, freed: NaiveDate) -> i64 {
    (freed - held_from.max(due)).num_days().max(0)
}

/// The charge of one period: what it costs and what it contains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Charge {
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub fee_fen: i64,
    pub penalty_fen: i64,
}

impl Charge {
    pub fn total(&self) -> i64 {
        self.principal_fen + self.interest_fen + self.fee_fen + self.penalty_fen
    }

    fn add(&mut self, other: &Charge) {
        self.principal_fen += other.principal_fen;
        self.interest_fen += other.interest_fen;
        self.fee_fen += other.fee_fen;
        self.penalty_fen += other.penalty_fen;
    }
}

/// `current`: the whole period with its penalty.
pub fn current(p: &PlanPeriod, penalty_rate_ppm: i64, today: NaiveDate) -> Charge {
    Charge {
        principal_fen: p.principal_fen,
        interest_fen: p.interest_fen,
        fee_fen: p.fee_fen,
        penalty_fen: penalty_fen(p, penalty_rate_ppm, today),
    }
}

/// `all`: every unpaid period's principal; interest and fee of periods already due or in
/// progress (the current one in full); penalties; the interest of later periods is waived.
/// Returns each unpaid period with its charge.
pub fn pay_off(periods: &[PlanPeriod], penalty_rate_ppm: i64, today: NaiveDate) -> Vec<(i32, Charge)> {
    // The period the calendar is in: the first whose due date is today or later.
    let in_progress = periods.iter().find(|p| today <= p.due_date).map(|p| p.period_num);
    periods
        .iter()
        .filter(|p| !p.paid)
        .map(|p| {
            let started = p.due_date < today || Some(p.period_num) == in_progress;
            let charge = if started {
                current(p, penalty_rate_ppm, today)
            } else {
                Charge {
                    principal_fen: p.principal_fen,
                    ..Charge::default()
                }
            };
            (p.period_num, charge)
        })
        .collect()
}

pub fn sum(charges: &[(i32, Charge)]) -> Charge {
    let mut total = Charge::default();
    for (_, c) in charges {
        total.add(c);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn period(num: i32, due: &str, principal: i64, interest: i64) -> PlanPeriod {
        PlanPeriod {
            period_num: num,
            due_date: date(due),
            principal_fen: principal,
            interest_fen: interest,
            fee_fen: 0,
            paid: false,
            waived_days: 0,
        }
    }

    #[test]
    fn waived_days_are_not_charged() {
        let p = period(1, "2026-03-10", 50_000, 700);
        // Held from before the due date until two days after it: both overdue days waived.
        assert_eq!(
            held_overdue_days(p.due_date, date("2026-03-08"), date("2026-03-12")),
            2
        );
        assert_eq!(
            held_overdue_days(p.due_date, date("2026-03-11"), date("2026-03-12")),
            1
        );
        assert_eq!(
            held_overdue_days(p.due_date, date("2026-03-01"), date("2026-03-09")),
            0,
            "not overdue yet"
        );
        let waived = PlanPeriod {
            waived_days: 2,
            ..p.clone()
        };
        // Six days overdue, two of them waived: 507.00 × 0.36 / 360 × 4 = 2.028.
        assert_eq!(penalty_fen(&waived, 360_000, date("2026-03-16")), 203);
        assert_eq!(
            penalty_fen(&waived, 360_000, date("2026-03-11")),
            0,
            "never below zero"
        );
    }

    #[test]
    fn penalties_count_calendar_days_after_the_due_date() {
        let p = period(1, "2026-03-10", 50_000, 700);
        assert_eq!(
            penalty_fen(&p, 360_000, date("2026-03-10")),
            0,
            "due today is not overdue"
        );
        // 507.00 × 0.36 / 360 × 1 = 0.507 → 0.51
        assert_eq!(penalty_fen(&p, 360_000, date("2026-03-11")), 51);
        // × 10 days = 5.07
        assert_eq!(penalty_fen(&p, 360_000, date("2026-03-20")), 507);
        let paid = PlanPeriod { paid: true, ..p };
        assert_eq!(penalty_fen(&paid, 360_000, date("2026-03-20")), 0);
    }

    #[test]
    fn paying_off_waives_the_interest_of_periods_not_yet_begun() {
        let plan = vec![
            period(1, "2026-02-15", 300_000, 10_000),
            period(2, "2026-03-15", 300_000, 7_000),
            period(3, "2026-04-15", 400_000, 4_000),
        ];
        // In period 2: period 1 overdue (with penalty), period 2 in full, period 3 principal only.
        let charges = pay_off(&plan, 360_000, date("2026-02-20"));
        let total = sum(&charges);
        assert_eq!(total.principal_fen, 1_000_000);
        assert_eq!(total.interest_fen, 17_000);
        assert!(total.penalty_fen > 0);
        assert_eq!(
            charges[2].1,
            Charge {
                principal_fen: 400_000,
                ..Charge::default()
            }
        );
        // On the release day: only period 1's interest.
        let early = sum(&pay_off(&plan, 360_000, date("2026-01-15")));
        assert_eq!((early.interest_fen, early.penalty_fen), (10_000, 0));
        // On period 1's due date period 2 has not begun.
        let on_due = sum(&pay_off(&plan, 360_000, date("2026-02-15")));
        assert_eq!(on_due.interest_fen, 10_000);
    }

    #[test]
    fn paid_periods_are_not_charged_again() {
        let mut plan = vec![
            period(1, "2026-02-15", 300_000, 10_000),
            period(2, "2026-03-15", 300_000, 7_000),
        ];
        plan[0].paid = true;
        let charges = pay_off(&plan, 360_000, date("2026-02-10"));
        assert_eq!(charges.len(), 1);
        assert_eq!(
            charges[0].1,
            Charge {
                principal_fen: 300_000,
                ..Charge::default()
            },
            "period 2 not begun"
        );
    }
}
