//! The command line of the process on its own (its `main`, and the launcher's `replica`).

use cashloan_runtime::clock::Clock;
use clap::Parser;

/// auth-service on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
pub struct Args {
    /// gRPC listen address.
    #[arg(long, env = "AUTH_LISTEN", default_value = "127.0.0.1:50051")]
    listen: std::net::SocketAddr,
    /// Redis URL; without it an in-process store is used (one replica only).
    #[arg(long = "redis-url", env = "REDIS_URL")]
    redis_url: Option<String>,
    #[command(flatten)]
    config: crate::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

/// Runs until a shutdown signal.
pub async fn run(args: Args) -> Result<(), cashloan_runtime::service::BoxError> {
    cashloan_runtime::service::main("auth-service", &args.telemetry, |shutdown| async move {
        let kv = cashloan_runtime::Kv::from_url(args.redis_url.as_deref())?;
        let core = crate::build(&args.config, kv, Clock::default()).await?;
        let listener = cashloan_runtime::service::listen("auth-service", args.listen).await?;
        Ok(crate::serve(core, listener, shutdown).await?)
    })
    .await
}
