//! loan-service: quotes, applications, their review and disbursement, repayment plans
//! (API.md §6.4, §7). The folders are the back office's desks, and their imports run one way:
//!
//! - `loan`: the loan's own rules (terms, schedule, charges, lifecycle, quote), no I/O;
//! - `origination`: applying, review, terms confirmation, disbursement; calls payments, contracts;
//! - `servicing`: the plan, repayments, collections, reminders; calls payments, contracts;
//! - `payments`: orders, the channel and its adapters, settlement, recovery, reconciliation,
//!   resolutions; calls ledger, contracts, never origination or servicing;
//! - `ledger`: the journal and its checks; `contracts`: documents, links, the signer, evidence;
//! - `messages`: the outbox relay to message-service;
//! - `store`: every query, Diesel only, under the same folders; calls none of the above but their
//!   rule types.

mod callers;
pub mod cli;
pub mod contracts;
pub mod error;
mod grpc;
pub mod ledger;
pub mod loan;
pub mod messages;
pub mod origination;
mod paging;
pub mod payments;
mod schema;
pub mod servicing;
mod store;

use cashloan_runtime::evidence::{StampArgs, Stamping};
use std::sync::Arc;
use std::time::Duration;

use cashloan_proto::auth::v1::auth_client::AuthClient;
use cashloan_proto::loan::v1::loan_server::LoanServer;
use cashloan_proto::message::v1::message_client::MessageClient;
use cashloan_proto::product::v1::product_client::ProductClient;
use cashloan_proto::risk::v1::risk_client::RiskClient;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::grpc::GrpcChannel;
use cashloan_runtime::pii::{PiiArgs, PiiError, Vault};
use cashloan_runtime::Shutdown;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::sync::mpsc::UnboundedReceiver;

pub use crate::payments::PaymentArgs;
use crate::payments::Payments;
use crate::store::Store;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: postgres://… or sqlite://path.
    #[arg(
        long = "database-url",
        env = "LOAN_DATABASE_URL",
        default_value = "sqlite://data/loan.db"
    )]
    pub database_url: String,
    /// PostgreSQL connections this process keeps at most (SCALING.md).
    #[arg(long = "db-pool-size", env = "DB_POOL_SIZE", default_value_t = cashloan_runtime::db::DEFAULT_POOL_SIZE)]
    pub db_pool_size: u32,
    /// product-service's gRPC address.
    #[arg(
        long = "product-addr",
        env = "PRODUCT_ADDR",
        default_value = "http://127.0.0.1:50052"
    )]
    pub product_addr: String,
    /// auth-service's gRPC address.
    #[arg(
        long = "auth-addr",
        env = "AUTH_ADDR",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_addr: String,
    /// message-service's gRPC address, where the outbox relay delivers loan events.
    #[arg(
        long = "message-addr",
        env = "MESSAGE_ADDR",
        default_value = "http://127.0.0.1:50054"
    )]
    pub message_addr: String,
    /// risk-service's gRPC address, which decides applications (DECISIONS.md).
    #[arg(
        long = "risk-addr",
        env = "RISK_ADDR",
        default_value = "http://127.0.0.1:50055"
    )]
    pub risk_addr: String,
    /// How often the decision worker looks for applications to decide, milliseconds.
    #[arg(
        long = "decision-interval-ms",
        env = "DECISION_INTERVAL_MS",
        default_value_t = 200
    )]
    pub decision_interval_ms: u64,
    /// How long an application waits for an unreachable risk-service before people get it, seconds.
    #[arg(
        long = "decision-give-up-s",
        env = "DECISION_GIVE_UP_S",
        default_value_t = 600
    )]
    pub decision_give_up_s: u64,
    /// How often the outbox relay looks for undelivered events, milliseconds.
    #[arg(long = "relay-interval-ms", env = "RELAY_INTERVAL_MS", default_value_t = 1000)]
    pub relay_interval_ms: u64,
    /// How often the reminder and overdue-notice job runs, milliseconds.
    #[arg(long = "job-interval-ms", env = "JOB_INTERVAL_MS", default_value_t = 60_000)]
    pub job_interval_ms: u64,
    /// Highest all-in annual cost (apr) of a loan, in millionths (360000 = 36 %).
    #[arg(long = "apr-cap-ppm", env = "APR_CAP_PPM", default_value_t = 360_000)]
    pub apr_cap_ppm: i64,
    /// Total credit line of a user without an override, in fen (500000 = 5000.00).
    #[arg(
        long = "default-credit-fen",
        env = "DEFAULT_CREDIT_FEN",
        default_value_t = 500_000
    )]
    pub default_credit_fen: i64,
    /// Keys of the personal data an application carries (its phonebook and location) and a
    /// payment order's card snapshot.
    #[command(flatten)]
    pub pii: PiiArgs,
    #[command(flatten)]
    pub payments: PaymentArgs,
    /// The lender the contracts name.
    #[command(flatten)]
    pub lender: contracts::Lender,
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
    #[error("payment channel: {0}")]
    Channel(String),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error("sealing earlier applications' mobiles: {0}")]
    Seal(String),
    #[error(transparent)]
    Identity(#[from] cashloan_runtime::grpc::identity::IdentityError),
}

