//! Settling an order by any answer of the channel: one conditional update, and what the
//! settlement does to the loan (periods paid, the plan started, the books, the customer told).

use cashloan_proto::message::v1::LoanEventKind;
use cashloan_runtime::money::format_amount;

use crate::error::LoanError;
use crate::loan::lifecycle::{transition, Action, Status};
use crate::payments::channel::Report;
use crate::payments::order::{self, OrderKind, OrderStatus, Outcome, Settlement};
use crate::payments::recovery::{recheck_delay, NEVER_RECEIVED};
use crate::payments::Payments;
use crate::store::{Effects, OrderRow, OutboxEvent, Settle};

impl Payments {
    /// Settles an order by what the channel said; returns its status afterwards (None for an
    /// order we do not know).
    pub async fn settle(&self, report: &Report) -> Result<Option<OrderStatus>, LoanError> {
        // A few rounds: each lost race re-reads the order and decides again.
        for _ in 0..4 {
            let Some(order) = self.store.order(&report.order_no).await? else {
                // Stored for an operator; it never creates or settles an order.
                let day = report
                    .finished_at
                    .as_deref()
                    .and_then(|f| f.get(..10))
                    .map_or_else(|| self.clock.today().to_string(), str::to_owned);
                self.store
                    .raise_mismatch(
                        &report.order_no,
                        &day,
                        &channel_says(&report.outcome),
                        "no such order",
                        self.clock.now_ms(),
                    )
                    .await?;
                return Ok(None);
            };
            let from = order.status()?;
            let settlement = order::settle(order.kind()?, from, order.amount_fen, &report.outcome);
            if settlement == Settlement::Keep {
                return Ok(Some(from));
            }
            let Some(effects) = self.effects(&order, &settlement).await? else {
                // The application moved on: another path settled the order meanwhile.
                tracing::debug!(order = %order.order_no, "settled meanwhile; reading it again");
                continue;
            };
            let applied = self
                .store
                .settle_order(Settle {
                    order_no: order.order_no.clone(),
                    from,
                    settlement: settlement.clone(),
                    channel_order_no: report.channel_order_no.clone(),
                    message: report.message.clone(),
                    finished_at: report.finished_at.clone(),
                    channel_says: channel_says(&report.outcome),
                    at: self.clock.now_ms(),
                    effects,
                    waive_held_days: matches!(&report.outcome, Outcome::Fail { code, .. } if code == NEVER_RECEIVED),
                    // Submitted or unclear: asked after the first wait from now.
                    next_check_at: Some(self.clock.now_ms() + recheck_delay(self.args.recheck_ms, 0)),
                })
                .await?;
            if applied {
                let to = match settlement {
                    Settlement::Move(to) => to,
                    Settlement::Mismatch | Settlement::LateSuccess => OrderStatus::Mismatch,
                    Settlement::Return => OrderStatus::Returned,
                    // Raised for an operator; the order stays as it was.
                    Settlement::Keep | Settlement::Contradiction => return Ok(Some(from)),
                };
                tracing::info!(order = %order.order_no, kind = %order.kind, %from, %to, "payment order settled");
                count_settled(&order.kind, to);
                return Ok(Some(to));
            }
        }
        let now = self.store.order(&report.order_no).await?;
        if let Some(order) = now
            .as_ref()
            .filter(|o| o.status().is_ok_and(order::OrderStatus::is_open))
        {
            tracing::error!(order = %order.order_no, "an open order could not be settled: its application is not where the order expects it");
        }
        now.map(|o| o.status()).transpose()
    }

    /// What a settlement does besides moving the order; None when the application is no longer
    /// where the order left it (another path settled the order after it was read).
    pub(crate) async fn effects(
        &self,
        order: &OrderRow,
        settlement: &Settlement,
    ) -> Result<Option<Effects>, LoanError> {
        let kind = order.kind()?;
        let wanted = matches!(
            (kind, settlement),
            (_, Settlement::Move(OrderStatus::Succeeded))
                | (OrderKind::Repay, Settlement::Move(OrderStatus::Failed))
        );
        if !wanted {
            return Ok(Some(Effects::None));
        }
        let app = self
            .store
            .application(&order.application_id)
            .await?
            .ok_or(LoanError::Corrupt("order without its application"))?;
        let now = self.clock.now_ms();
        let event = |kind: LoanEventKind| OutboxEvent::about(kind, &app, order.amount_fen, now);
        let from = Status::from_code(app.status).ok_or(LoanError::Corrupt("application status"))?;
        Ok(match (kind, settlement) {
            (OrderKind::Repay, Settlement::Move(OrderStatus::Failed)) => {
                Some(Effects::FailureNotice(event(LoanEventKind::RepaymentFailed)))
            }
            (OrderKind::Repay, _) => transition(from, Action::PayOff).map(|pay_off| Effects::Repaid {
                pay_off,
                event: event(LoanEventKind::Repaid),
            }),
            (OrderKind::Payout, _) => match transition(from, Action::Disburse) {
                None => None,
                Some(step) => {
                    let release = match &order.release_date {
                        Some(date) => crate::loan::stored::due_date(date)?,
                        None => self.clock.today(),
                    };
                    let periods = crate::loan::plan::plan_rows(&app, release)?;
                    Some(Effects::PaidOut {
                        step,
                        release_date: release.to_string(),
                        plan_document: self.plan_document(&app, release, &periods).await?,
                        periods,
                        event: event(LoanEventKind::Disbursed),
                    })
                }
            },
            (OrderKind::Refund, _) => Some(Effects::Refunded),
        })
    }
}

/// What the channel said, as a mismatch record shows it.
fn channel_says(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Accepted => "ACCEPTED".into(),
        Outcome::Success { amount_fen } => format!("SUCCESS {}", format_amount(*amount_fen)),
        Outcome::Fail { code, .. } => format!("FAIL {code}"),
        Outcome::Unclear => "UNCLEAR".into(),
        Outcome::NotFound => "NOT_FOUND".into(),
        Outcome::Returned { amount_fen } => format!("RETURNED {}", format_amount(*amount_fen)),
    }
}

fn count_settled(kind: &str, to: OrderStatus) {
    cashloan_runtime::metrics::global().count(
        "cashloan_payment_orders_settled_total",
        "Payment order status changes by kind and new status.",
        &[("kind", kind), ("status", to.name())],
        1,
    );
}
