//! product-service: loan products, their limits and dictionaries (API.md §6.3, §7).

pub mod catalog;
pub mod cli;
pub mod error;
mod grpc;
pub mod product;
mod schema;
mod store;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use cashloan_proto::product::v1::product_server::ProductServer;
use cashloan_proto::product::v1::ProductInfo;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::Shutdown;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use tokio::net::TcpListener;

use crate::error::ProductError;
use crate::store::Store;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: postgres://… or sqlite://path.
    #[arg(
        long = "database-url",
        env = "PRODUCT_DATABASE_URL",
        default_value = "sqlite://data/product.db"
    )]
    pub database_url: String,
    /// Highest annual interest rate a product may offer, in millionths (360000 = 36 %).
    #[arg(long = "rate-cap-ppm", env = "RATE_CAP_PPM", default_value_t = 360_000)]
    pub rate_cap_ppm: i64,
    /// How long a replica serves products from memory before re-reading, seconds.
    #[arg(long = "cache-ttl-secs", env = "PRODUCT_CACHE_TTL_SECS", default_value_t = 5)]
    pub cache_ttl_secs: u64,
}

/// The service state every call works with: the table, and the in-memory copy products are read
/// from (`catalog`).
pub struct ProductCore {
    store: Store,
    ttl: Duration,
    rate_cap_ppm: i64,
    cached: RwLock<Option<(Instant, Arc<Vec<ProductInfo>>)>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("seeding failed: {0}")]
    Seed(#[from] ProductError),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
}

/// Connects the database (running migrations), seeds a fresh one, builds the service.
pub async fn build(config: &Config, clock: Clock) -> Result<ProductCore, StartError> {
    let pool = db::open(&config.database_url, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS).await?;
    let core = ProductCore {
        store: Store::new(pool, clock),
        ttl: Duration::from_secs(config.cache_ttl_secs),
        rate_cap_ppm: config.rate_cap_ppm,
        cached: RwLock::new(None),
    };
    core.seed_if_empty().await?;
    Ok(core)
}

pub async fn serve(core: ProductCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<ProductServer<ProductCore>>().await;
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(ProductServer::new(core));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}
