//! loan-service's queries, one module per aggregate: applications (and their numbering and
//! history), the repayment plan (and the reminder job's reads of it), repayments, payment orders
//! (and what their settlement changes), credit lines, the outbox (and its relay's claims), the
//! ledger. Every state change is a conditional update inside one transaction with what it causes
//! (history rows, the plan, the outbox event, the ledger entry), so racing callers cannot both
//! succeed.

mod applications;
mod credit;
mod ledger;
mod outbox;
mod payments;
mod plan;
mod repayments;

use cashloan_runtime::db::DbPool;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub use applications::{ApplicationRow, NewApplication, StatusChange};
pub use outbox::OutboxEvent;
pub use payments::{payout_resource, Effects, NewOrder, OrderFilter, OrderRow, Settle};
pub use plan::PeriodRow;
pub use repayments::RepaymentRow;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
}

impl Store {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(super) fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}
