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
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let shutdown = cashloan_runtime::shutdown::on_signal();
    let telemetry = cashloan_runtime::telemetry::init("message-service", &args.telemetry);
    cashloan_runtime::metrics::serve_on(args.telemetry.metrics_listen, shutdown.clone()).await?;
    let core = message_service::build(&args.config, cashloan_runtime::clock::Clock::default()).await?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %args.listen, "message-service listening");
    message_service::serve(core, listener, shutdown).await?;
    telemetry.shutdown();
    Ok(())
}
