//! Settling an order: one conditional update on the status it was decided from, with what the
//! settlement causes, posted once; mismatches raised for an operator.

use cashloan_runtime::clock::{date_cst, format_datetime_cst};
use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;

use super::*;
use crate::error::LoanError;
use crate::ledger::Entry;
use crate::payments::order::{OrderKind, OrderStatus, Settlement, OPEN};
use crate::schema::{
    applications, outbox, payment_mismatches, payment_order_periods, payment_orders, repayment_periods,
};
use crate::store::ledger::post;
use crate::store::{is_unique_violation, new_id, Store};

/// Whether an order was settled by this call.
pub(in crate::store) fn settle(conn: &mut DbConn, s: &Settle) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let order: OrderRow = payment_orders::table.find(&s.order_no).first(conn)?;
        let day = s
            .finished_at
            .as_deref()
            .and_then(|f| f.get(..10))
            .map_or_else(|| date_cst(s.at), str::to_owned);
        let to = match s.settlement {
            Settlement::Keep => return Ok(false),
            Settlement::Contradiction => {
                let ledger_says = format!("{} {}", order.status, fen_text(order.amount_fen));
                return raise(conn, &order.order_no, &day, &s.channel_says, &ledger_says, s.at);
            }
            Settlement::Return if repaid_any(conn, &order.application_id)? => {
                // The loan was (partly) repaid, or a repayment is in flight: crediting 1122 with the
                // whole payout would owe less than nothing. An operator decides (PAYMENTS.md "退票").
                let ledger_says = format!("{} {}，借款已有还款", order.status, fen_text(order.amount_fen));
                return raise(conn, &order.order_no, &day, &s.channel_says, &ledger_says, s.at);
            }
            Settlement::Move(to) => to,
            Settlement::Mismatch | Settlement::LateSuccess => OrderStatus::Mismatch,
            Settlement::Return => OrderStatus::Returned,
        };
        let settled = !to.is_open();
        let moved = diesel::update(
            payment_orders::table
                .filter(payment_orders::order_no.eq(&s.order_no))
                .filter(payment_orders::status.eq(s.from.name())),
        )
        .set((
            payment_orders::status.eq(to.name()),
            payment_orders::channel_order_no
                .eq(s.channel_order_no.clone().or(order.channel_order_no.clone())),
            payment_orders::reason.eq(s.message.clone().or(order.reason.clone())),
            // Without the channel's time (a reply carries none), the settlement's own.
            payment_orders::finished_at.eq(s.finished_at.clone().or(order.finished_at.clone()).or(matches!(
                to,
                OrderStatus::Succeeded | OrderStatus::Failed
            )
            .then(|| format_datetime_cst(s.at)))),
            payment_orders::submitted_at.eq(order
                .submitted_at
                .or((to == OrderStatus::Submitted).then_some(s.at))),
            payment_orders::settled_at.eq(if settled { Some(s.at) } else { order.settled_at }),
        ))
        .execute(conn)?;
        if moved != 1 {
            return Ok(false);
        }
        if let Some(next) = s.next_check_at.filter(|_| to.is_open()) {
            diesel::update(payment_orders::table.find(&s.order_no))
                .set(payment_orders::next_check_at.eq(next))
                .execute(conn)?;
        }
        let kind = order.kind().map_err(|_| corrupt("order kind"))?;
        let ledger_says = format!("{} {}", s.from, fen_text(order.amount_fen));
        match (&s.settlement, &s.effects) {
            (Settlement::Move(OrderStatus::Succeeded), Effects::Repaid { pay_off, event }) => {
                pay_periods(
                    conn,
                    &order,
                    *pay_off,
                    s.at,
                    &Entry::repayment(&order.order_no, &order.charge()),
                )?;
                diesel::insert_into(outbox::table).values(event).execute(conn)?;
                release(conn, &order.order_no)?;
            }
            (
                Settlement::Move(OrderStatus::Succeeded),
                Effects::PaidOut {
                    step,
                    release_date,
                    periods,
                    event,
                    plan_document,
                },
            ) => {
                let entry = Entry::payout(&order.order_no, order.amount_fen);
                start_plan(
                    conn,
                    &order,
                    (*step, release_date.as_str(), periods.as_slice()),
                    s.at,
                    &entry,
                )?;
                crate::store::contracts::issue(
                    conn,
                    (&order.application_id, &order.user_id, s.at),
                    plan_document,
                )?;
                diesel::insert_into(outbox::table).values(event).execute(conn)?;
                release(conn, &order.order_no)?;
            }
            (Settlement::Move(OrderStatus::Succeeded), Effects::Refunded) => {
                refunded(conn, &order, s.at)?;
                release(conn, &order.order_no)?;
            }
            (Settlement::Move(OrderStatus::Succeeded), _) => {
                return Err(corrupt("success without its effects"))
            }
            (Settlement::Move(OrderStatus::Failed), effects) => {
                if s.waive_held_days {
                    waive_held_days(conn, &order, s.at)?;
                }
                release(conn, &order.order_no)?;
                let waiting: bool = payment_orders::table
                    .find(&order.order_no)
                    .select(payment_orders::customer_waiting)
                    .first(conn)?;
                if let (true, Effects::FailureNotice(event)) = (waiting, effects) {
                    diesel::insert_into(outbox::table).values(event).execute(conn)?;
                }
            }
            (Settlement::Mismatch, _) => {
                raise(conn, &order.order_no, &day, &s.channel_says, &ledger_says, s.at)?;
            }
            (Settlement::LateSuccess, _) => {
                match kind {
                    OrderKind::Payout => {
                        // No further payout until an operator resolves it.
                        reserve_quietly(conn, &payout_resource(&order.application_id), &order.order_no)?;
                        let entry = Entry::disputed_payout(&order.order_no, order.amount_fen);
                        post_once(conn, &entry, "渠道迟到的成功", s.at)?;
                    }
                    OrderKind::Repay => {
                        let entry = Entry::overpayment(&order.order_no, order.amount_fen);
                        post_once(conn, &entry, "渠道迟到的成功", s.at)?;
                    }
                    // The money went back after all: its overpayment is returned.
                    OrderKind::Refund => refunded(conn, &order, s.at)?,
                }
                raise(conn, &order.order_no, &day, &s.channel_says, &ledger_says, s.at)?;
            }
            (Settlement::Return, _) => {
                diesel::update(applications::table.find(&order.application_id))
                    .set(applications::frozen.eq(true))
                    .execute(conn)?;
                post(
                    conn,
                    &Entry::payout_return(&order.order_no, order.amount_fen),
                    "退票",
                    s.at,
                    &date_cst(s.at),
                )?;
                raise(conn, &order.order_no, &day, &s.channel_says, &ledger_says, s.at)?;
            }
            _ => {}
        }
        Ok(true)
    })
}

