//! product-service: loan products, their limits and dictionaries (API.md §6.3, §7).

pub mod catalog;
pub mod error;
mod grpc;
pub mod product;
mod schema;
mod store;

use std::time::Duration;

use cashloan_proto::product::v1::product_server::ProductServer;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::Shutdown;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use tokio::net::TcpListener;

use crate::catalog::Catalog;
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
pub async fn build(config: &Config) -> Result<Catalog, StartError> {
    let url = config.database_url.clone();
    let pool = tokio::task::spawn_blocking(move || db::connect(&url, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS))
        .await
        .map_err(|e| DbError::Task(e.to_string()))??;
    let catalog = Catalog::new(
        Store::new(pool),
        Duration::from_secs(config.cache_ttl_secs),
        config.rate_cap_ppm,
    );
    catalog.seed_if_empty().await?;
    Ok(catalog)
}

pub async fn serve(catalog: Catalog, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<ProductServer<Catalog>>().await;
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(ProductServer::new(catalog));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}
