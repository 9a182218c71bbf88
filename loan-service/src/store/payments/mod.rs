//! Payment orders (PAYMENTS.md): written, with their reservations, before the channel hears of
//! them; settled by one conditional update on the status the settlement was decided from, in the
//! transaction that also pays the periods or starts the plan, posts the ledger entry and writes
//! the customer's message. The channel is never called from here.

pub(in crate::store) mod resolutions;

use std::collections::HashSet;

use cashloan_runtime::clock::{date_cst, format_datetime_cst};
use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::store::origination::applications::{history, next_number};
use crate::store::ledger::post;
use crate::store::{is_unique_violation, new_id, OutboxEvent, PeriodRow, Store};
use crate::loan::charges::Charge;
use crate::error::LoanError;
use crate::ledger::Entry;
use crate::loan::lifecycle::Move;
use crate::payments::order::{OrderKind, OrderStatus, Settlement, OPEN};
use crate::schema::{
    application_history, applications, outbox, payment_mismatches, payment_order_periods, payment_orders,
    payment_reservations, reconciliations, repayment_periods, repayments,
};

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = payment_orders)]
pub struct OrderRow {
    pub order_no: String,
    pub kind: String,
    pub application_id: String,
    pub user_id: String,
    pub status: String,
    pub amount_fen: i64,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub fee_fen: i64,
    pub penalty_fen: i64,
    pub periods: String,
    pub repay_kind: String,
    /// The encrypted card snapshot.
    pub card: String,
    pub release_date: Option<String>,
    pub channel_order_no: Option<String>,
    pub reason: Option<String>,
    pub customer_waiting: bool,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub settled_at: Option<i64>,
    pub finished_at: Option<String>,
    pub attempts: i32,
    pub next_check_at: i64,
    /// A refund order's repay order, whose overpayment it sends back.
    pub refund_of: Option<String>,
}

impl OrderRow {
    pub fn status(&self) -> Result<OrderStatus, LoanError> {
        OrderStatus::parse(&self.status).ok_or(LoanError::Corrupt("order status"))
    }

    pub fn kind(&self) -> Result<OrderKind, LoanError> {
        OrderKind::parse(&self.kind).ok_or(LoanError::Corrupt("order kind"))
    }

    pub(in crate::store) fn charge(&self) -> Charge {
        Charge {
            principal_fen: self.principal_fen,
            interest_fen: self.interest_fen,
            fee_fen: self.fee_fen,
            penalty_fen: self.penalty_fen,
        }
    }
}

/// An order to write: `row` without its number, which is taken from the day's counter.
pub struct NewOrder {
    pub row: OrderRow,
    pub kind: OrderKind,
    /// The day (UTC+8) in the number.
    pub day: chrono::NaiveDate,
    /// (period id, what the order charges it) of a repay order.
    pub lines: Vec<(String, Charge)>,
    /// What the order holds while open: period ids, or `payout_resource` of the application.
    pub reserve: Vec<String>,
    /// (application id, status) the application must still be in: a payout is only for an
    /// approved one. Checked by an update that locks the row, so a payout settling meanwhile is
    /// seen.
    pub application_in: Option<(String, i32)>,
    /// (order number, status) another order must still be in: a refund is only for an
    /// overpayment still waiting. Checked the same way.
    pub order_in: Option<(String, OrderStatus)>,
}

/// The reservation of an application by its payout order.
pub fn payout_resource(application_id: &str) -> String {
    format!("payout:{application_id}")
}

/// What a settlement does besides moving the order, prepared by the caller.
pub enum Effects {
    None,
    /// A repay order succeeded: its periods are paid as it charged them, the customer told, and
    /// the loan closed by `pay_off` when nothing is left unpaid.
    Repaid {
        pay_off: Move,
        event: OutboxEvent,
    },
    /// A payout succeeded: the application moves by `step` and its plan starts.
    PaidOut {
        step: Move,
        release_date: String,
        periods: Vec<PeriodRow>,
        event: OutboxEvent,
        /// 还款计划表, issued with the plan.
        plan_document: crate::store::DocumentToStore,
    },
    /// A repay order that may fail: the notice sent if it does after the customer was told it was
    /// processing.
    FailureNotice(OutboxEvent),
    /// A refund order succeeded: the overpayment it returns is booked out and its repay order
    /// closed.
    Refunded,
}

