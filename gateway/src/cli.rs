//! The command line of the process on its own (its `main`, and the launcher's `replica`).

use clap::Parser;

/// The gateway on its own, for the multi-process stack.
#[derive(Parser)]
#[command(version, about)]
pub struct Args {
    /// App API listen address.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:9999")]
    listen: std::net::SocketAddr,
    /// Admin API listen address (only with an admin token).
    #[arg(long = "admin-listen", env = "ADMIN_LISTEN", default_value = "127.0.0.1:9998")]
    admin_listen: std::net::SocketAddr,
    /// Redis URL for the replay guard; without it an in-process store is used (one replica only).
    #[arg(long = "redis-url", env = "REDIS_URL")]
    redis_url: Option<String>,
    #[command(flatten)]
    config: crate::Config,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

/// Runs until a shutdown signal.
pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let telemetry = cashloan_runtime::telemetry::init("gateway", &args.telemetry);
    let kv = cashloan_runtime::Kv::from_url(args.redis_url.as_deref())?;
    let api = std::net::TcpListener::bind(args.listen)?;
    let admin = match args.config.admin_token.as_deref() {
        Some(token) if !token.is_empty() => Some(std::net::TcpListener::bind(args.admin_listen)?),
        _ => None,
    };
    let gateway = crate::start(args.config, kv, api, admin)?;
    cashloan_runtime::shutdown::on_signal().wait().await;
    gateway.stop().await;
    telemetry.shutdown();
    Ok(())
}
