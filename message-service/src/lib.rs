//! message-service: SMS delivery through a provider interface, feedback and app versions.

pub mod aliyun_sms;
pub mod app_version;
mod callers;
pub mod cli;
pub mod error;
pub mod feedback;
mod grpc;
pub mod loan_messages;
mod schema;
pub mod sms;
mod store;
pub mod system_messages;

use std::sync::Arc;

use cashloan_proto::message::v1::message_server::MessageServer;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::Shutdown;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use tokio::net::TcpListener;

use crate::aliyun_sms::{AliyunConfig, AliyunSms};
use crate::sms::{LogProvider, SmsProvider};
use crate::store::Store;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: postgres://… or sqlite://path.
    #[arg(
        long = "database-url",
        env = "MESSAGE_DATABASE_URL",
        default_value = "sqlite://data/message.db"
    )]
    pub database_url: String,
    /// PostgreSQL connections this process keeps at most (SCALING.md).
    #[arg(long = "db-pool-size", env = "DB_POOL_SIZE", default_value_t = cashloan_runtime::db::DEFAULT_POOL_SIZE)]
    pub db_pool_size: u32,
    /// SMS provider: `log` delivers texts to a file per mobile (`--sms-spool-dir`) and keeps them
    /// in the admin-readable outbox with codes masked; `aliyun`
    /// sends them through Alibaba Cloud SMS (the `--aliyun-*` settings).
    #[arg(long = "sms-provider", env = "SMS_PROVIDER", default_value = "log")]
    pub sms_provider: String,
    /// Where the `log` provider's phones keep their texts (a file per mobile, the host's eyes only).
    #[arg(
        long = "sms-spool-dir",
        env = "SMS_SPOOL_DIR",
        default_value = "data/sms-spool"
    )]
    pub sms_spool_dir: std::path::PathBuf,
    #[command(flatten)]
    pub aliyun: AliyunConfig,
    #[command(flatten)]
    pub identity: cashloan_runtime::grpc::identity::IdentityArgs,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("unknown SMS provider {0:?} (available: log, aliyun)")]
    UnknownSmsProvider(String),
    #[error("SMS provider configuration: {0}")]
    SmsProviderConfig(String),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error(transparent)]
    Identity(#[from] cashloan_runtime::grpc::identity::IdentityError),
}

impl AliyunConfig {
    /// The defaults, with environment fallbacks applied (for launchers that build configs in code).
    pub fn from_env() -> Result<Self, String> {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            aliyun: AliyunConfig,
        }
        <Only as clap::Parser>::try_parse_from(["message-service"])
            .map(|o| o.aliyun)
            .map_err(|e| e.to_string())
    }
}

/// The service state every call works with.
pub struct MessageCore {
    store: Store,
    sms: Arc<dyn SmsProvider>,
    clock: Clock,
    /// The callers admitted (`callers`).
    peers: cashloan_runtime::grpc::identity::Peers,
}

/// Connects the database (running migrations, off the async threads) and builds the service.
pub async fn build(config: &Config, clock: Clock) -> Result<MessageCore, StartError> {
    let pool = db::open(
        &config.database_url,
        config.db_pool_size,
        POSTGRES_MIGRATIONS,
        SQLITE_MIGRATIONS,
    )
    .await?;
    let store = Store::new(pool, clock.clone());
    let sms: Arc<dyn SmsProvider> = match config.sms_provider.as_str() {
        "log" => Arc::new(LogProvider::new(store.clone(), config.sms_spool_dir.clone())),
        "aliyun" => Arc::new(AliyunSms::new(config.aliyun.clone()).map_err(StartError::SmsProviderConfig)?),
        other => return Err(StartError::UnknownSmsProvider(other.to_owned())),
    };
    Ok(MessageCore {
        store,
        sms,
        clock,
        peers: config.identity.peers()?,
    })
}

/// Serves the service with the standard health service until `shutdown`.
pub async fn serve(core: MessageCore, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<MessageServer<MessageCore>>().await;
    let peers = core.peers.clone();
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(cashloan_runtime::grpc::identity::guard(
            MessageServer::new(core),
            &peers,
            callers::allowed,
        ));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}
