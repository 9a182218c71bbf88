//! Collections (API.md §7, the console): every loan with an unpaid period past its due date, with
//! how long and how much — the overdue periods' amounts, their penalty to today, and everything the
//! customer owes — most overdue first; and the notes operators keep while chasing them.

use std::collections::BTreeMap;

use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::money::format_amount;
use chrono::NaiveDate;

use crate::error::LoanError;
use crate::loan::charges;
use crate::loan::stored;
use crate::servicing::repayments::plan_period;
use crate::store::{OverdueRow, PeriodRow};
use crate::LoanCore;

/// A note is a few sentences of what was said and agreed, not a file.
const NOTE_MAX_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overdue {
    pub application_id: String,
    pub code: String,
    pub user_id: String,
    pub mobile: String,
    pub product_name: String,
    pub periods: u32,
    pub first_due: NaiveDate,
    pub days: i64,
    pub overdue_fen: i64,
    pub penalty_fen: i64,
    pub owed_fen: i64,
}

/// The overdue loans in `overdue` (their late periods) with what `unpaid` (every unpaid period
/// of those loans, with the penalty rate) adds to what is owed, most overdue first.
pub fn summarize(
    overdue: &[OverdueRow],
    unpaid: &[(PeriodRow, i64)],
    today: NaiveDate,
) -> Result<Vec<Overdue>, LoanError> {
    let mut loans: BTreeMap<&str, Overdue> = BTreeMap::new();
    for (period, rate, code, mobile, product) in overdue {
        let due = stored::due_date(&period.due_date)?;
        let penalty = charges::penalty_fen(&plan_period(period)?, *rate, today);
        let loan = loans
            .entry(period.application_id.as_str())
            .or_insert_with(|| Overdue {
                application_id: period.application_id.clone(),
                code: code.clone(),
                user_id: period.user_id.clone(),
                mobile: mobile.clone(),
                product_name: product.clone(),
                periods: 0,
                first_due: due,
                days: 0,
                overdue_fen: 0,
                penalty_fen: 0,
                owed_fen: 0,
            });
        loan.periods += 1;
        loan.first_due = loan.first_due.min(due);
        loan.days = charges::days_overdue(loan.first_due, today);
        loan.overdue_fen += period.principal_fen + period.interest_fen + period.fee_fen;
        loan.penalty_fen += penalty;
    }
    for (period, _) in unpaid {
        if let Some(loan) = loans.get_mut(period.application_id.as_str()) {
            loan.owed_fen += period.principal_fen + period.interest_fen + period.fee_fen;
        }
    }
    let mut list: Vec<Overdue> = loans
        .into_values()
        .map(|mut l| {
            l.owed_fen += l.penalty_fen;
            l
        })
        .collect();
    list.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.code.cmp(&b.code)));
    Ok(list)
}

fn note_proto(application_id: &str, (operator, note, at): &(String, String, i64)) -> pb::CollectionNote {
    pb::CollectionNote {
        application_id: application_id.to_owned(),
        operator: operator.clone(),
        note: note.clone(),
        at: *at,
    }
}

