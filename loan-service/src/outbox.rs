//! The loan-event outbox and its relay (ARCHITECTURE.md "Data and storage"): events are rows
//! written with the change that causes them; the relay delivers pending rows to message-service
//! with retries and backoff. message-service keeps each event id once, so a row delivered twice
//! (a crash between delivery and marking, or two replicas relaying) still makes one message.

use std::time::Duration;

use cashloan_proto::message::v1::message_client::MessageClient;
use cashloan_proto::message::v1::LoanEvent;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbPool};
use cashloan_runtime::Shutdown;
use diesel::prelude::*;
use tonic::transport::Channel;

use crate::error::LoanError;
use crate::schema::outbox;

/// Message types of API.md §6.5 that loan events produce.
pub const SUBMITTED: i32 = 11;
pub const APPROVED: i32 = 12;
pub const REJECTED: i32 = 13;
pub const DISBURSED: i32 = 14;
pub const REPAID: i32 = 16;

#[derive(Clone, Debug, Insertable, Queryable)]
#[diesel(table_name = outbox)]
pub struct OutboxEvent {
    pub id: String,
    pub user_id: String,
    pub mobile: String,
    pub kind: i32,
    pub product_name: String,
    pub application_code: String,
    pub amount: String,
    pub event_date: String,
    pub occurred_at: i64,
    pub delivered_at: Option<i64>,
    pub attempts: i32,
    pub next_attempt_at: i64,
}

impl OutboxEvent {
    pub fn new(
        kind: i32,
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
            kind,
            product_name: product.to_owned(),
            application_code: code.to_owned(),
            amount,
            event_date: String::new(),
            occurred_at: at,
            delivered_at: None,
            attempts: 0,
            next_attempt_at: at,
        }
    }

    fn to_proto(&self) -> LoanEvent {
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

/// Seconds to wait before the next try: 1, 2, 4 … up to a minute.
pub fn backoff_secs(attempts: i32) -> i64 {
    (1i64 << attempts.clamp(0, 6)).min(60)
}

/// Delivers what is due, oldest first; returns how many were delivered.
pub async fn relay_once(
    pool: &DbPool,
    messages: &MessageClient<Channel>,
    clock: &Clock,
) -> Result<usize, LoanError> {
    let now = clock.now_ms();
    let pending: Vec<OutboxEvent> = db::run(pool, move |conn| {
        Ok(outbox::table
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .order((outbox::occurred_at.asc(), outbox::id.asc()))
            .limit(100)
            .load(conn)?)
    })
    .await?;
    let mut delivered = 0;
    for event in pending {
        let outcome = messages.clone().deliver_loan_event(event.to_proto()).await;
        let id = event.id.clone();
        let now = clock.now_ms();
        match outcome {
            Ok(_) => {
                db::run(pool, move |conn| {
                    diesel::update(outbox::table.find(id))
                        .set(outbox::delivered_at.eq(Some(now)))
                        .execute(conn)?;
                    Ok(())
                })
                .await?;
                delivered += 1;
            }
            Err(status) => {
                tracing::warn!(event = %event.id, error = %status.message(), "loan event not delivered; will retry");
                let next = now + backoff_secs(event.attempts) * 1000;
                db::run(pool, move |conn| {
                    diesel::update(outbox::table.find(id))
                        .set((
                            outbox::attempts.eq(outbox::attempts + 1),
                            outbox::next_attempt_at.eq(next),
                        ))
                        .execute(conn)?;
                    Ok(())
                })
                .await?;
                // message-service is likely down: try the rest on the next round.
                break;
            }
        }
    }
    Ok(delivered)
}

/// Runs the relay every `interval` until shutdown.
pub async fn run_relay(
    pool: DbPool,
    messages: MessageClient<Channel>,
    clock: Clock,
    interval: Duration,
    shutdown: Shutdown,
) {
    let stop = shutdown.wait();
    tokio::pin!(stop);
    loop {
        if let Err(e) = relay_once(&pool, &messages, &clock).await {
            tracing::warn!(error = %e, "outbox relay round failed");
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let waits: Vec<i64> = (0..9).map(backoff_secs).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
