use cashloan_runtime::clock::Clock;
use clap::Parser;

/// message-service on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// gRPC listen address.
    #[arg(long, env = "MESSAGE_LISTEN", default_value = "127.0.0.1:50054")]
    listen: std::net::SocketAddr,
    #[command(flatten)]
    config: message_service::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    let args = Args::parse();
    cashloan_runtime::service::main("message-service", &args.telemetry, |shutdown| async move {
        let core = message_service::build(&args.config, Clock::default()).await?;
        let listener = cashloan_runtime::service::listen("message-service", args.listen).await?;
        Ok(message_service::serve(core, listener, shutdown).await?)
    })
    .await
}
