use cashloan_runtime::clock::Clock;
use clap::Parser;

/// auth-service on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// gRPC listen address.
    #[arg(long, env = "AUTH_LISTEN", default_value = "127.0.0.1:50051")]
    listen: std::net::SocketAddr,
    /// Redis URL; without it an in-process store is used (one replica only).
    #[arg(long = "redis-url", env = "REDIS_URL")]
    redis_url: Option<String>,
    #[command(flatten)]
    config: auth_service::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    let args = Args::parse();
    cashloan_runtime::service::main("auth-service", &args.telemetry, |shutdown| async move {
        let kv = cashloan_runtime::Kv::from_url(args.redis_url.as_deref())?;
        let core = auth_service::build(&args.config, kv, Clock::default()).await?;
        let listener = cashloan_runtime::service::listen("auth-service", args.listen).await?;
        Ok(auth_service::serve(core, listener, shutdown).await?)
    })
    .await
}