/// One settlement to apply.
pub struct Settle {
    pub order_no: String,
    pub from: OrderStatus,
    pub settlement: Settlement,
    pub channel_order_no: Option<String>,
    pub message: Option<String>,
    pub finished_at: Option<String>,
    /// What the channel said, for a mismatch record: e.g. `SUCCESS 507.01`.
    pub channel_says: String,
    pub at: i64,
    pub effects: Effects,
    /// A failure because the channel never had the order: the overdue days its periods were
    /// held are waived.
    pub waive_held_days: bool,
    /// When to check the order next, if this settlement leaves it open.
    pub next_check_at: Option<i64>,
}

enum CreateError {
    Db(DieselError),
    /// Another order holds one of the resources.
    Reserved,
    AlreadyPaid,
    /// The application is no longer where the order needs it.
    Moved,
    /// Two first orders of a day met at the counter: take the next number.
    Retry,
}

impl From<DieselError> for CreateError {
    fn from(e: DieselError) -> Self {
        CreateError::Db(e)
    }
}

fn create(conn: &mut DbConn, order: &NewOrder) -> Result<String, CreateError> {
    conn.transaction(|conn| {
        if let Some((id, status)) = &order.application_in {
            let still = diesel::update(
                applications::table
                    .filter(applications::id.eq(id))
                    .filter(applications::status.eq(status)),
            )
            .set(applications::updated_at.eq(applications::updated_at))
            .execute(conn)?;
            if still != 1 {
                return Err(CreateError::Moved);
            }
        }
        if let Some((order_no, status)) = &order.order_in {
            let still = diesel::update(
                payment_orders::table
                    .filter(payment_orders::order_no.eq(order_no))
                    .filter(payment_orders::status.eq(status.name())),
            )
            .set(payment_orders::status.eq(payment_orders::status))
            .execute(conn)?;
            if still != 1 {
                return Err(CreateError::Moved);
            }
        }
        let prefix = format!("{}{}", order.kind.prefix(), order.day.format("%Y%m%d"));
        let seq = next_number(conn, &prefix, |_| Ok(0)).map_err(|e| {
            if is_unique_violation(&e) {
                CreateError::Retry
            } else {
                CreateError::Db(e)
            }
        })?;
        let order_no = crate::payments::order::order_no(order.kind, order.day, seq);
        let row = OrderRow {
            order_no: order_no.clone(),
            ..order.row.clone()
        };
        diesel::insert_into(payment_orders::table)
            .values(&row)
            .execute(conn)?;
        for (period_id, charge) in &order.lines {
            // An update, not a read: it locks the period, so an order settling it right now is
            // waited for and seen as paid (a read could see it unpaid and its reservation gone).
            let unpaid = diesel::update(
                repayment_periods::table
                    .filter(repayment_periods::id.eq(period_id))
                    .filter(repayment_periods::status.eq(crate::loan::stored::UNPAID)),
            )
            .set(repayment_periods::status.eq(repayment_periods::status))
            .execute(conn)?;
            if unpaid != 1 {
                return Err(CreateError::AlreadyPaid);
            }
            diesel::insert_into(payment_order_periods::table)
                .values((
                    payment_order_periods::order_no.eq(&order_no),
                    payment_order_periods::period_id.eq(period_id),
                    payment_order_periods::principal_fen.eq(charge.principal_fen),
                    payment_order_periods::interest_fen.eq(charge.interest_fen),
                    payment_order_periods::fee_fen.eq(charge.fee_fen),
                    payment_order_periods::penalty_fen.eq(charge.penalty_fen),
                ))
                .execute(conn)?;
        }
        for resource in &order.reserve {
            if !reserve(conn, resource, &order_no)? {
                return Err(CreateError::Reserved);
            }
        }
        Ok(order_no)
    })
}

