//! message-service: SMS delivery through a provider interface, feedback and app versions.

pub mod aliyun_sms;
pub mod app_version;
pub mod error;
pub mod grpc;
pub mod loan_messages;
mod schema;
pub mod sms;
mod store;

use std::sync::Arc;

use cashloan_proto::message::v1::message_server::MessageServer;
use cashloan_runtime::db::{self, DbError};
use cashloan_runtime::Shutdown;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use tokio::net::TcpListener;

use crate::aliyun_sms::{AliyunConfig, AliyunSms};
use crate::grpc::MessageApi;
use crate::sms::{LogProvider, SmsProvider};

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
    /// SMS provider: `log` writes texts to the log and the admin-readable outbox; `aliyun`
    /// sends them through Alibaba Cloud SMS (the `--aliyun-*` settings).
    #[arg(long = "sms-provider", env = "SMS_PROVIDER", default_value = "log")]
    pub sms_provider: String,
    #[command(flatten)]
    pub aliyun: AliyunConfig,
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

/// Connects the database (running migrations) and builds the service.
pub fn build(config: &Config) -> Result<MessageApi, StartError> {
    let pool = db::connect(&config.database_url, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS)?;
    let sms: Arc<dyn SmsProvider> = match config.sms_provider.as_str() {
        "log" => Arc::new(LogProvider::new(pool.clone())),
        "aliyun" => Arc::new(AliyunSms::new(config.aliyun.clone()).map_err(StartError::SmsProviderConfig)?),
        other => return Err(StartError::UnknownSmsProvider(other.to_owned())),
    };
    Ok(MessageApi { pool, sms })
}

/// Serves the service with the standard health service until `shutdown`.
pub async fn serve(api: MessageApi, listener: TcpListener, shutdown: Shutdown) -> Result<(), StartError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<MessageServer<MessageApi>>().await;
    let router = cashloan_runtime::grpc::server()
        .add_service(health_service)
        .add_service(MessageServer::new(api));
    cashloan_runtime::grpc::serve(router, listener, shutdown).await?;
    Ok(())
}
