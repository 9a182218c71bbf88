//! product-service: loan products, their limits and dictionaries (API.md §6.3, §7).

mod callers;
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
    /// PostgreSQL connections this process keeps at most (SCALING.md).
    #[arg(long = "db-pool-size", env = "DB_POOL_SIZE", default_value_t = cashloan_runtime::db::DEFAULT_POOL_SIZE)]
    pub db_pool_size: u32,
    /// Highest annual interest rate a product may offer, in millionths (360000 = 36 %).
    #[arg(long = "rate-cap-ppm", env = "RATE_CAP_PPM", default_value_t = 360_000)]
    pub rate_cap_ppm: i64,
    /// How long a replica serves products from memory before re-reading, seconds.
    #[arg(long = "cache-ttl-secs", env = "PRODUCT_CACHE_TTL_SECS", default_value_t = 5)]
    pub cache_ttl_secs: u64,
    /// Who decides the sample products a fresh installation gets: 1 the rules (paying out up to
    /// 3000.00 by themselves), 0 people (DECISIONS.md).
    #[arg(long = "sample-review-mode", env = "SAMPLE_REVIEW_MODE", default_value_t = 1)]
    pub sample_review_mode: i32,
    #[command(flatten)]
    pub identity: cashloan_runtime::grpc::identity::IdentityArgs,
}

/// The service state every call works with: the table, and the in-memory copy products are read
/// from (`catalog`).
pub struct ProductCore {
    store: Store,
    ttl: Duration,
    rate_cap_ppm: i64,
    sample_review_mode: i32,
    cached: RwLock<Option<(Instant, Arc<Vec<ProductInfo>>)>>,
    /// The callers admitted (`callers`).
    peers: cashloan_runtime::grpc::identity::Peers,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("seeding failed: {0}")]
    Seed(#[from] ProductError),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error(transparent)]
    Identity(#[from] cashloan_runtime::grpc::identity::IdentityError),
}

/// Connects the database (running migrations), seeds a fresh one, builds the service.
pub async fn build(config: &Config, clock: Clock) -> Result<ProductCore, StartError> {
    let pool = db::open(
        &config.database_url,
        config.db_pool_size,
        POSTGRES_MIGRATIONS,
        SQLITE_MIGRATIONS,
    )
    .await?;
    let core = ProductCore {
        store: Store::new(pool, clock),
        ttl: Duration::from_secs(config.cache_ttl_secs),
        rate_cap_ppm: config.rate_cap_ppm,
        sample_review_mode: config.sample_review_mode,
        cached: RwLock::new(None),
        peers: config.identity.peers()?,
    };
    core.seed_if_empty().await?;
    Ok(core)
}

pub async fn serve(core: ProductCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<ProductServer<ProductCore>>().await;
    let peers = core.peers.clone();
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(cashloan_runtime::grpc::identity::guard(
            ProductServer::new(core),
            &peers,
            callers::allowed,
        ));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replicas starting together on an empty PostgreSQL database all start and seed one of each
    /// sample product (the second insert of a code used to fail its replica's start).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn replicas_starting_at_once_all_start_and_seed_once() {
        let Some(server) = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty()) else {
            return;
        };
        for round in 0..3 {
            let name = format!("seed_at_once_{}_{round}", std::process::id());
            let _ = db::drop_postgres_database(&server, &name);
            db::ensure_postgres_database(&server, &name).unwrap();
            let config = Config {
                database_url: db::postgres_database_url(&server, &name),
                db_pool_size: db::DEFAULT_POOL_SIZE,
                rate_cap_ppm: 360_000,
                sample_review_mode: 1,
                cache_ttl_secs: 5,
                identity: cashloan_runtime::grpc::identity::Deployment::generate().args("product"),
            };
            let replicas: Vec<_> = (0..4)
                .map(|_| {
                    let config = config.clone();
                    tokio::spawn(async move { build(&config, Clock::default()).await })
                })
                .collect();
            let mut cores = Vec::new();
            for replica in replicas {
                cores.push(replica.await.unwrap().expect("every replica starts"));
            }
            let products = cores[0].on_sale().await.unwrap();
            assert_eq!(products.len(), product::seeds(1).len(), "one of each");
            drop(cores);
            db::drop_postgres_database(&server, &name).unwrap();
        }
    }
}
