//! Submitting an order to the channel and waiting, a bounded time, for its outcome.

use std::time::Duration;

use tracing::Instrument;

use crate::error::LoanError;
use crate::payments::channel;
use crate::payments::order::OrderKind;
use crate::payments::Payments;
use crate::store::OrderRow;

impl Payments {
    /// Submits a committed order and waits up to `REPAY_WAIT_MS` for its outcome (the reply, or a
    /// notification that beats it); returns the order as it then stands. The submit runs on its
    /// own task: a slow channel or a caller that gives up does not stop the reply being recorded.
    pub async fn submit_and_wait(&self, order_no: &str) -> Result<OrderRow, LoanError> {
        let order = self
            .store
            .order(order_no)
            .await?
            .ok_or(LoanError::Corrupt("order vanished"))?;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(self.args.repay_wait_ms);
        let this = self.clone();
        let submitting = tokio::spawn(
            async move {
                if let Err(e) = this.submit(&order).await {
                    // The order is committed: whatever the channel did, recovery finds out.
                    tracing::warn!(order = %order.order_no, error = %e, "reply not recorded; recovery settles the order");
                }
            }
            .in_current_span(),
        );
        // The reply usually decides it; later outcomes are read from the order.
        let _ = tokio::time::timeout_at(deadline, submitting).await;
        loop {
            let order = self
                .store
                .order(order_no)
                .await?
                .ok_or(LoanError::Corrupt("order vanished"))?;
            if !order.status()?.is_open() {
                return Ok(order);
            }
            if tokio::time::Instant::now() >= deadline {
                // Told "processing": a later failure gets a notice. If it settled meanwhile, the
                // outcome is read instead.
                if self.store.mark_customer_waiting(order_no).await? {
                    return Ok(order);
                }
                continue;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends an order to the channel (again, under its own number, when recovering) and settles
    /// by the reply.
    pub(super) async fn submit(&self, order: &OrderRow) -> Result<(), LoanError> {
        let instruction = self.instruction(order)?;
        let operation = match instruction.kind {
            OrderKind::Payout => "payment.payout",
            OrderKind::Repay => "payment.deduct",
            OrderKind::Refund => "payment.refund",
        };
        let reply = self
            .channel
            .submit(&instruction)
            .instrument(channel::span(operation, &order.order_no))
            .await;
        self.settle(&reply).await?;
        Ok(())
    }
}