impl LoanCore {
    /// Every overdue loan is read to order them by days overdue; a book with more loans late than
    /// fit in memory would page in SQL by the oldest due date instead.
    pub async fn list_overdue(&self, r: &pb::ListOverdueRequest) -> Result<pb::OverduePage, LoanError> {
        let today = self.clock.today();
        let of_mobile = self.applications_of_mobile(&r.mobile).await?;
        let overdue = self.store.overdue_periods(today.to_string(), of_mobile).await?;
        let mut ids: Vec<String> = overdue.iter().map(|o| o.0.application_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let unpaid = self.store.unpaid_of(ids).await?;
        let loans: Vec<Overdue> = summarize(&overdue, &unpaid, today)?
            .into_iter()
            .filter(|l| l.days >= i64::from(r.min_days))
            .collect();
        let total = loans.len() as u64;
        let (offset, limit) = crate::paging::page(r.page.as_ref());
        let shown: Vec<Overdue> = loans
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        let mut notes = self
            .store
            .notes(shown.iter().map(|l| l.application_id.clone()).collect())
            .await?;
        let items = shown
            .into_iter()
            .map(|l| pb::OverdueLoan {
                last_note: notes
                    .remove(&l.application_id)
                    .and_then(|n| n.first().map(|first| note_proto(&l.application_id, first))),
                application_id: l.application_id,
                code: l.code,
                user_id: l.user_id,
                mobile: self.open_mobile(&l.mobile),
                product_name: l.product_name,
                overdue_periods: l.periods,
                first_due_date: l.first_due.to_string(),
                days_overdue: l.days,
                overdue_amount: format_amount(l.overdue_fen),
                penalty: format_amount(l.penalty_fen),
                total_owed: format_amount(l.owed_fen),
            })
            .collect();
        Ok(pb::OverduePage { items, total })
    }

    pub async fn add_collection_note(&self, n: &pb::CollectionNote) -> Result<(), LoanError> {
        let note = n.note.trim();
        if note.is_empty() || note.chars().count() > NOTE_MAX_CHARS {
            return Err(LoanError::InvalidField("note"));
        }
        if n.operator.is_empty() {
            return Err(LoanError::InvalidField("operator"));
        }
        self.store
            .application(&n.application_id)
            .await?
            .ok_or(LoanError::ApplicationNotFound)?;
        self.store
            .add_note(&n.application_id, &n.operator, note, self.clock.now_ms())
            .await
    }

    pub async fn collection_notes(&self, application_id: &str) -> Result<pb::CollectionNotes, LoanError> {
        let mut notes = self.store.notes(vec![application_id.to_owned()]).await?;
        let items = notes
            .remove(application_id)
            .unwrap_or_default()
            .iter()
            .map(|n| note_proto(application_id, n))
            .collect();
        Ok(pb::CollectionNotes { items })
    }
}

#[cfg(test)]
// Amounts in fen written as yuan_fen.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn period(application: &str, num: i32, due: &str, principal: i64, interest: i64) -> PeriodRow {
        PeriodRow {
            id: format!("{application}-{num}"),
            application_id: application.into(),
            user_id: "u".into(),
            period_num: num,
            due_date: due.into(),
            principal_fen: principal,
            interest_fen: interest,
            fee_fen: 0,
            status: 0,
            paid_at: None,
            paid_date: None,
            paid_principal_fen: None,
            paid_interest_fen: None,
            paid_fee_fen: None,
            paid_penalty_fen: None,
            repayment_id: None,
            reminder_sent: false,
            overdue_sent: false,
            waived_penalty_days: 0,
        }
    }

    fn late(p: PeriodRow, code: &str) -> OverdueRow {
        (p, 360_000, code.into(), "13800138000".into(), "新现金贷".into())
    }

    #[test]
    fn loans_are_summed_by_application_most_overdue_first() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 11).unwrap();
        let a1 = period("a", 1, "2026-12-01", 100_00, 10_00);
        let a2 = period("a", 2, "2026-12-08", 100_00, 10_00);
        let a3 = period("a", 3, "2026-12-31", 100_00, 10_00);
        let b1 = period("b", 1, "2026-11-21", 500_00, 7_00);
        let overdue = vec![
            late(a1.clone(), "CL2"),
            late(a2.clone(), "CL2"),
            late(b1.clone(), "CL1"),
        ];
        let unpaid = vec![(a1, 360_000), (a2, 360_000), (a3, 360_000), (b1, 360_000)];
        let list = summarize(&overdue, &unpaid, today).unwrap();
        assert_eq!(
            list.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
            ["CL1", "CL2"]
        );
        let (b, a) = (&list[0], &list[1]);
        assert_eq!((b.days, b.periods, b.overdue_fen), (20, 1, 507_00));
        // 507.00 × 0.36 / 360 × 20 = 10.14
        assert_eq!(b.penalty_fen, 10_14);
        assert_eq!(b.owed_fen, 507_00 + 10_14);
        assert_eq!(
            (a.days, a.periods, a.first_due.to_string().as_str()),
            (10, 2, "2026-12-01")
        );
        assert_eq!(a.overdue_fen, 220_00);
        // 110 × 0.001 × 10 + 110 × 0.001 × 3
        assert_eq!(a.penalty_fen, 1_10 + 33);
        assert_eq!(
            a.owed_fen,
            330_00 + a.penalty_fen,
            "the period not yet due is owed too"
        );
    }
}
