//! loan-service's queries, one module per aggregate: applications (and their numbering and
//! history), the repayment plan (made at disbursement, and the reminder job's reads of it),
//! repayments, credit lines, the outbox (and its relay's claims), the ledger. Every state
//! change is a conditional update inside one transaction with what it causes (history rows, the
//! plan, the outbox event), so racing callers cannot both succeed.

mod applications;
mod credit;
mod ledger;
mod outbox;
mod plan;
mod repayments;

use cashloan_runtime::db::DbPool;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::channel::ChannelError;

pub use applications::{ApplicationRow, NewApplication, StatusChange};
pub use outbox::OutboxEvent;
pub use plan::PeriodRow;
pub use repayments::{RepaymentRecord, RepaymentRow};

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
}

impl Store {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

/// The span of one call to the payment channel.
pub(super) fn payment_span(operation: &'static str) -> tracing::Span {
    cashloan_runtime::span!("payment", otel.name = operation, otel.kind = "client")
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

/// Why a money-moving transaction rolled back.
pub(super) enum TxError {
    Db(DieselError),
    AlreadyPaid,
    Channel(ChannelError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Db(e)
    }
}
