//! The recovery job: orders without an outcome are submitted, queried, resubmitted or handed to
//! an operator; and the simulator's notifications settled as they come.

use std::time::Duration;

use cashloan_runtime::Shutdown;
use tokio::sync::mpsc::UnboundedReceiver;
use tracing::Instrument;

use crate::error::LoanError;
use crate::payments::channel::{self, Report};
use crate::payments::order::{OrderStatus, Outcome, Settlement};
use crate::payments::Payments;
use crate::store::{Effects, OrderRow, Settle};

/// The longest wait between two checks of one order.
const MAX_RECHECK_MS: i64 = 30 * 60 * 1000;
/// Without a final outcome after this, an order goes to an operator.
const MANUAL_AFTER_MS: i64 = 24 * 60 * 60 * 1000;
/// An order the channel never received is submitted again while younger than this.
const RESUBMIT_WITHIN_MS: i64 = 60 * 60 * 1000;
/// The failure code of an order the channel never received (its held days are waived).
pub(super) const NEVER_RECEIVED: &str = "NOT_FOUND";
/// Orders handled per recovery round; the next round goes on.
const BATCH: i64 = 50;

/// The wait before the check after `attempts` checks: the first wait, doubling, capped.
pub fn recheck_delay(first_ms: u64, attempts: i32) -> i64 {
    let first = first_ms.min(MAX_RECHECK_MS as u64) as i64;
    first
        .saturating_mul(1_i64 << attempts.clamp(0, 20))
        .min(MAX_RECHECK_MS)
}

impl Payments {
    /// One round of the recovery job: orders without an outcome are submitted (never sent) or
    /// queried; an order the channel never received is sent again within the hour and failed
    /// after; after 24 hours an order goes to an operator. Returns how many it handled.
    pub async fn recover_once(&self) -> Result<usize, LoanError> {
        let now = self.clock.now_ms();
        let first = self.args.recheck_ms;
        let due = self
            .store
            .claim_due_orders(now, BATCH, move |attempts| recheck_delay(first, attempts))
            .await?;
        for order in &due {
            if let Err(e) = self.recover(order, now).await {
                tracing::warn!(order = %order.order_no, error = %e, "payment recovery failed; retried later");
            }
        }
        Ok(due.len())
    }

    pub(super) async fn recover(&self, order: &OrderRow, now: i64) -> Result<(), LoanError> {
        let status = order.status()?;
        if now - order.created_at >= MANUAL_AFTER_MS {
            tracing::error!(order = %order.order_no, "no outcome after 24 hours: an operator must resolve it");
            self.store
                .settle_order(Settle {
                    order_no: order.order_no.clone(),
                    from: status,
                    settlement: Settlement::Move(OrderStatus::Manual),
                    channel_order_no: None,
                    message: None,
                    finished_at: None,
                    channel_says: String::new(),
                    at: now,
                    effects: Effects::None,
                    waive_held_days: false,
                    next_check_at: None,
                })
                .await?;
            return Ok(());
        }
        if status == OrderStatus::Created {
            return self.submit(order).await;
        }
        let report = self
            .channel
            .query(&order.order_no)
            .instrument(channel::span("payment.query", &order.order_no))
            .await;
        match report.outcome {
            Outcome::NotFound if now - order.created_at < RESUBMIT_WITHIN_MS => self.submit(order).await,
            Outcome::NotFound => {
                let never_received = Report {
                    outcome: Outcome::Fail {
                        code: NEVER_RECEIVED.into(),
                        final_decline: true,
                    },
                    message: Some("渠道无此订单".into()),
                    ..report
                };
                self.settle(&never_received).await.map(|_| ())
            }
            _ => self.settle(&report).await.map(|_| ()),
        }
    }

    /// The recovery job (and the daily reconciliation when it is due), every `job_interval_ms`
    /// until shutdown.
    pub async fn run_recovery(self, shutdown: Shutdown) {
        let interval = Duration::from_millis(self.args.job_interval_ms);
        shutdown
            .every(interval, || async {
                let span = cashloan_runtime::span!("payment recovery", otel.name = "job.payment_recovery");
                if let Err(e) = self.recover_once().instrument(span).await {
                    tracing::warn!(error = %e, "payment recovery round failed");
                }
                if let Err(e) = self.reconcile_due().await {
                    tracing::warn!(error = %e, "reconciliation failed; tried again next round");
                }
            })
            .await;
    }

    /// Settles the in-process simulator's notifications until shutdown.
    pub async fn run_notifications(self, mut notifications: UnboundedReceiver<Report>, shutdown: Shutdown) {
        let stop = shutdown.wait();
        tokio::pin!(stop);
        loop {
            let report = tokio::select! {
                _ = &mut stop => return,
                next = notifications.recv() => match next {
                    Some(report) => report,
                    None => return,
                },
            };
            let this = self.clone();
            // Each on its own task: a slow settlement does not hold the others.
            tokio::spawn(async move {
                let span = cashloan_runtime::span!("payment notification", otel.name = "payment.notification", order = %report.order_no);
                if let Err(e) = this.settle(&report).instrument(span).await {
                    // The simulator does not resend; the recovery job's query settles it.
                    tracing::warn!(order = %report.order_no, error = %e, "notification not settled");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rechecks_back_off_from_the_first_wait_to_half_an_hour() {
        assert_eq!(recheck_delay(30_000, 0), 30_000);
        assert_eq!(recheck_delay(30_000, 1), 60_000);
        assert_eq!(recheck_delay(30_000, 5), 960_000);
        assert_eq!(recheck_delay(30_000, 6), MAX_RECHECK_MS);
        assert_eq!(recheck_delay(30_000, 1000), MAX_RECHECK_MS);
        assert_eq!(recheck_delay(u64::MAX, 3), MAX_RECHECK_MS, "no overflow");
    }
}
