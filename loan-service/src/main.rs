use cashloan_runtime::clock::Clock;
use clap::Parser;

/// loan-service on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// gRPC listen address.
    #[arg(long, env = "LOAN_LISTEN", default_value = "127.0.0.1:50053")]
    listen: std::net::SocketAddr,
    #[command(flatten)]
    config: loan_service::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    let args = Args::parse();
    cashloan_runtime::service::main("loan-service", &args.telemetry, |shutdown| async move {
        let core = loan_service::build(&args.config, Clock::default()).await?;
        let listener = cashloan_runtime::service::listen("loan-service", args.listen).await?;
        Ok(loan_service::serve(core, listener, shutdown).await?)
    })
    .await
}
