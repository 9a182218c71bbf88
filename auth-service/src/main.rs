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
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let shutdown = cashloan_runtime::shutdown::on_signal();
    let telemetry = cashloan_runtime::telemetry::init("auth-service", &args.telemetry);
    cashloan_runtime::metrics::serve_on(args.telemetry.metrics_listen, shutdown.clone()).await?;
    let kv = cashloan_runtime::Kv::from_url(args.redis_url.as_deref())?;
    let core = auth_service::build(&args.config, kv, cashloan_runtime::clock::Clock::default()).await?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %args.listen, "auth-service listening");
    auth_service::serve(core, listener, shutdown).await?;
    telemetry.shutdown();
    Ok(())
}
