//! An operator's resolution of an order waiting for one (`crate::payments::resolution`), applied like a
//! settlement: one conditional update on the status the resolution was decided from, in the
//! transaction that also pays the periods or starts the plan, books the entry and notes the
//! resolution on the order's mismatches. A second resolution of the same order finds the status
//! moved and changes nothing.

use cashloan_runtime::clock::date_cst;
use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::error::LoanError;
use crate::ledger::{Entry, EntryKind};
use crate::loan::lifecycle::Move;
use crate::payments::order::OrderStatus;
use crate::schema::{ledger_entries, outbox, payment_mismatches, payment_order_periods, payment_orders};
use crate::store::contracts::issue;
use crate::store::ledger::post;
use crate::store::payments::{pay_periods, release, reserve, settle, start_plan, OrderRow, Settle};
use crate::store::{DocumentToStore, OutboxEvent, PeriodRow, Store};

/// What to apply.
pub enum Resolve {
    /// Settled as if the channel had said so (a `manual` order, or one with another amount).
    Settle(Settle),
    /// The overpayment pays the periods its order was for.
    Apply { pay_off: Move, event: OutboxEvent },
    /// The disputed payout stands: the plan starts from `release_date`.
    PayoutStands {
        step: Move,
        release_date: String,
        periods: Vec<PeriodRow>,
        plan_document: DocumentToStore,
        event: OutboxEvent,
    },
    /// The disputed payout came back to the channel account.
    PayoutRecovered,
}

/// How a resolution went.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    Done,
    /// The order was no longer waiting (resolved meanwhile).
    NotWaiting,
    /// A period the overpayment was for is paid or held by another order meanwhile.
    PeriodsTaken,
}

enum Failure {
    Db(DieselError),
    NotWaiting,
    PeriodsTaken,
}

impl From<DieselError> for Failure {
    fn from(e: DieselError) -> Self {
        Failure::Db(e)
    }
}

/// Reserves `resource` for `order_no` until the transaction releases it; `taken` (and the
/// transaction rolled back) when another order holds it.
fn hold(conn: &mut DbConn, resource: &str, order_no: &str, taken: Failure) -> Result<(), Failure> {
    if reserve(conn, resource, order_no)? {
        Ok(())
    } else {
        Err(taken)
    }
}

/// Moves the waiting order from `from` to `to`; NotWaiting when it is not in `from` any more.
fn close(
    conn: &mut DbConn,
    order: &OrderRow,
    from: OrderStatus,
    to: OrderStatus,
    at: i64,
) -> Result<(), Failure> {
    let moved = diesel::update(
        payment_orders::table
            .filter(payment_orders::order_no.eq(&order.order_no))
            .filter(payment_orders::status.eq(from.name())),
    )
    .set((
        payment_orders::status.eq(to.name()),
        payment_orders::settled_at.eq(Some(at)),
    ))
    .execute(conn)?;
    if moved == 1 {
        Ok(())
    } else {
        Err(Failure::NotWaiting)
    }
}

