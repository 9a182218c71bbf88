//! Payment orders (PAYMENTS.md): written, with their reservations, before the channel hears of
//! them; settled by one conditional update on the status the settlement was decided from, in the
//! transaction that also pays the periods or starts the plan, posts the ledger entry and writes
//! the customer's message. The channel is never called from here.

mod effects;
mod query;
mod recover;
mod reserve;
pub(in crate::store) mod resolutions;
mod settle;

pub(in crate::store) use effects::{pay_periods, start_plan};
use reserve::reserve_quietly;
pub(in crate::store) use reserve::{release, reserve};
pub(in crate::store) use settle::settle;

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::error::LoanError;
use crate::loan::charges::Charge;
use crate::loan::lifecycle::Move;
use crate::payments::order::{OrderKind, OrderStatus, Settlement};
use crate::schema::payment_orders;
use crate::store::{OutboxEvent, PeriodRow};

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

pub(in crate::store) fn corrupt(what: &'static str) -> DieselError {
    tracing::error!(what, "payment settlement refused");
    DieselError::RollbackTransaction
}

fn fen_text(fen: i64) -> String {
    cashloan_runtime::money::format_amount(fen)
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
    /// The applications of the mobile asked for (`Store::applications_of_mobile`).
    pub of_mobile: Option<Vec<String>>,
    pub application_id: Option<String>,
}
