//! The relay of the loan-event outbox (`store::outbox`): it delivers pending rows to
//! message-service with retries and backoff. message-service keeps each event id once, so a row
//! delivered twice (a crash between delivery and marking, or two replicas relaying) still makes
//! one message.

use std::sync::Arc;
use std::time::Duration;

use cashloan_proto::message::v1::message_client::MessageClient;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::grpc::GrpcChannel;
use cashloan_runtime::pii::Vault;
use cashloan_runtime::Shutdown;
use tracing::Instrument;

use crate::error::LoanError;
use crate::store::Store;

/// Seconds to wait before the next try: 1, 2, 4 … up to a minute.
pub fn backoff_secs(attempts: i32) -> i64 {
    (1i64 << attempts.clamp(0, 6)).min(60)
}

/// Whether a failed delivery means message-service cannot take anything now (so the rest of
/// the batch waits) rather than refusing this one event (so the rest goes on without it).
fn service_down(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        tonic::Code::Unavailable
            | tonic::Code::DeadlineExceeded
            | tonic::Code::Unknown
            | tonic::Code::Cancelled
    )
}

/// Delivers what is due, oldest first, each event's mobile opened (it is stored sealed); returns
/// how many were delivered.
pub async fn relay_once(
    store: &Store,
    messages: &MessageClient<GrpcChannel>,
    (clock, vault): (&Clock, &Vault),
) -> Result<usize, LoanError> {
    let claimed = store.claim_due_events(clock.now_ms()).await?;
    let mut delivered = 0;
    let mut events = claimed.into_iter();
    while let Some(event) = events.next() {
        // The parent is set before the ids are read: reading them fixes it.
        let span = tracing::info_span!(
            "outbox.deliver",
            otel.kind = "producer",
            event.kind = event.kind,
            trace_id = tracing::field::Empty,
            span_id = tracing::field::Empty
        );
        if let Some(parent) = &event.traceparent {
            cashloan_runtime::telemetry::adopt_traceparent(&span, parent);
        }
        cashloan_runtime::telemetry::record_ids(&span);
        let mut delivery = event.to_proto();
        delivery.mobile = vault.open_or_stored(&delivery.mobile);
        let outcome = messages
            .clone()
            .deliver_loan_event(delivery)
            .instrument(span)
            .await;
        let id = event.id.clone();
        let now = clock.now_ms();
        match outcome {
            Ok(_) => {
                store.mark_delivered(id, now).await?;
                delivered += 1;
            }
            Err(status) => {
                tracing::warn!(event = %event.id, error = %status.message(), "loan event not delivered; will retry");
                let next = now + backoff_secs(event.attempts) * 1000;
                // The rest of the batch: released for the next round if the service is down.
                let release: Vec<(String, i64)> = if service_down(&status) {
                    events.by_ref().map(|e| (e.id, e.next_attempt_at)).collect()
                } else {
                    Vec::new()
                };
                store.retry_later(id, next, release).await?;
            }
        }
    }
    Ok(delivered)
}

/// Runs the relay every `interval` until shutdown.
pub async fn run_relay(
    store: Store,
    messages: MessageClient<GrpcChannel>,
    (clock, vault): (Clock, Arc<Vault>),
    interval: Duration,
    shutdown: Shutdown,
) {
    shutdown
        .every(interval, || async {
            if let Err(e) = relay_once(&store, &messages, (&clock, &vault)).await {
                tracing::warn!(error = %e, "outbox relay round failed");
            }
        })
        .await;
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
