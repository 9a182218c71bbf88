//! loan-service: quotes and the repayment-schedule engine (API.md §6.4).

pub mod error;
mod grpc;
pub mod quote;
pub mod schedule;
pub mod terms;

use std::time::Duration;

use cashloan_proto::loan::v1::loan_server::LoanServer;
use cashloan_proto::product::v1::product_client::ProductClient;
use cashloan_runtime::Shutdown;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tonic::transport::Endpoint;

pub use crate::grpc::LoanApi;

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// product-service's gRPC address.
    #[arg(
        long = "product-addr",
        env = "PRODUCT_ADDR",
        default_value = "http://127.0.0.1:50052"
    )]
    pub product_addr: String,
    /// Highest all-in annual cost (apr) of a loan, in millionths (360000 = 36 %).
    #[arg(long = "apr-cap-ppm", env = "APR_CAP_PPM", default_value_t = 360_000)]
    pub apr_cap_ppm: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid service address: {0}")]
    Address(String),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
}

pub fn build(config: &Config) -> Result<LoanApi, StartError> {
    let endpoint =
        Endpoint::from_shared(config.product_addr.clone()).map_err(|e| StartError::Address(e.to_string()))?;
    let channel = endpoint
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(3))
        .connect_lazy();
    Ok(LoanApi {
        products: ProductClient::new(channel),
        apr_cap: Decimal::new(config.apr_cap_ppm, 6),
    })
}

pub async fn serve(api: LoanApi, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<LoanServer<LoanApi>>().await;
    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(LoanServer::new(api));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}
