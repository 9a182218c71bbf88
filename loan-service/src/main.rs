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
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let shutdown = cashloan_runtime::shutdown::on_signal();
    let telemetry = cashloan_runtime::telemetry::init("loan-service", &args.telemetry);
    cashloan_runtime::metrics::serve_on(args.telemetry.metrics_listen, shutdown.clone()).await?;
    let core = loan_service::build(&args.config, cashloan_runtime::clock::Clock::default()).await?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %args.listen, "loan-service listening");
    loan_service::serve(core, listener, shutdown).await?;
    telemetry.shutdown();
    Ok(())
}
