//! auth-service: accounts, passwords, sessions, captcha and SMS codes with their flow marks.

pub mod bank_card;
mod captcha;
mod customer_info;
mod customer_store;
pub mod error;
mod flow_mark;
mod grpc;
pub mod id_card;
mod login;
pub mod mobile;
pub mod password;
mod password_reset;
pub mod person_name;
pub mod pii;
pub mod policy;
pub mod profile;
pub mod providers;
mod registration;
mod schema;
pub mod sessions;
mod sms_code;
mod store;
mod verification;

use std::time::Duration;

use cashloan_proto::auth::v1::auth_server::AuthServer;
use cashloan_proto::message::v1::message_client::MessageClient;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::grpc::GrpcChannel;
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
    /// message-service's gRPC address.
    #[arg(
        long = "message-addr",
        env = "MESSAGE_ADDR",
        default_value = "http://127.0.0.1:50054"
    )]
    pub message_addr: String,
    /// Encryption keys of personal data, `id:base64key` (32 bytes), comma-separated; the first
    /// encrypts, all decrypt. Without them the keys come from `--pii-key-file`.
    #[arg(long = "pii-keys", env = "PII_KEYS", value_delimiter = ',')]
    pub pii_keys: Vec<String>,
    /// Key of the ID-number keyed hash (base64, 32 bytes); required with `--pii-keys`.
    #[arg(long = "pii-hash-key", env = "PII_HASH_KEY")]
    pub pii_hash_key: Option<String>,
    /// Where the keys are kept (created on first start) when not given directly.
    #[arg(long = "pii-key-file", env = "PII_KEY_FILE", default_value = "data/pii.keys")]
    pub pii_key_file: std::path::PathBuf,
    /// Deadline of each call to a verification vendor, milliseconds.
    #[arg(
        long = "provider-deadline-ms",
        env = "PROVIDER_DEADLINE_MS",
        default_value_t = 5000
    )]
    pub provider_deadline_ms: u64,
    #[command(flatten)]
    pub policy: Policy,
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
}

/// The service state every flow works with.
pub struct AuthCore {
    kv: Kv,
    store: Store,
    messages: MessageClient<GrpcChannel>,
    policy: Policy,
    vault: pii::Vault,
    providers: providers::Providers,
}

/// Deadline of every call this service makes to another.
const CALL_DEADLINE: Duration = Duration::from_secs(3);

/// A lazily connecting channel to another service, with deadlines.
pub fn channel(addr: &str) -> Result<GrpcChannel, StartError> {
    cashloan_runtime::grpc::lazy_channel(addr, CALL_DEADLINE).map_err(StartError::Address)
}

/// Connects the database (running migrations) and builds the service around `kv`.
pub fn build(config: &Config, kv: Kv) -> Result<AuthCore, StartError> {
    // Empty values (as compose passes unset variables) count as not given.
    let keys: Vec<String> = config
        .pii_keys
        .iter()
        .filter(|k| !k.is_empty())
        .cloned()
        .collect();
    let hash_key = config.pii_hash_key.as_deref().filter(|k| !k.is_empty());
    let vault = match (&keys[..], hash_key) {
        ([], _) => pii::Vault::from_file(&config.pii_key_file)?,
        (keys, Some(hash_key)) => pii::Vault::new(keys, hash_key)?,
        (_, None) => return Err(pii::PiiError::Config("--pii-keys needs --pii-hash-key".into()).into()),
    };
    let pool = db::connect(&config.database_url, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS)?;
    Ok(AuthCore {
        kv,
        store: Store::new(pool),
        messages: MessageClient::new(channel(&config.message_addr)?),
        policy: config.policy.clone(),
        vault,
        providers: providers::Providers::local(Duration::from_millis(config.provider_deadline_ms)),
    })
}

/// Serves the service with the standard health service until `shutdown`.
pub async fn serve(core: AuthCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<AuthServer<AuthCore>>().await;
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(AuthServer::new(core));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}
