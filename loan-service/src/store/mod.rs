//! loan-service's queries, in the folders of the domains they serve: origination (applications,
//! their numbering and history; credit lines), servicing (the repayment plan and the reminder
//! job's reads of it, repayments, collections), payments (orders, what their settlement changes,
//! resolutions), the ledger, contracts, and messages (the outbox and its relay's claims). Every
//! state change is a conditional update inside one transaction with what it causes (history rows,
//! the plan, the outbox event, the ledger entry), so racing callers cannot both succeed.
//!
//! Owns the database; reads the pure rule types of `loan`, `ledger::journal`, `payments::order`
//! and `contracts::documents`; never calls a domain's flows.

mod contracts;
mod ledger;
mod messages;
mod origination;
mod payments;
mod servicing;

use cashloan_runtime::db::DbPool;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub use contracts::{DocumentRow, DocumentToStore, RenderDocuments};
pub use messages::OutboxEvent;
pub use origination::applications::{
    ApplicationFilter, ApplicationRow, Approval, NewApplication, StatusChange,
};
pub use origination::decisions::{DecisionTask, TaskClose};
pub use payments::resolutions::{Resolve, Resolved};
pub use payments::{payout_resource, Effects, NewOrder, OrderFilter, OrderRow, Settle};
pub use servicing::collections::OverdueRow;
pub use servicing::plan::PeriodRow;
pub use servicing::repayments::RepaymentRow;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
}

impl Store {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
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

/// Each database the test suite runs on: a fresh SQLite file, and a fresh PostgreSQL database
/// when `TEST_POSTGRES` names a server (dropped afterwards).
#[cfg(test)]
fn with_each_database(name: &str, test: impl Fn(&DbPool)) {
    use cashloan_runtime::db;
    let dir = tempfile::tempdir().unwrap();
    test(&crate::connect_database(&format!("sqlite://{}", dir.path().join("loan.db").display())).unwrap());
    if let Some(server) = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty()) {
        let name = format!("{name}_{}", std::process::id());
        db::ensure_postgres_database(&server, &name).unwrap();
        let pool = crate::connect_database(&db::postgres_database_url(&server, &name)).unwrap();
        test(&pool);
        drop(pool);
        db::drop_postgres_database(&server, &name).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use cashloan_runtime::db;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        value: i64,
    }

    /// Replicas starting together on an empty PostgreSQL database: every one starts, and each
    /// migration runs once (they take turns under an advisory lock).
    #[test]
    fn replicas_starting_at_once_migrate_once() {
        let Some(server) = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty()) else {
            return;
        };
        let name = format!("migrate_at_once_{}", std::process::id());
        let _ = db::drop_postgres_database(&server, &name);
        db::ensure_postgres_database(&server, &name).unwrap();
        let url = db::postgres_database_url(&server, &name);
        let started: Vec<Result<db::DbPool, db::DbError>> = std::thread::scope(|scope| {
            let replicas: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| crate::connect_database(&url)))
                .collect();
            replicas.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
            .unwrap()
            .count() as i64;
        let mut pools = Vec::new();
        for replica in started {
            pools.push(replica.expect("every replica starts"));
        }
        let mut conn = pools[0].get().unwrap();
        let ran: Vec<Count> = diesel::sql_query("SELECT COUNT(*) AS value FROM __diesel_schema_migrations")
            .load(&mut **conn)
            .unwrap();
        assert_eq!(ran[0].value, migrations);
        drop(conn);
        drop(pools);
        db::drop_postgres_database(&server, &name).unwrap();
    }
}