fn resolve(conn: &mut DbConn, order_no: &str, r: &Resolve, note: &str, at: i64) -> Result<(), Failure> {
    conn.transaction(|conn| {
        let order: OrderRow = payment_orders::table.find(order_no).first(conn)?;
        let date = date_cst(at);
        match r {
            Resolve::Settle(s) => {
                if !settle(conn, s)? {
                    return Err(Failure::NotWaiting);
                }
            }
            Resolve::Apply { pay_off, event } => {
                close(conn, &order, OrderStatus::Mismatch, OrderStatus::Succeeded, at)?;
                // A refund of it on its way holds this: the money is not also applied.
                hold(
                    conn,
                    &format!("refund:{}", order.order_no),
                    &order.order_no,
                    Failure::NotWaiting,
                )?;
                // The periods are held for the moment of paying them, so an order being made for
                // one right now either waits for this or finds it paid.
                let periods: Vec<String> = payment_order_periods::table
                    .filter(payment_order_periods::order_no.eq(&order.order_no))
                    .select(payment_order_periods::period_id)
                    .load(conn)?;
                for period in &periods {
                    hold(conn, period, &order.order_no, Failure::PeriodsTaken)?;
                }
                let unpaid: i64 = crate::schema::repayment_periods::table
                    .filter(crate::schema::repayment_periods::id.eq_any(&periods))
                    .filter(crate::schema::repayment_periods::status.eq(crate::loan::stored::UNPAID))
                    .count()
                    .get_result(conn)?;
                if unpaid != periods.len() as i64 {
                    return Err(Failure::PeriodsTaken);
                }
                let entry = Entry::overpayment_applied(&order.order_no, &order.charge());
                pay_periods(conn, &order, *pay_off, at, &entry)?;
                diesel::insert_into(outbox::table).values(event).execute(conn)?;
                release(conn, &order.order_no)?;
            }
            Resolve::PayoutStands {
                step,
                release_date,
                periods,
                plan_document,
                event,
            } => {
                close(conn, &order, OrderStatus::Mismatch, OrderStatus::Succeeded, at)?;
                let entry = Entry::disputed_payout_settled(&order.order_no, order.amount_fen);
                start_plan(
                    conn,
                    &order,
                    (*step, release_date.as_str(), periods.as_slice()),
                    at,
                    &entry,
                )?;
                issue(conn, (&order.application_id, &order.user_id, at), plan_document)?;
                diesel::insert_into(outbox::table).values(event).execute(conn)?;
                release(conn, &order.order_no)?;
            }
            Resolve::PayoutRecovered => {
                close(conn, &order, OrderStatus::Mismatch, OrderStatus::Failed, at)?;
                let entry = Entry::disputed_payout_recovered(&order.order_no, order.amount_fen);
                post(conn, &entry, "争议放款退回", at, &date)?;
                release(conn, &order.order_no)?;
            }
        }
        note_on(conn, order_no, note)?;
        Ok(())
    })
}

/// Writes the resolution on the order's mismatches still open.
fn note_on(conn: &mut DbConn, order_no: &str, note: &str) -> QueryResult<usize> {
    diesel::update(
        payment_mismatches::table
            .filter(payment_mismatches::order_no.eq(order_no))
            .filter(payment_mismatches::resolution.is_null()),
    )
    .set(payment_mismatches::resolution.eq(Some(note)))
    .execute(conn)
}

impl Store {
    /// Applies an operator's resolution of a waiting order and notes it on its mismatches.
    pub async fn resolve(
        &self,
        order_no: &str,
        r: Resolve,
        note: String,
        at: i64,
    ) -> Result<Resolved, LoanError> {
        let order_no = order_no.to_owned();
        let outcome = db::run(&self.pool, move |conn| {
            Ok(resolve(conn, &order_no, &r, &note, at))
        })
        .await?;
        match outcome {
            Ok(()) => Ok(Resolved::Done),
            Err(Failure::NotWaiting) => Ok(Resolved::NotWaiting),
            Err(Failure::PeriodsTaken) => Ok(Resolved::PeriodsTaken),
            Err(Failure::Db(e)) => Err(db::DbError::Query(e).into()),
        }
    }

    /// Notes a resolution carried out by another order (a refund) on the order's mismatches.
    pub async fn note_resolution(&self, order_no: &str, note: String) -> Result<(), LoanError> {
        let order_no = order_no.to_owned();
        db::run(&self.pool, move |conn| Ok(note_on(conn, &order_no, &note)?)).await?;
        Ok(())
    }

    /// The kinds of the ledger entries naming `reference`.
    pub async fn entry_kinds(&self, reference: &str) -> Result<Vec<EntryKind>, LoanError> {
        let reference = reference.to_owned();
        let names: Vec<String> = db::run(&self.pool, move |conn| {
            Ok(ledger_entries::table
                .filter(ledger_entries::reference.eq(reference))
                .select(ledger_entries::kind)
                .load(conn)?)
        })
        .await?;
        names
            .iter()
            .map(|n| EntryKind::parse(n).ok_or(LoanError::Corrupt("ledger entry kind")))
            .collect()
    }
}