/// Reserves `resource` for `order_no`; false when another order holds it. After false the
/// transaction is spoiled on PostgreSQL: the caller rolls it back.
pub(in crate::store) fn reserve(conn: &mut DbConn, resource: &str, order_no: &str) -> QueryResult<bool> {
    let inserted = diesel::insert_into(payment_reservations::table)
        .values((
            payment_reservations::resource.eq(resource),
            payment_reservations::order_no.eq(order_no),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

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
                crate::store::contracts::issue(conn, (&order.application_id, &order.user_id, s.at), plan_document)?;
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

pub(in crate::store) fn corrupt(what: &'static str) -> DieselError {
    tracing::error!(what, "payment settlement refused");
    DieselError::RollbackTransaction
}

fn fen_text(fen: i64) -> String {
    cashloan_runtime::money::format_amount(fen)
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

/// Frees what the order held.
pub(in crate::store) fn release(conn: &mut DbConn, order_no: &str) -> QueryResult<()> {
    diesel::delete(payment_reservations::table.filter(payment_reservations::order_no.eq(order_no)))
        .execute(conn)?;
    Ok(())
}

fn reserve_quietly(conn: &mut DbConn, resource: &str, order_no: &str) -> QueryResult<()> {
    let held: i64 = payment_reservations::table
        .filter(payment_reservations::resource.eq(resource))
        .count()
        .get_result(conn)?;
    if held == 0 {
        diesel::insert_into(payment_reservations::table)
            .values((
                payment_reservations::resource.eq(resource),
                payment_reservations::order_no.eq(order_no),
            ))
            .execute(conn)?;
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

/// Pays a succeeded repay order's periods as it charged them, books `entry`, and closes the loan
/// when nothing is left unpaid.
pub(in crate::store) fn pay_periods(
    conn: &mut DbConn,
    order: &OrderRow,
    pay_off: Move,
    at: i64,
    entry: &Entry,
) -> QueryResult<()> {
    let lines: Vec<(String, i64, i64, i64, i64)> = payment_order_periods::table
        .filter(payment_order_periods::order_no.eq(&order.order_no))
        .select((
            payment_order_periods::period_id,
            payment_order_periods::principal_fen,
            payment_order_periods::interest_fen,
            payment_order_periods::fee_fen,
            payment_order_periods::penalty_fen,
        ))
        .load(conn)?;
    // "Paid early" is judged by the day the order was created, as its charge was.
    let paid_date = date_cst(order.created_at);
    for (period_id, principal, interest, fee, penalty) in lines {
        let paid = diesel::update(
            repayment_periods::table
                .filter(repayment_periods::id.eq(&period_id))
                .filter(repayment_periods::status.eq(crate::loan::stored::UNPAID)),
        )
        .set((
            repayment_periods::status.eq(crate::loan::stored::PAID),
            repayment_periods::paid_at.eq(Some(at)),
            repayment_periods::paid_date.eq(Some(paid_date.clone())),
            repayment_periods::paid_principal_fen.eq(Some(principal)),
            repayment_periods::paid_interest_fen.eq(Some(interest)),
            repayment_periods::paid_fee_fen.eq(Some(fee)),
            repayment_periods::paid_penalty_fen.eq(Some(penalty)),
            repayment_periods::repayment_id.eq(Some(order.order_no.clone())),
        ))
        .execute(conn)?;
        if paid != 1 {
            // The reservation makes this impossible; if it happens, nothing is applied and the
            // order stays open for recovery and an operator.
            return Err(corrupt("reserved period already paid"));
        }
    }
    let charge = order.charge();
    diesel::insert_into(repayments::table)
        .values((
            repayments::id.eq(&order.order_no),
            repayments::application_id.eq(&order.application_id),
            repayments::user_id.eq(&order.user_id),
            repayments::kind.eq(&order.repay_kind),
            repayments::principal_fen.eq(charge.principal_fen),
            repayments::interest_fen.eq(charge.interest_fen),
            repayments::fee_fen.eq(charge.fee_fen),
            repayments::penalty_fen.eq(charge.penalty_fen),
            repayments::total_fen.eq(charge.total()),
            repayments::channel_reference.eq(order.channel_order_no.clone().unwrap_or_default()),
            repayments::created_at.eq(at),
        ))
        .execute(conn)?;
    post(conn, entry, "还款", at, &date_cst(at))?;
    let unpaid: i64 = repayment_periods::table
        .filter(repayment_periods::application_id.eq(&order.application_id))
        .filter(repayment_periods::status.eq(crate::loan::stored::UNPAID))
        .count()
        .get_result(conn)?;
    if unpaid == 0 {
        let closed = diesel::update(
            applications::table
                .filter(applications::id.eq(&order.application_id))
                .filter(applications::status.eq(pay_off.from().code())),
        )
        .set((
            applications::status.eq(pay_off.to().code()),
            applications::open_slot.eq(None::<String>),
            applications::updated_at.eq(at),
        ))
        .execute(conn)?;
        if closed == 1 {
            let entry = history(
                &order.application_id,
                Some(pay_off.from().code()),
                pay_off.to().code(),
                &order.user_id,
                "paid off",
                at,
            );
            diesel::insert_into(application_history::table)
                .values(entry)
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A succeeded payout: the application moves by the step, its plan (from the release date) is
/// written and `entry` booked.
pub(in crate::store) fn start_plan(
    conn: &mut DbConn,
    order: &OrderRow,
    (step, release_date, periods): (Move, &str, &[PeriodRow]),
    at: i64,
    entry: &Entry,
) -> QueryResult<()> {
    let moved = diesel::update(
        applications::table
            .filter(applications::id.eq(&order.application_id))
            .filter(applications::status.eq(step.from().code())),
    )
    .set((
        applications::status.eq(step.to().code()),
        applications::release_date.eq(Some(release_date)),
        applications::released_at.eq(Some(at)),
        applications::updated_at.eq(at),
    ))
    .execute(conn)?;
    if moved != 1 {
        return Err(corrupt("paid-out application not approved"));
    }
    // One by one: multi-row inserts are not in the common subset of the two backends.
    for period in periods {
        diesel::insert_into(repayment_periods::table)
            .values(period)
            .execute(conn)?;
    }
    let moved = history(
        &order.application_id,
        Some(step.from().code()),
        step.to().code(),
        "admin",
        "disbursed",
        at,
    );
    diesel::insert_into(application_history::table)
        .values(moved)
        .execute(conn)?;
    post(conn, entry, "放款", at, &date_cst(at))?;
    Ok(())
}

/// Claims up to `limit` orders due for recovery: their next check moves to `next(attempts)` from
/// now, so no other replica takes them meanwhile. On PostgreSQL the rows are locked `FOR UPDATE
/// SKIP LOCKED`, so replicas claiming at once take different orders; SQLite has one writer.
fn claim(conn: &mut DbConn, now: i64, limit: i64, next: &dyn Fn(i32) -> i64) -> QueryResult<Vec<OrderRow>> {
    conn.transaction(|conn| {
        let open: Vec<&str> = OPEN.iter().map(|s| s.name()).collect();
        let due = payment_orders::table
            .filter(payment_orders::status.eq_any(open))
            .filter(payment_orders::next_check_at.le(now))
            .order(payment_orders::next_check_at.asc())
            .limit(limit);
        let orders: Vec<OrderRow> = match conn {
            DbConn::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(lite) => due.load(lite)?,
        };
        for order in &orders {
            diesel::update(payment_orders::table.find(&order.order_no))
                .set((
                    payment_orders::attempts.eq(order.attempts + 1),
                    payment_orders::next_check_at.eq(now + next(order.attempts)),
                ))
                .execute(conn)?;
        }
        Ok(orders)
    })
}

/// A difference between the channel and our books.
#[derive(Clone, Debug, Queryable)]
pub struct MismatchRow {
    pub id: String,
    pub order_no: String,
    pub day: String,
    pub channel_says: String,
    pub ledger_says: String,
    pub resolution: Option<String>,
    pub created_at: i64,
}

/// Which orders an operator lists (each field, when set, must match).
pub struct OrderFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub mobile: Option<String>,
    pub application_id: Option<String>,
}

impl Store {
    /// Writes an order and its reservations; a held period is `in_progress` (20006006 /
    /// 20008003), a period paid meanwhile `AlreadyPaid`.
    pub async fn create_order(&self, order: NewOrder, in_progress: LoanError) -> Result<String, LoanError> {
        let order = std::sync::Arc::new(order);
        for _ in 0..8 {
            let attempt = order.clone();
            let result = db::run(&self.pool, move |conn| Ok(create(conn, &attempt))).await?;
            match result {
                Ok(order_no) => return Ok(order_no),
                Err(CreateError::Retry) => continue,
                Err(CreateError::Reserved) => return Err(in_progress),
                Err(CreateError::AlreadyPaid) => return Err(LoanError::AlreadyPaid),
                Err(CreateError::Moved) => return Err(LoanError::IllegalTransition),
                Err(CreateError::Db(e)) => return Err(db::DbError::Query(e).into()),
            }
        }
        Err(LoanError::Downstream("order numbers contended".into()))
    }

    pub async fn order(&self, order_no: &str) -> Result<Option<OrderRow>, LoanError> {
        let order_no = order_no.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(payment_orders::table.find(order_no).first(conn).optional()?)
        })
        .await?)
    }

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

    /// The orders this replica now owns for recovery (see `claim`).
    pub async fn claim_due_orders(
        &self,
        now: i64,
        limit: i64,
        next: impl Fn(i32) -> i64 + Send + 'static,
    ) -> Result<Vec<OrderRow>, LoanError> {
        Ok(db::run(&self.pool, move |conn| Ok(claim(conn, now, limit, &next)?)).await?)
    }

    /// Which of these resources an order holds.
    pub async fn reserved(&self, resources: Vec<String>) -> Result<HashSet<String>, LoanError> {
        if resources.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(db::run(&self.pool, move |conn| {
            let held: Vec<String> = payment_reservations::table
                .filter(payment_reservations::resource.eq_any(resources))
                .select(payment_reservations::resource)
                .load(conn)?;
            Ok(held.into_iter().collect())
        })
        .await?)
    }

    /// A page of the orders the filter selects, newest first.
    pub async fn orders(
        &self,
        filter: OrderFilter,
        page: (i64, i64),
    ) -> Result<(Vec<OrderRow>, i64), LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let mut q = payment_orders::table
                    .inner_join(applications::table.on(applications::id.eq(payment_orders::application_id)))
                    .into_boxed();
                if let Some(kind) = &filter.kind {
                    q = q.filter(payment_orders::kind.eq(kind.clone()));
                }
                if let Some(status) = &filter.status {
                    q = q.filter(payment_orders::status.eq(status.clone()));
                }
                if let Some(mobile) = &filter.mobile {
                    q = q.filter(applications::mobile.eq(mobile.clone()));
                }
                if let Some(id) = &filter.application_id {
                    q = q.filter(payment_orders::application_id.eq(id.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((payment_orders::created_at.desc(), payment_orders::order_no.desc()))
                .offset(page.0)
                .limit(page.1)
                .select(payment_orders::all_columns)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }

    /// Orders the channel finished as succeeded (or later returned) on `day` (yyyy-MM-dd, UTC+8).
    pub async fn orders_finished_on(&self, day: &str) -> Result<Vec<OrderRow>, LoanError> {
        let prefix = format!("{day}%");
        Ok(db::run(&self.pool, move |conn| {
            Ok(payment_orders::table
                .filter(payment_orders::status.eq_any(["succeeded", "returned"]))
                .filter(payment_orders::finished_at.like(prefix))
                .load(conn)?)
        })
        .await?)
    }

    pub async fn reconciled(&self, day: &str) -> Result<bool, LoanError> {
        let day = day.to_owned();
        let count: i64 = db::run(&self.pool, move |conn| {
            Ok(reconciliations::table.find(day).count().get_result(conn)?)
        })
        .await?;
        Ok(count > 0)
    }

    pub async fn record_reconciliation(
        &self,
        day: &str,
        matched: i32,
        mismatched: i32,
        at: i64,
    ) -> Result<(), LoanError> {
        let day = day.to_owned();
        db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                diesel::delete(reconciliations::table.find(&day)).execute(conn)?;
                diesel::insert_into(reconciliations::table)
                    .values((
                        reconciliations::day.eq(&day),
                        reconciliations::matched.eq(matched),
                        reconciliations::mismatched.eq(mismatched),
                        reconciliations::ran_at.eq(at),
                    ))
                    .execute(conn)
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// A page of mismatches (of one day, or all), newest first.
    pub async fn mismatches(
        &self,
        day: Option<String>,
        page: (i64, i64),
    ) -> Result<(Vec<MismatchRow>, i64), LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let mut q = payment_mismatches::table.into_boxed();
                if let Some(day) = &day {
                    q = q.filter(payment_mismatches::day.eq(day.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((
                    payment_mismatches::created_at.desc(),
                    payment_mismatches::id.asc(),
                ))
                .offset(page.0)
                .limit(page.1)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::with_each_database;
    use super::*;

    fn order(n: usize, status: OrderStatus) -> OrderRow {
        OrderRow {
            order_no: format!("RO20261201{n:06}"),
            kind: "repay".into(),
            application_id: "a".into(),
            user_id: "u".into(),
            status: status.name().into(),
            amount_fen: 100,
            principal_fen: 100,
            interest_fen: 0,
            fee_fen: 0,
            penalty_fen: 0,
            periods: "1".into(),
            repay_kind: "current".into(),
            card: String::new(),
            release_date: None,
            channel_order_no: None,
            reason: None,
            customer_waiting: false,
            created_at: 0,
            submitted_at: None,
            settled_at: None,
            finished_at: None,
            attempts: 0,
            next_check_at: n as i64,
            refund_of: None,
        }
    }

    #[test]
    fn concurrent_recovery_jobs_claim_each_open_order_once() {
        with_each_database("payment_claim", |pool| {
            let mut conn = pool.get().unwrap();
            let open = OPEN;
            for n in 0..240 {
                let status = if n % 4 == 3 {
                    OrderStatus::Succeeded
                } else {
                    open[n % 3]
                };
                diesel::insert_into(payment_orders::table)
                    .values(order(n, status))
                    .execute(&mut **conn)
                    .unwrap();
            }
            drop(conn);
            let now = 1_000;
            let later = |attempts: i32| 60_000 + i64::from(attempts);
            let claimed: Vec<String> = std::thread::scope(|scope| {
                let jobs: Vec<_> = (0..4)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let batch = claim(&mut pool.get().unwrap(), now, 25, &later).unwrap();
                                if batch.is_empty() {
                                    return mine;
                                }
                                mine.extend(batch.into_iter().map(|o| o.order_no));
                            }
                        })
                    })
                    .collect();
                jobs.into_iter().flat_map(|j| j.join().unwrap()).collect()
            });
            let distinct: HashSet<&String> = claimed.iter().collect();
            assert_eq!(claimed.len(), 180, "every open order, no settled one");
            assert_eq!(distinct.len(), 180, "none twice");
            // Claimed orders wait for their next check.
            assert!(claim(&mut pool.get().unwrap(), now + 59_000, 25, &later)
                .unwrap()
                .is_empty());
            let again = claim(&mut pool.get().unwrap(), now + 60_000, 500, &later).unwrap();
            assert_eq!(again.len(), 180);
            assert!(again.iter().all(|o| o.attempts == 1), "the attempt was counted");
        });
    }
}
