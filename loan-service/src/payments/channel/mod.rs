//! The payment channel (PAYMENTS.md "The channel protocol"): money out at disbursement, money in
//! at repayment. Every call names a payment order; the channel deduplicates by its number, so a
//! resubmission never moves money twice. Adapters never fail: what they cannot tell is
//! `Outcome::Unclear`, and the order goes to query.

pub mod http;
pub mod signature;
pub mod simulator;
pub mod statement;

use serde::{Deserialize, Serialize};

use crate::payments::channel::statement::Statement;
use crate::payments::order::{OrderKind, Outcome};

/// The card an order pays to or takes from, as it was when the order was created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSnapshot {
    pub card_no: String,
    pub name: String,
    pub id_card_no: String,
    pub mobile: String,
    /// The channel's 协议代扣 agreement; empty until the channel issues one.
    pub agreement_no: String,
}

/// One order as the channel hears it.
#[derive(Clone, Debug)]
pub struct Instruction {
    pub order_no: String,
    pub kind: OrderKind,
    pub amount_fen: i64,
    pub card: CardSnapshot,
}

/// What the channel said of an order: in a reply, a query or a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub order_no: String,
    pub outcome: Outcome,
    pub channel_order_no: Option<String>,
    /// The channel's words, kept as the order's reason (余额不足, …).
    pub message: Option<String>,
    /// `yyyy-MM-dd HH:mm:ss` UTC+8, when the channel finished the order.
    pub finished_at: Option<String>,
}

impl Report {
    pub fn unclear(order_no: &str, why: impl Into<String>) -> Self {
        Self {
            order_no: order_no.to_owned(),
            outcome: Outcome::Unclear,
            channel_order_no: None,
            message: Some(why.into()),
            finished_at: None,
        }
    }
}

/// A notification that is not the channel's: refused with HTTP 400, nothing changes.
#[derive(Debug, thiserror::Error)]
#[error("not a valid notification of the payment channel")]
pub struct NotificationRefused;

#[tonic::async_trait]
pub trait PaymentChannel: Send + Sync {
    /// Submits (or resubmits, with the same number and parameters) an order.
    async fn submit(&self, order: &Instruction) -> Report;
    /// Asks for an order's outcome.
    async fn query(&self, order_no: &str) -> Report;
    /// The statement of a day (UTC+8): every order the channel finished on it.
    async fn statement(&self, day: chrono::NaiveDate) -> Statement;
    /// Reads a notification posted to `/notify/payment`: what it says and when the channel sent
    /// it (epoch ms, its signed `timestamp`). A channel that notifies in-process (the simulator)
    /// receives none over HTTP.
    fn read_notification(&self, _body: &[u8]) -> Result<(Report, i64), NotificationRefused> {
        Err(NotificationRefused)
    }
}

/// The span of one call to the payment channel.
pub fn span(operation: &'static str, order_no: &str) -> tracing::Span {
    cashloan_runtime::span!(
        "payment",
        otel.name = operation,
        otel.kind = "client",
        order = order_no
    )
}
