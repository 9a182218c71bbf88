//! The command line of the process on its own (its `main`, and the launcher's `replica`).

use cashloan_runtime::clock::Clock;
use clap::Parser;

/// risk-service on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
pub struct Args {
    /// gRPC listen address.
    #[arg(long, env = "RISK_LISTEN", default_value = "127.0.0.1:50055")]
    listen: std::net::SocketAddr,
    #[command(flatten)]
    config: crate::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

/// Runs until a shutdown signal.
pub async fn run(args: Args) -> Result<(), cashloan_runtime::service::BoxError> {
    cashloan_runtime::service::main("risk-service", &args.telemetry, |shutdown| async move {
        let core = crate::build(&args.config, Clock::default()).await?;
        let listener = cashloan_runtime::service::listen("risk-service", args.listen).await?;
        Ok(crate::serve(core, listener, shutdown).await?)
    })
    .await
}