/// The service state every flow works with.
pub struct LoanCore {
    store: Store,
    products: ProductClient<GrpcChannel>,
    auth: AuthClient<GrpcChannel>,
    messages: MessageClient<GrpcChannel>,
    risk: RiskClient<GrpcChannel>,
    decision_interval: Duration,
    decision_give_up_ms: i64,
    relay_interval: Duration,
    job_interval: Duration,
    ledger_check_interval_ms: u64,
    clock: Clock,
    payments: Payments,
    /// The in-process simulator's notifications, settled by a task `serve` starts.
    notifications: Option<UnboundedReceiver<payments::channel::Report>>,
    apr_cap: Decimal,
    default_credit_fen: i64,
    vault: Arc<Vault>,
    issuer: Arc<contracts::issuer::Issuer>,
    /// Stamps the evidence chain's head once a day.
    stamping: Stamping,
    links: Arc<contracts::link::LinkKey>,
    /// The callers admitted (`callers`).
    peers: cashloan_runtime::grpc::identity::Peers,
}

fn channel(addr: &str) -> Result<GrpcChannel, StartError> {
    cashloan_runtime::grpc::lazy_channel(addr, Duration::from_secs(3)).map_err(StartError::Address)
}

/// Connects the service's database, running its migrations (blocking: tests and tools).
pub fn connect_database(database_url: &str) -> Result<db::DbPool, db::DbError> {
    db::connect(
        database_url,
        db::DEFAULT_POOL_SIZE,
        POSTGRES_MIGRATIONS,
        SQLITE_MIGRATIONS,
    )
}

/// Connects the database (running migrations, off the async threads) and builds the service on
/// `clock`.
pub async fn build(config: &Config, clock: Clock) -> Result<LoanCore, StartError> {
    let vault = Arc::new(config.pii.vault()?);
    let links = Arc::new(contracts::link::LinkKey::from_vault(&vault));
    let pool = db::open(
        &config.database_url,
        config.db_pool_size,
        POSTGRES_MIGRATIONS,
        SQLITE_MIGRATIONS,
    )
    .await?;
    let store = Store::new(pool);
    let (notify, notifications) = tokio::sync::mpsc::unbounded_channel();
    let payment_channel = config
        .payments
        .channel(clock.clone(), notify)
        .map_err(StartError::Channel)?;
    let issuer = Arc::new(contracts::issuer::Issuer {
        lender: config.lender.clone(),
        signer: Box::new(contracts::signer::LocalSigner::from_vault(&vault)),
    });
    let signer = config.identity.signer(cashloan_runtime::grpc::identity::LOAN)?;
    let payments = Payments::new(
        store.clone(),
        payment_channel,
        clock.clone(),
        (vault.clone(), issuer.clone()),
        config.payments.clone(),
    );
    let core = LoanCore {
        store,
        products: ProductClient::new(channel(&config.product_addr)?.signed_by(signer.clone())),
        auth: AuthClient::new(channel(&config.auth_addr)?.signed_by(signer.clone())),
        messages: MessageClient::new(channel(&config.message_addr)?.signed_by(signer.clone())),
        risk: RiskClient::new(channel(&config.risk_addr)?.signed_by(signer)),
        decision_interval: Duration::from_millis(config.decision_interval_ms),
        decision_give_up_ms: i64::try_from(config.decision_give_up_s.saturating_mul(1000))
            .unwrap_or(i64::MAX),
        peers: config.identity.peers()?,
        relay_interval: Duration::from_millis(config.relay_interval_ms),
        job_interval: Duration::from_millis(config.job_interval_ms),
        ledger_check_interval_ms: config.payments.ledger_check_interval_ms,
        clock,
        payments,
        notifications: Some(notifications),
        apr_cap: Decimal::new(config.apr_cap_ppm, 6),
        default_credit_fen: config.default_credit_fen,
        issuer,
        stamping: Stamping::local(&vault, config.stamps.clone()),
        vault,
        links,
    };
    // Before anything serves: a filter by mobile finds the applications of earlier releases too.
    let sealed = core
        .seal_old_mobiles()
        .await
        .map_err(|e| StartError::Seal(e.to_string()))?;
    if sealed > 0 {
        tracing::info!(applications = sealed, "mobiles of earlier applications sealed");
    }
    Ok(core)
}

/// Serves the service and runs its outbox relay, its notice job and payment recovery until
/// `shutdown`.
pub async fn serve(mut core: LoanCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let relay = tokio::spawn(messages::outbox::run_relay(
        core.store.clone(),
        core.messages.clone(),
        (core.clock.clone(), core.vault.clone()),
        core.relay_interval,
        shutdown.clone(),
    ));
    let jobs = tokio::spawn(servicing::reminders::run(
        core.store.clone(),
        core.clock.clone(),
        core.job_interval,
        shutdown.clone(),
    ));
    let recovery = tokio::spawn(core.payments.clone().run_recovery(shutdown.clone()));
    let stamping = core
        .stamping
        .spawn(core.store.pool().clone(), core.clock.clone(), shutdown.clone());
    let checks = tokio::spawn(ledger::books::run_checks(
        core.store.clone(),
        Duration::from_millis(core.ledger_check_interval_ms),
        shutdown.clone(),
    ));
    let notifications = core
        .notifications
        .take()
        .map(|rx| tokio::spawn(core.payments.clone().run_notifications(rx, shutdown.clone())));
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<LoanServer<LoanCore>>().await;
    let peers = core.peers.clone();
    let interval = core.decision_interval;
    let core = Arc::new(core);
    let decisions = tokio::spawn(origination::decisions::run(
        core.clone(),
        interval,
        shutdown.clone(),
    ));
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(cashloan_runtime::grpc::identity::guard(
            LoanServer::from_arc(core),
            &peers,
            callers::allowed,
        ));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    let _ = relay.await;
    let _ = decisions.await;
    let _ = jobs.await;
    let _ = recovery.await;
    let _ = stamping.await;
    let _ = checks.await;
    if let Some(task) = notifications {
        let _ = task.await;
    }
    Ok(())
}
