//! risk-service: credit decisions (DECISIONS.md). loan-service asks `Decide` for each application;
//! the service gathers the features (auth-service's facts of the customer, its own velocity counts,
//! the bureau), evaluates the ruleset in force and keeps the decision, once, with its evidence.
//!
//! - `features`: what a decision reads, derived values only;
//! - `rules`: ruleset documents, their compiled expressions, evaluation (pure, no I/O);
//! - `bureau`: the provider interface and the local bureau;
//! - `decide`: one decision, from the request to the stored record;
//! - `operators`: rulesets saved, replayed and activated; decisions listed and counted;
//! - `store`: every query, Diesel only.

pub mod bureau;
mod callers;
pub mod cli;
mod decide;
pub mod error;
pub mod features;
mod grpc;
mod operators;
pub mod rules;
mod schema;
mod store;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cashloan_proto::auth::v1::auth_client::AuthClient;
use cashloan_proto::risk::v1::risk_server::RiskServer;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::evidence::{StampArgs, Stamping};
use cashloan_runtime::grpc::GrpcChannel;
use cashloan_runtime::pii::{PiiArgs, PiiError, Vault};
use cashloan_runtime::Shutdown;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use tokio::net::TcpListener;

use crate::bureau::Bureau;
use crate::rules::ruleset::{Ruleset, DEFAULT_DOCUMENT};
use crate::store::{RulesetRow, Store};

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: postgres://… or sqlite://path.
    #[arg(
        long = "database-url",
        env = "RISK_DATABASE_URL",
        default_value = "sqlite://data/risk.db"
    )]
    pub database_url: String,
    /// PostgreSQL connections this process keeps at most (SCALING.md).
    #[arg(long = "db-pool-size", env = "DB_POOL_SIZE", default_value_t = cashloan_runtime::db::DEFAULT_POOL_SIZE)]
    pub db_pool_size: u32,
    /// auth-service's gRPC address (the customer's facts).
    #[arg(
        long = "auth-addr",
        env = "AUTH_ADDR",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_addr: String,
    /// The credit bureau: `local` (answers from the ID number's sequence code).
    #[arg(long = "bureau", env = "BUREAU", default_value = "local")]
    pub bureau: String,
    /// How long a decision waits for the bureau before counting it unavailable, milliseconds.
    #[arg(long = "bureau-timeout-ms", env = "BUREAU_TIMEOUT_MS", default_value_t = 2000)]
    pub bureau_timeout_ms: u64,
    /// Highest annual rate a band may set, in millionths (360000 = 36 %).
    #[arg(long = "rate-cap-ppm", env = "RATE_CAP_PPM", default_value_t = 360_000)]
    pub rate_cap_ppm: i64,
    /// The key of the velocity counts' hashes (device tokens, IPs and ID numbers are never kept).
    #[command(flatten)]
    pub pii: PiiArgs,
    #[command(flatten)]
    pub stamps: StampArgs,
    #[command(flatten)]
    pub identity: cashloan_runtime::grpc::identity::IdentityArgs,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid service address: {0}")]
    Address(String),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Pii(#[from] PiiError),
    #[error("unknown bureau {0:?} (available: local)")]
    UnknownBureau(String),
    #[error("seeding the default ruleset: {0}")]
    Seed(String),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error(transparent)]
    Identity(#[from] cashloan_runtime::grpc::identity::IdentityError),
}

/// The service state every call works with.
pub struct RiskCore {
    store: Store,
    auth: AuthClient<GrpcChannel>,
    bureau: Arc<dyn Bureau>,
    bureau_timeout: Duration,
    rate_cap_ppm: i64,
    clock: Clock,
    vault: Arc<Vault>,
    /// Rulesets compiled once per version (they never change once saved).
    compiled: RwLock<HashMap<i32, Arc<Ruleset>>>,
    stamping: Stamping,
    /// The callers admitted (`callers`).
    peers: cashloan_runtime::grpc::identity::Peers,
}

/// Connects the database (running migrations, off the async threads), seeds the default ruleset
/// on a fresh one and builds the service.
pub async fn build(config: &Config, clock: Clock) -> Result<RiskCore, StartError> {
    let vault = Arc::new(config.pii.vault()?);
    let pool = db::open(
        &config.database_url,
        config.db_pool_size,
        POSTGRES_MIGRATIONS,
        SQLITE_MIGRATIONS,
    )
    .await?;
    let store = Store::new(pool);
    let bureau: Arc<dyn Bureau> = match config.bureau.as_str() {
        "local" => Arc::new(bureau::local::LocalBureau),
        other => return Err(StartError::UnknownBureau(other.to_owned())),
    };
    Ruleset::compile(DEFAULT_DOCUMENT, config.rate_cap_ppm).map_err(StartError::Seed)?;
    store
        .seed_ruleset(RulesetRow {
            version: 1,
            document: DEFAULT_DOCUMENT.to_owned(),
            status: "champion".into(),
            share: 0,
            created_by: "system".into(),
            created_at: clock.now_ms(),
        })
        .await
        .map_err(|e| StartError::Seed(e.to_string()))?;
    let signer = config.identity.signer(cashloan_runtime::grpc::identity::RISK)?;
    let auth_channel = cashloan_runtime::grpc::lazy_channel(&config.auth_addr, Duration::from_secs(3))
        .map_err(StartError::Address)?;
    Ok(RiskCore {
        store,
        auth: AuthClient::new(auth_channel.signed_by(signer)),
        bureau,
        bureau_timeout: Duration::from_millis(config.bureau_timeout_ms),
        rate_cap_ppm: config.rate_cap_ppm,
        clock,
        stamping: Stamping::local(&vault, config.stamps.clone()),
        vault,
        compiled: RwLock::new(HashMap::new()),
        peers: config.identity.peers()?,
    })
}

/// Serves the service with the standard health service, stamping its evidence chain, until
/// `shutdown`.
pub async fn serve(core: RiskCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let stamping = core
        .stamping
        .spawn(core.store.pool().clone(), core.clock.clone(), shutdown.clone());
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<RiskServer<RiskCore>>().await;
    let peers = core.peers.clone();
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(cashloan_runtime::grpc::identity::guard(
            RiskServer::new(core),
            &peers,
            callers::allowed,
        ));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    let _ = stamping.await;
    Ok(())
}