/// Whether the application has a repayment that paid it or still may: any repay order not failed
/// (a paid one, one in flight, one an operator may yet settle).
fn repaid_any(conn: &mut DbConn, application_id: &str) -> QueryResult<bool> {
    let repayments: i64 = payment_orders::table
        .filter(payment_orders::application_id.eq(application_id))
        .filter(payment_orders::kind.eq(OrderKind::Repay.name()))
        .filter(payment_orders::status.ne(OrderStatus::Failed.name()))
        .count()
        .get_result(conn)?;
    Ok(repayments > 0)
}

/// Posts `entry` unless one of its kind already names the order: a late success raised again (a
/// statement read twice, an order an operator already resolved) is booked once.
fn post_once(conn: &mut DbConn, entry: &Entry, memo: &str, at: i64) -> QueryResult<()> {
    let booked: i64 = crate::schema::ledger_entries::table
        .filter(crate::schema::ledger_entries::kind.eq(entry.kind.name()))
        .filter(crate::schema::ledger_entries::reference.eq(&entry.reference))
        .count()
        .get_result(conn)?;
    if booked == 0 {
        post(conn, entry, memo, at, &date_cst(at))?;
    }
    Ok(())
}

/// A refund order moved money back: Dr 2241 / Cr 1012, and the repay order whose overpayment it
/// returned is closed as succeeded (the channel did take that money).
fn refunded(conn: &mut DbConn, refund: &OrderRow, at: i64) -> QueryResult<()> {
    let of = refund
        .refund_of
        .as_deref()
        .ok_or_else(|| corrupt("refund without its order"))?;
    post(
        conn,
        &Entry::refund(&refund.order_no, refund.amount_fen),
        "退还多收款项",
        at,
        &date_cst(at),
    )?;
    diesel::update(
        payment_orders::table
            .filter(payment_orders::order_no.eq(of))
            .filter(payment_orders::status.eq(OrderStatus::Mismatch.name())),
    )
    .set((
        payment_orders::status.eq(OrderStatus::Succeeded.name()),
        payment_orders::settled_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Waives the overdue days the order's periods spent held by it.
fn waive_held_days(conn: &mut DbConn, order: &OrderRow, at: i64) -> QueryResult<()> {
    let day = |ms: i64| chrono::NaiveDate::parse_from_str(&date_cst(ms), "%Y-%m-%d").ok();
    let (Some(held_from), Some(freed)) = (day(order.created_at), day(at)) else {
        return Ok(());
    };
    let periods: Vec<(String, String)> = payment_order_periods::table
        .inner_join(repayment_periods::table.on(repayment_periods::id.eq(payment_order_periods::period_id)))
        .filter(payment_order_periods::order_no.eq(&order.order_no))
        .select((repayment_periods::id, repayment_periods::due_date))
        .load(conn)?;
    for (id, due) in periods {
        let Ok(due) = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d") else {
            continue;
        };
        let days = crate::loan::charges::held_overdue_days(due, held_from, freed) as i32;
        if days > 0 {
            diesel::update(repayment_periods::table.find(&id))
                .set(repayment_periods::waived_penalty_days.eq(repayment_periods::waived_penalty_days + days))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Records a difference for operators, once per (order, what the channel said): the same
/// difference raised twice at once meets the unique index inside a savepoint, and the second is
/// simply not new.
pub(in crate::store) fn raise(
    conn: &mut DbConn,
    order_no: &str,
    day: &str,
    channel_says: &str,
    ledger_says: &str,
    at: i64,
) -> QueryResult<bool> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(payment_mismatches::table)
            .values((
                payment_mismatches::id.eq(new_id()),
                payment_mismatches::order_no.eq(order_no),
                payment_mismatches::day.eq(day),
                payment_mismatches::channel_says.eq(channel_says),
                payment_mismatches::ledger_says.eq(ledger_says),
                payment_mismatches::created_at.eq(at),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => {
            tracing::warn!(
                order = order_no,
                channel_says,
                ledger_says,
                "payment mismatch raised"
            );
            Ok(true)
        }
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

impl Store {
    /// Applies a settlement; false when the order was no longer in `from` (another path settled
    /// it first) or nothing was to change.
    pub async fn settle_order(&self, s: Settle) -> Result<bool, LoanError> {
        Ok(db::run(&self.pool, move |conn| Ok(settle(conn, &s)?)).await?)
    }

    /// Records a difference for operators (once per order and what the channel said).
    pub async fn raise_mismatch(
        &self,
        order_no: &str,
        day: &str,
        channel_says: &str,
        ledger_says: &str,
        at: i64,
    ) -> Result<bool, LoanError> {
        let (order_no, day, channel_says, ledger_says) = (
            order_no.to_owned(),
            day.to_owned(),
            channel_says.to_owned(),
            ledger_says.to_owned(),
        );
        Ok(db::run(&self.pool, move |conn| {
            Ok(raise(conn, &order_no, &day, &channel_says, &ledger_says, at)?)
        })
        .await?)
    }

    /// Records that the customer was told the order is processing; false when it had already
    /// settled (the caller reads the outcome instead).
    pub async fn mark_customer_waiting(&self, order_no: &str) -> Result<bool, LoanError> {
        let order_no = order_no.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            let open: Vec<&str> = OPEN.iter().map(|s| s.name()).collect();
            let marked = diesel::update(
                payment_orders::table
                    .filter(payment_orders::order_no.eq(order_no))
                    .filter(payment_orders::status.eq_any(open)),
            )
            .set(payment_orders::customer_waiting.eq(true))
            .execute(conn)?;
            Ok(marked == 1)
        })
        .await?)
    }
}
