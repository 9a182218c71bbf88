//! The loan-event outbox table (ARCHITECTURE.md "Data and storage"): events are rows written in
//! the transaction of the change that causes them; relays claim due rows under a lease and mark
//! what they delivered (`crate::messages::outbox` is the relay).

use cashloan_proto::message::v1::{LoanEvent, LoanEventKind};
use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;

use super::Store;
use crate::error::LoanError;
use crate::schema::outbox;

#[derive(Clone, Debug, Insertable, Queryable)]
#[diesel(table_name = outbox)]
pub struct OutboxEvent {
    pub id: String,
    pub user_id: String,
    pub mobile: String,
    /// A `LoanEventKind`; its numbers are the message types of API.md §6.5.
    pub kind: i32,
    pub product_name: String,
    pub application_code: String,
    pub amount: String,
    pub event_date: String,
    pub occurred_at: i64,
    pub delivered_at: Option<i64>,
    pub attempts: i32,
    pub next_attempt_at: i64,
    /// The trace of the request that wrote the event; its delivery continues it.
    pub traceparent: Option<String>,
}

impl OutboxEvent {
    pub fn new(
        kind: LoanEventKind,
        user_id: &str,
        mobile: &str,
        product: &str,
        code: &str,
        amount: String,
        at: i64,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user_id.to_owned(),
            mobile: mobile.to_owned(),
            kind: kind.into(),
            product_name: product.to_owned(),
            application_code: code.to_owned(),
            amount,
            event_date: String::new(),
            occurred_at: at,
            delivered_at: None,
            attempts: 0,
            next_attempt_at: at,
            traceparent: cashloan_runtime::telemetry::current_traceparent(),
        }
    }

    /// An event about an application, naming its product and number.
    pub fn about(kind: LoanEventKind, app: &super::ApplicationRow, amount_fen: i64, at: i64) -> Self {
        Self::new(
            kind,
            &app.user_id,
            &app.mobile,
            &app.product_name,
            &app.code,
            cashloan_runtime::money::format_amount(amount_fen),
            at,
        )
    }

    pub fn to_proto(&self) -> LoanEvent {
        LoanEvent {
            event_id: self.id.clone(),
            user_id: self.user_id.clone(),
            mobile: self.mobile.clone(),
            kind: self.kind,
            product_name: self.product_name.clone(),
            application_code: self.application_code.clone(),
            amount: self.amount.clone(),
            date: self.event_date.clone(),
            occurred_at: self.occurred_at,
        }
    }
}

/// How long a relay owns the events it claimed; if it dies, others take them after this.
const LEASE_MS: i64 = 30_000;

/// Claims up to 100 due events, oldest first, for this relay: their next attempt moves past the
/// lease so no other relay picks them. On PostgreSQL the rows are locked `FOR UPDATE SKIP
/// LOCKED`, so replicas claiming at once take different rows instead of waiting; SQLite has one
/// writer, and one relay.
fn claim(conn: &mut DbConn, now: i64) -> QueryResult<Vec<OutboxEvent>> {
    conn.transaction(|conn| {
        let due = outbox::table
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .order((outbox::occurred_at.asc(), outbox::id.asc()))
            .limit(100);
        let events: Vec<OutboxEvent> = match conn {
            DbConn::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(lite) => due.load(lite)?,
        };
        for event in &events {
            diesel::update(outbox::table.find(&event.id))
                .set(outbox::next_attempt_at.eq(now + LEASE_MS))
                .execute(conn)?;
        }
        Ok(events)
    })
}

impl Store {
    /// The due events this relay now owns (see `claim`).
    pub async fn claim_due_events(&self, now: i64) -> Result<Vec<OutboxEvent>, LoanError> {
        Ok(db::run(&self.pool, move |conn| Ok(claim(conn, now)?)).await?)
    }

    pub async fn mark_delivered(&self, id: String, now: i64) -> Result<(), LoanError> {
        db::run(&self.pool, move |conn| {
            diesel::update(outbox::table.find(id))
                .set(outbox::delivered_at.eq(Some(now)))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// A failed delivery: tried again at `next`; `release` gives the rest of a claimed batch
    /// back at their own due times.
    pub async fn retry_later(
        &self,
        id: String,
        next: i64,
        release: Vec<(String, i64)>,
    ) -> Result<(), LoanError> {
        db::run(&self.pool, move |conn| {
            diesel::update(outbox::table.find(id))
                .set((
                    outbox::attempts.eq(outbox::attempts + 1),
                    outbox::next_attempt_at.eq(next),
                ))
                .execute(conn)?;
            for (id, due) in release {
                diesel::update(outbox::table.find(id))
                    .set(outbox::next_attempt_at.eq(due))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::with_each_database;
    use super::*;

    #[test]
    fn concurrent_relays_claim_each_event_once() {
        with_each_database("outbox_claim", |pool| {
            let mut conn = pool.get().unwrap();
            for i in 0..300 {
                let event = OutboxEvent::new(
                    LoanEventKind::Submitted,
                    "u",
                    "13800138000",
                    "p",
                    &format!("CL{i}"),
                    "1.00".into(),
                    i,
                );
                diesel::insert_into(outbox::table)
                    .values(event)
                    .execute(&mut **conn)
                    .unwrap();
            }
            drop(conn);
            let now = 1_000_000;
            let claimed: Vec<String> = std::thread::scope(|scope| {
                let relays: Vec<_> = (0..4)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let batch = claim(&mut pool.get().unwrap(), now).unwrap();
                                if batch.is_empty() {
                                    return mine;
                                }
                                mine.extend(batch.into_iter().map(|e| e.id));
                            }
                        })
                    })
                    .collect();
                relays.into_iter().flat_map(|r| r.join().unwrap()).collect()
            });
            let distinct: std::collections::HashSet<&String> = claimed.iter().collect();
            assert_eq!(claimed.len(), 300, "every event claimed, none twice");
            assert_eq!(distinct.len(), 300);
            // Leased: nothing is due again until the lease ends.
            assert!(claim(&mut pool.get().unwrap(), now + LEASE_MS - 1)
                .unwrap()
                .is_empty());
            assert_eq!(
                claim(&mut pool.get().unwrap(), now + LEASE_MS).unwrap().len(),
                100
            );
        });
    }
}
