//! What every request handler shares: configuration, the key-value store, service clients.

use std::time::Duration;

use cashloan_proto::auth::v1::auth_client::AuthClient;
use cashloan_proto::loan::v1::loan_client::LoanClient;
use cashloan_proto::message::v1::message_client::MessageClient;
use cashloan_proto::product::v1::product_client::ProductClient;
use cashloan_proto::risk::v1::risk_client::RiskClient;
use cashloan_runtime::grpc::{identity, GrpcChannel};
use cashloan_runtime::Kv;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use crate::config::Config;
use crate::metrics::Metrics;

pub struct Gateway {
    pub config: Config,
    pub kv: Kv,
    pub auth: AuthClient<GrpcChannel>,
    pub message: MessageClient<GrpcChannel>,
    pub product: ProductClient<GrpcChannel>,
    pub loan: LoanClient<GrpcChannel>,
    pub risk: RiskClient<GrpcChannel>,
    /// loan-service for the calls that wait for the payment channel (a longer deadline).
    pub payments: LoanClient<GrpcChannel>,
    pub metrics: Metrics,
    /// The rendered product list for `PRODUCT_LIST_TTL`: the busiest open read skips its RPC.
    pub product_list: std::sync::Mutex<Option<(std::time::Instant, serde_json::Value)>>,
    upstreams: Vec<(&'static str, GrpcChannel)>,
}

/// How long a rendered product list is served from the gateway's memory. An upsert through this
/// gateway clears it at once; other replicas see a change within this (plus product-service's own
/// cache period).
pub const PRODUCT_LIST_TTL: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    #[error("invalid service address {addr:?}: {reason}")]
    Invalid { addr: String, reason: String },
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
}

/// A lazily connecting channel with the call deadline, its calls signed; a service that is down
/// fails fast.
fn channel(addr: &str, deadline: Duration, signer: &identity::Signer) -> Result<GrpcChannel, AddressError> {
    cashloan_runtime::grpc::lazy_channel(addr, deadline)
        .map(|c| c.signed_by(signer.clone()))
        .map_err(|reason| AddressError::Invalid {
            addr: addr.to_owned(),
            reason,
        })
}

/// As `gateway`, and inside `identity::as_operator` (the admin listener) as `gateway-admin`.
fn signer(config: &Config) -> Result<identity::Signer, AddressError> {
    let app = identity::Signer::new(identity::ServiceKey::from_text(
        identity::GATEWAY,
        &config.service_key,
    )?);
    Ok(match config.admin_service_key.trim() {
        "" => app,
        admin => app.with_admin_side(identity::ServiceKey::from_text(identity::GATEWAY_ADMIN, admin)?),
    })
}

impl Gateway {
    pub fn new(config: Config, kv: Kv) -> Result<Self, AddressError> {
        let deadline = config.call_deadline();
        let signer = signer(&config)?;
        let auth = channel(&config.auth_addr, deadline, &signer)?;
        let message = channel(&config.message_addr, deadline, &signer)?;
        let product = channel(&config.product_addr, deadline, &signer)?;
        let loan = channel(&config.loan_addr, deadline, &signer)?;
        let risk = channel(&config.risk_addr, deadline, &signer)?;
        let payments = channel(
            &config.loan_addr,
            Duration::from_millis(config.payment_call_deadline_ms),
            &signer,
        )?;
        Ok(Self {
            auth: AuthClient::new(auth.clone()),
            message: MessageClient::new(message.clone()),
            product: ProductClient::new(product.clone()),
            loan: LoanClient::new(loan.clone()),
            risk: RiskClient::new(risk.clone()),
            payments: LoanClient::new(payments),
            upstreams: vec![
                ("auth-service", auth),
                ("message-service", message),
                ("product-service", product),
                ("loan-service", loan),
                ("risk-service", risk),
            ],
            product_list: std::sync::Mutex::new(None),
            metrics: Metrics::default(),
            config,
            kv,
        })
    }

    /// The key that signs responses nobody's key could be attributed to.
    pub fn primary_key(&self) -> &str {
        &self.config.app_keys[0]
    }

    /// Readiness: every service answers its health check, and the key-value store answers.
    pub async fn readiness(&self) -> Vec<(&'static str, bool)> {
        let mut report = Vec::new();
        for (name, channel) in &self.upstreams {
            let mut client = HealthClient::new(channel.clone());
            let check = client.check(HealthCheckRequest {
                service: String::new(),
            });
            let ok = tokio::time::timeout(self.config.call_deadline(), check)
                .await
                .is_ok_and(|r| r.is_ok_and(|reply| reply.into_inner().status == 1));
            report.push((*name, ok));
        }
        report.push(("kv", self.kv.ping().await.is_ok()));
        report
    }
}
