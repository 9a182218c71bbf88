use cashloan_runtime::clock::Clock;
use clap::Parser;

/// product-service on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// gRPC listen address.
    #[arg(long, env = "PRODUCT_LISTEN", default_value = "127.0.0.1:50052")]
    listen: std::net::SocketAddr,
    #[command(flatten)]
    config: product_service::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    let args = Args::parse();
    cashloan_runtime::service::main("product-service", &args.telemetry, |shutdown| async move {
        let core = product_service::build(&args.config, Clock::default()).await?;
        let listener = cashloan_runtime::service::listen("product-service", args.listen).await?;
        Ok(product_service::serve(core, listener, shutdown).await?)
    })
    .await
}
