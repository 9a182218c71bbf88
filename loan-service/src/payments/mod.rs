//! Moving money through payment orders (PAYMENTS.md): an order is committed before the channel
//! is called, the channel is called with no transaction or pooled connection held, and every
//! answer — the reply, a notification, a query by the recovery job — goes through `settle`, which
//! applies `order::settle` as one conditional update. However often and in whatever
//! order the answers come, an order settles once.
//!
//! Owns orders and the channel; calls ledger, contracts and store, never origination or
//! servicing (they call it).

pub mod args;
pub mod channel;
pub mod order;
mod queries;
pub mod reconciliation;
mod recovery;
pub mod resolution;
mod resolve;
mod settle;
#[cfg(test)]
mod settlement_property;
mod submit;

pub use args::PaymentArgs;
pub use recovery::recheck_delay;

use std::sync::Arc;

use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::money::format_amount;
use cashloan_runtime::pii::Vault;

use crate::error::LoanError;
use crate::payments::channel::{CardSnapshot, Instruction, PaymentChannel, Report};
use crate::payments::order::{OrderKind, OrderStatus, Outcome};
use crate::store::{ApplicationRow, OrderRow, Store};

/// Why an order is failed before it reaches the channel.
pub const CARD_INVALID: &str = "卡已失效";
pub const NOT_ELIGIBLE: &str = "暂不符合";

#[derive(Clone)]
pub struct Payments {
    pub(crate) store: Store,
    pub(crate) channel: Arc<dyn PaymentChannel>,
    pub(crate) clock: Clock,
    pub(crate) vault: Arc<Vault>,
    args: PaymentArgs,
    /// Issues the plan at payout.
    pub(crate) issuer: Arc<crate::contracts::issuer::Issuer>,
}

impl Payments {
    pub fn new(
        store: Store,
        channel: Arc<dyn PaymentChannel>,
        clock: Clock,
        (vault, issuer): (Arc<Vault>, Arc<crate::contracts::issuer::Issuer>),
        args: PaymentArgs,
    ) -> Self {
        Self {
            store,
            channel,
            clock,
            vault,
            args,
            issuer,
        }
    }

    /// A new order of `kind` for `app` to or from `card`, amounts to be filled in.
    pub fn order_row(&self, kind: OrderKind, app: &ApplicationRow, card: &CardSnapshot) -> OrderRow {
        let now = self.clock.now_ms();
        OrderRow {
            order_no: String::new(),
            kind: kind.name().to_owned(),
            application_id: app.id.clone(),
            user_id: app.user_id.clone(),
            status: OrderStatus::Created.name().to_owned(),
            amount_fen: 0,
            principal_fen: 0,
            interest_fen: 0,
            fee_fen: 0,
            penalty_fen: 0,
            periods: String::new(),
            repay_kind: String::new(),
            card: self
                .vault
                .encrypt(&serde_json::to_string(card).unwrap_or_default()),
            release_date: None,
            channel_order_no: None,
            reason: None,
            customer_waiting: false,
            created_at: now,
            submitted_at: None,
            settled_at: None,
            finished_at: None,
            attempts: 0,
            // A process that stops before recording the reply leaves it to recovery after this;
            // never before a submit in flight could have timed out.
            next_check_at: now
                + recheck_delay(self.args.recheck_ms, 0).max(self.args.channel_timeout_ms as i64 + 1000),
            refund_of: None,
        }
    }

    /// Fails a committed order without calling the channel (the card is gone, the customer may
    /// not be paid).
    pub async fn refuse(&self, order_no: &str, why: &str) -> Result<OrderRow, LoanError> {
        let refusal = Report {
            outcome: Outcome::Fail {
                code: "REFUSED".into(),
                final_decline: true,
            },
            ..Report::unclear(order_no, why)
        };
        self.settle(&refusal).await?;
        self.store
            .order(order_no)
            .await?
            .ok_or(LoanError::Corrupt("order vanished"))
    }

    pub(super) fn instruction(&self, order: &OrderRow) -> Result<Instruction, LoanError> {
        let card = self
            .vault
            .decrypt(&order.card)
            .ok()
            .and_then(|plain| serde_json::from_str(&plain).ok())
            .ok_or(LoanError::Corrupt("order card"))?;
        Ok(Instruction {
            order_no: order.order_no.clone(),
            kind: order.kind()?,
            amount_fen: order.amount_fen,
            card,
        })
    }
}

pub(crate) fn order_proto(o: &OrderRow) -> pb::PaymentOrder {
    pb::PaymentOrder {
        order_no: o.order_no.clone(),
        kind: o.kind.clone(),
        application_id: o.application_id.clone(),
        periods: o.periods.clone(),
        amount: format_amount(o.amount_fen),
        status: o.status.clone(),
        channel_order_no: o.channel_order_no.clone().unwrap_or_default(),
        reason: o.reason.clone().unwrap_or_default(),
        created_at: o.created_at,
        settled_at: o.settled_at.unwrap_or_default(),
    }
}
