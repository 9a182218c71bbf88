//! The ledger's tables: entries posted inside the transaction that settles what they record, and
//! the sums of the trial balance.

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::{new_id, Store};
use crate::error::LoanError;
use crate::ledger::{Account, BookFacts, Entry, Line, TrialBalance};
use crate::schema::{ledger_entries, ledger_lines};

/// Writes `entry` on `conn`, inside the caller's transaction. A second entry of the same kind and
/// reference meets the unique index and fails the transaction: a movement is booked once.
pub(super) fn post(
    conn: &mut DbConn,
    entry: &Entry,
    memo: &str,
    at: i64,
    date: &str,
) -> Result<(), DieselError> {
    let id = new_id();
    diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::id.eq(&id),
            ledger_entries::kind.eq(entry.kind.name()),
            ledger_entries::reference.eq(&entry.reference),
            ledger_entries::memo.eq(memo),
            ledger_entries::posted_at.eq(at),
            ledger_entries::posted_date.eq(date),
        ))
        .execute(conn)?;
    // One by one: multi-row inserts are not in the common subset of the two backends.
    for line in entry.lines() {
        diesel::insert_into(ledger_lines::table)
            .values((
                ledger_lines::id.eq(new_id()),
                ledger_lines::entry_id.eq(&id),
                ledger_lines::account.eq(line.account.code()),
                ledger_lines::debit_fen.eq(line.debit_fen),
                ledger_lines::credit_fen.eq(line.credit_fen),
            ))
            .execute(conn)?;
    }
    Ok(())
}

impl Store {
    /// Posts an entry of its own (funding of the channel account).
    pub async fn post_entry(
        &self,
        entry: Entry,
        memo: String,
        at: i64,
        date: String,
    ) -> Result<(), LoanError> {
        db::run(&self.pool, move |conn| {
            conn.transaction(|conn| post(conn, &entry, &memo, at, &date))?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Every account's totals over the entries posted on or before `as_of` (yyyy-MM-dd, UTC+8),
    /// or over all of them.
    pub async fn trial_balance(&self, as_of: Option<String>) -> Result<TrialBalance, LoanError> {
        let rows: Vec<(i32, i64, i64)> = db::run(&self.pool, move |conn| {
            let mut q = ledger_lines::table
                .inner_join(ledger_entries::table)
                .select((
                    ledger_lines::account,
                    ledger_lines::debit_fen,
                    ledger_lines::credit_fen,
                ))
                .into_boxed();
            if let Some(date) = as_of {
                q = q.filter(ledger_entries::posted_date.le(date));
            }
            Ok(q.load(conn)?)
        })
        .await?;
        let lines = rows
            .into_iter()
            .map(|(code, debit_fen, credit_fen)| {
                Ok(Line {
                    account: Account::from_code(code).ok_or(LoanError::Corrupt("ledger account"))?,
                    debit_fen,
                    credit_fen,
                })
            })
            .collect::<Result<Vec<_>, LoanError>>()?;
        Ok(TrialBalance::of(&lines))
    }

    /// What the ledger's invariants are checked against (`ledger::invariants`).
    pub async fn book_facts(&self) -> Result<BookFacts, LoanError> {
        let trial_balance = self.trial_balance(None).await?;
        let (outstanding, orders_without_entry, entries_without_order) = db::run(&self.pool, |conn| {
            let outstanding: Vec<Num> = diesel::sql_query(
                "SELECT CAST(COALESCE(SUM(p.principal_fen), 0) AS BIGINT) AS value FROM repayment_periods p \
                 JOIN applications a ON a.id = p.application_id WHERE p.status = 0 AND NOT a.frozen",
            )
            .load(conn)?;
            let unbooked: Vec<Name> = diesel::sql_query(
                // A repay order's money may have come in late (an overpayment, then applied or
                // refunded), a payout's may have gone out late (a disputed payout that stood).
                "SELECT o.order_no AS value FROM payment_orders o WHERE o.status IN ('succeeded', 'returned') \
                 AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.reference = o.order_no AND e.kind IN \
                 ('payout', 'repayment', 'refund', 'overpayment', 'disputed_payout')) ORDER BY o.order_no",
            )
            .load(conn)?;
            let orphans: Vec<Name> = diesel::sql_query(
                "SELECT e.kind || ':' || e.reference AS value FROM ledger_entries e WHERE e.kind <> 'funding' \
                 AND NOT EXISTS (SELECT 1 FROM payment_orders o WHERE o.order_no = e.reference) ORDER BY e.reference",
            )
            .load(conn)?;
            Ok((
                outstanding.first().map_or(0, |n| n.value),
                unbooked.into_iter().map(|n| n.value).collect(),
                orphans.into_iter().map(|n| n.value).collect(),
            ))
        })
        .await?;
        Ok(BookFacts {
            trial_balance,
            outstanding_principal_fen: outstanding,
            orders_without_entry,
            entries_without_order,
        })
    }
}

#[derive(QueryableByName)]
struct Num {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    value: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}
