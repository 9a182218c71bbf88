//! auth-service: accounts, passwords, sessions, captcha and SMS codes with their flow marks.

mod approvals;
mod audit;
pub mod bank_card;
mod callers;
mod captcha;
pub mod cli;
pub mod consent;
mod consent_store;
mod consents;
mod customer_info;
mod customer_store;
mod enrolment;
pub mod error;
mod flow_mark;
mod grpc;
pub mod id_card;
mod login;
pub mod mobile;
pub mod operator_mail;
pub mod operator_rules;
mod operators;
pub mod password;
mod password_reset;
pub mod person_name;
pub mod policy;
pub mod profile;
pub mod providers;
mod registration;
mod reveal;
mod schema;
pub mod sessions;
mod sms_code;
mod store;
pub mod totp;
mod verification;

use std::time::Duration;

use cashloan_proto::auth::v1::auth_server::AuthServer;
use cashloan_proto::message::v1::message_client::MessageClient;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::evidence::{StampArgs, Stamping};
use cashloan_runtime::grpc::identity::{guard, AUTH};
use cashloan_runtime::grpc::GrpcChannel;
use cashloan_runtime::pii::{self, PiiArgs};
use cashloan_runtime::{Kv, Shutdown};
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use tokio::net::TcpListener;

pub use crate::policy::Policy;
use crate::store::Store;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: postgres://… or sqlite://path.
    #[arg(
        long = "database-url",
        env = "AUTH_DATABASE_URL",
        default_value = "sqlite://data/auth.db"
    )]
    pub database_url: String,
    /// PostgreSQL connections this process keeps at most (SCALING.md).
    #[arg(long = "db-pool-size", env = "DB_POOL_SIZE", default_value_t = cashloan_runtime::db::DEFAULT_POOL_SIZE)]
    pub db_pool_size: u32,
    /// message-service's gRPC address.
    #[arg(
        long = "message-addr",
        env = "MESSAGE_ADDR",
        default_value = "http://127.0.0.1:50054"
    )]
    pub message_addr: String,
    #[command(flatten)]
    pub pii: PiiArgs,
    /// Deadline of each call to a verification vendor, milliseconds.
    #[arg(
        long = "provider-deadline-ms",
        env = "PROVIDER_DEADLINE_MS",
        default_value_t = 5000
    )]
    pub provider_deadline_ms: u64,
    #[command(flatten)]
    pub policy: Policy,
    #[command(flatten)]
    pub stamps: StampArgs,
    /// The console's address as operators open it; enrolment links point there.
    #[arg(
        long = "console-url",
        env = "CONSOLE_URL",
        default_value = "http://127.0.0.1:9998/console"
    )]
    pub console_url: String,
    #[command(flatten)]
    pub identity: cashloan_runtime::grpc::identity::IdentityArgs,
    /// The folder relay's queue of mail to operators (operator_mail.rs); the host's eyes only.
    #[arg(
        long = "operator-mail-dir",
        env = "OPERATOR_MAIL_DIR",
        default_value = "data/operator-mail"
    )]
    pub operator_mail_dir: std::path::PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("invalid service address: {0}")]
    Address(String),
    #[error(transparent)]
    Pii(#[from] pii::PiiError),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error(transparent)]
    Identity(#[from] cashloan_runtime::grpc::identity::IdentityError),
    #[error("sealing earlier accounts' mobiles: {0}")]
    Seal(String),
}

/// The service state every flow works with.
pub struct AuthCore {
    kv: Kv,
    store: Store,
    messages: MessageClient<GrpcChannel>,
    policy: Policy,
    vault: std::sync::Arc<pii::Vault>,
    providers: providers::Providers,
    clock: Clock,
    /// Stamps the consents' evidence chain once a day.
    stamping: Stamping,
    /// Where enrolment links are mailed, and the console they open.
    operator_mail: std::sync::Arc<dyn operator_mail::OperatorMail>,
    console_url: String,
    /// The callers admitted (`callers`).
    peers: cashloan_runtime::grpc::identity::Peers,
}

/// How often the audit log's finished entries are sealed into the evidence chain.
const AUDIT_SEAL_MS: u64 = 500;

/// Deadline of every call this service makes to another.
const CALL_DEADLINE: Duration = Duration::from_secs(3);

/// A lazily connecting channel to another service, with deadlines.
pub fn channel(addr: &str) -> Result<GrpcChannel, StartError> {
    cashloan_runtime::grpc::lazy_channel(addr, CALL_DEADLINE).map_err(StartError::Address)
}

/// Connects the database (running migrations, off the async threads) and builds the service
/// around `kv` and `clock`.
pub async fn build(config: &Config, kv: Kv, clock: Clock) -> Result<AuthCore, StartError> {
    let vault = std::sync::Arc::new(config.pii.vault()?);
    let pool = db::open(
        &config.database_url,
        config.db_pool_size,
        POSTGRES_MIGRATIONS,
        SQLITE_MIGRATIONS,
    )
    .await?;
    Ok(AuthCore {
        stamping: Stamping::local(&vault, config.stamps.clone()),
        kv,
        store: {
            let store = Store::new(pool, clock.clone(), vault.clone());
            let sealed = store
                .seal_old_mobiles()
                .await
                .map_err(|e| StartError::Seal(e.to_string()))?;
            if sealed > 0 {
                tracing::info!(accounts = sealed, "mobiles of earlier accounts sealed");
            }
            store
        },
        messages: MessageClient::new(channel(&config.message_addr)?.signed_by(config.identity.signer(AUTH)?)),
        peers: config.identity.peers()?,
        policy: config.policy.clone(),
        vault,
        providers: providers::Providers::local(Duration::from_millis(config.provider_deadline_ms)),
        clock,
        operator_mail: operator_mail::Spool::relay(config.operator_mail_dir.clone()),
        console_url: config.console_url.clone(),
    })
}

/// Serves the service with the standard health service until `shutdown`.
pub async fn serve(core: AuthCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let stamping = core
        .stamping
        .spawn(core.store.pool().clone(), core.clock.clone(), shutdown.clone());
    let sealer = audit::spawn_sealer(
        core.store.pool().clone(),
        core.clock.clone(),
        Duration::from_millis(AUDIT_SEAL_MS),
        shutdown.clone(),
    );
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<AuthServer<AuthCore>>().await;
    let peers = core.peers.clone();
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(guard(AuthServer::new(core), &peers, callers::allowed));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    let _ = stamping.await;
    let _ = sealer.await;
    Ok(())
}
