//! The payment channel: money out at disbursement, money in at repayment. The default is a local
//! simulator that, like a bank, can refuse (`simulator::script`: collection from cards ending in
//! `0000` is declined). Its asynchronous behaviours (late notifications, lost replies) need payment
//! orders to settle them; until those exist they succeed at once.

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("the bank declined the deduction")]
    Declined,
    #[error("payment channel unavailable: {0}")]
    Unavailable(String),
}

#[tonic::async_trait]
pub trait PaymentChannel: Send + Sync {
    /// Pays `amount_fen` out to the card; returns the channel's reference of the transfer.
    async fn disburse(&self, card_no: &str, amount_fen: i64, reference: &str)
        -> Result<String, ChannelError>;
    /// Takes `amount_fen` from the card; returns the channel's reference of the deduction.
    async fn collect(&self, card_no: &str, amount_fen: i64, reference: &str) -> Result<String, ChannelError>;
}

use crate::payment_order::OrderKind;
use crate::simulator::{script, Script};

pub struct LocalChannel;

#[tonic::async_trait]
impl PaymentChannel for LocalChannel {
    async fn disburse(
        &self,
        card_no: &str,
        amount_fen: i64,
        reference: &str,
    ) -> Result<String, ChannelError> {
        if card_no.is_empty() || amount_fen <= 0 {
            return Err(ChannelError::Unavailable("no card or amount to pay out".into()));
        }
        Ok(format!("local-out-{reference}"))
    }

    async fn collect(&self, card_no: &str, amount_fen: i64, reference: &str) -> Result<String, ChannelError> {
        if let Script::DeclineAtOnce(_) = script(card_no, OrderKind::Repay) {
            return Err(ChannelError::Declined);
        }
        if amount_fen <= 0 {
            return Err(ChannelError::Unavailable("nothing to collect".into()));
        }
        Ok(format!("local-{reference}"))
    }
}
