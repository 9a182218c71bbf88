//! Verification vendors behind one interface per check, each call under a deadline. The default
//! `local` providers accept what passes the rules of API.md §6.2 and, like a real vendor, can be
//! unavailable or slow; their simulation rules (for tests and demos) are documented on each.

use std::sync::Arc;
use std::time::Duration;

use crate::bank_card::BankCardNo;
use crate::error::AuthError;
use crate::id_card::IdCardNo;
use crate::person_name::RealName;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The vendor looked and the data do not match.
    #[error("rejected by the verification vendor")]
    Rejected,
    #[error("verification vendor unavailable: {0}")]
    Unavailable(String),
}

/// Name and ID number belong together (the public-security identity check).
#[tonic::async_trait]
pub trait IdentityProvider: Send + Sync {
    async fn verify(&self, name: &RealName, id: &IdCardNo) -> Result<(), ProviderError>;
}

/// Name, ID, card and the card's reserved mobile match at the bank (four-factor check).
#[tonic::async_trait]
pub trait BankCardProvider: Send + Sync {
    async fn verify(
        &self,
        name: &str,
        id: &str,
        card: &BankCardNo,
        mobile: &str,
    ) -> Result<(), ProviderError>;
}

/// The mobile number is registered to this person at the carrier.
#[tonic::async_trait]
pub trait CarrierProvider: Send + Sync {
    async fn verify(&self, mobile: &str, name: &str, id: &str) -> Result<(), ProviderError>;
}

/// The local providers.
pub struct Local;

#[tonic::async_trait]
impl IdentityProvider for Local {
    /// Sequence code (digits 15–17) `999`: vendor down; `998`: vendor hangs past any deadline.
    async fn verify(&self, _name: &RealName, id: &IdCardNo) -> Result<(), ProviderError> {
        match &id.as_str()[14..17] {
            "999" => Err(ProviderError::Unavailable(
                "identity vendor down (simulated)".into(),
            )),
            "998" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[tonic::async_trait]
impl BankCardProvider for Local {
    /// Cards ending in `9999`: vendor down.
    async fn verify(&self, _: &str, _: &str, card: &BankCardNo, _: &str) -> Result<(), ProviderError> {
        if card.as_str().ends_with("9999") {
            return Err(ProviderError::Unavailable(
                "bank-card vendor down (simulated)".into(),
            ));
        }
        Ok(())
    }
}

#[tonic::async_trait]
impl CarrierProvider for Local {
    /// Mobiles `1700001xxxx`: vendor down.
    async fn verify(&self, mobile: &str, _: &str, _: &str) -> Result<(), ProviderError> {
        if mobile.starts_with("1700001") {
            return Err(ProviderError::Unavailable(
                "carrier vendor down (simulated)".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Clone)]
pub struct Providers {
    pub identity: Arc<dyn IdentityProvider>,
    pub bank_card: Arc<dyn BankCardProvider>,
    pub carrier: Arc<dyn CarrierProvider>,
    pub deadline: Duration,
}

impl Providers {
    pub fn local(deadline: Duration) -> Self {
        Self {
            identity: Arc::new(Local),
            bank_card: Arc::new(Local),
            carrier: Arc::new(Local),
            deadline,
        }
    }

    /// Runs a vendor call (named for its span) under the deadline; a slow or failing vendor is
    /// "unavailable".
    pub async fn call<F>(&self, vendor: &'static str, check: F) -> Result<(), AuthError>
    where
        F: std::future::Future<Output = Result<(), ProviderError>>,
    {
        use tracing::Instrument;
        let span = cashloan_runtime::span!("vendor", otel.name = vendor, otel.kind = "client");
        match tokio::time::timeout(self.deadline, check).instrument(span).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(ProviderError::Rejected)) => Err(AuthError::VerificationRejected),
            Ok(Err(ProviderError::Unavailable(why))) => Err(AuthError::Downstream(why)),
            Err(_) => Err(AuthError::Downstream(
                "verification vendor deadline exceeded".into(),
            )),
        }
    }
}
