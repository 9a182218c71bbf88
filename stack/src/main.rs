use std::net::SocketAddr;
use std::path::PathBuf;

use cashloan_stack::{generate_admin_token, Stack, StackConfig};
use clap::Parser;

/// The whole cash-loan back end in one process, with embedded defaults.
#[derive(Parser)]
#[command(name = "cashloan-stack", version, about)]
struct Args {
    /// App API listen address.
    #[arg(long, env = "CASHLOAN_LISTEN", default_value = "127.0.0.1:9999")]
    listen: SocketAddr,
    /// Admin API listen address.
    #[arg(
        long = "admin-listen",
        env = "CASHLOAN_ADMIN_LISTEN",
        default_value = "127.0.0.1:9998"
    )]
    admin_listen: SocketAddr,
    /// Admin bearer token; when unset one is generated and printed.
    #[arg(long = "admin-token", env = "ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Directory of the SQLite files (one per service) when PostgreSQL is not used.
    #[arg(long = "data-dir", env = "CASHLOAN_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// PostgreSQL server URL (e.g. postgres://postgres@127.0.0.1:5432); each service uses its own
    /// database on it (cashloan_auth, cashloan_message, …), created when missing.
    #[arg(long, env = "CASHLOAN_POSTGRES")]
    postgres: Option<String>,
    /// Redis URL (e.g. redis://127.0.0.1:6379/0); replaces the embedded key-value store.
    #[arg(long, env = "CASHLOAN_REDIS")]
    redis: Option<String>,
    /// Fixed loopback gRPC ports: message-service on this one, auth, product, loan- and
    /// risk-service on the next four (benchmarks call product-service directly); unset, free ports.
    #[arg(long = "service-base-port", env = "CASHLOAN_SERVICE_BASE_PORT")]
    service_base_port: Option<u16>,
    /// The service keys as `cashloan-keys` prints them (a file), for a client of its own that
    /// calls a service directly (the benchmarks); unset, a new set at each start.
    #[arg(long = "service-keys-file", env = "CASHLOAN_SERVICE_KEYS_FILE")]
    service_keys_file: Option<PathBuf>,
    /// Who decides the sample products of a fresh installation: 1 the rules (DECISIONS.md), 0
    /// people (the benchmarks' manual apply-cycle).
    #[arg(long = "sample-review-mode", env = "SAMPLE_REVIEW_MODE", default_value_t = 1)]
    sample_review_mode: i32,
    #[command(flatten)]
    policy: auth_service::Policy,
    #[command(flatten)]
    payments: loan_service::PaymentArgs,
    #[command(flatten)]
    lender: loan_service::contracts::Lender,
    #[command(flatten)]
    telemetry: cashloan_runtime::telemetry::TelemetryArgs,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let telemetry = cashloan_runtime::telemetry::init("cashloan-stack", &args.telemetry);
    let generated = args.admin_token.is_none();
    let admin_token = args.admin_token.unwrap_or_else(generate_admin_token);
    let mut config = StackConfig::new(admin_token.clone())?;
    config.listen = args.listen;
    config.admin_listen = args.admin_listen;
    config.data_dir = args.data_dir;
    config.postgres = args.postgres;
    config.redis = args.redis;
    config.service_base_port = args.service_base_port;
    if let Some(file) = &args.service_keys_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        config.identities = Some(cashloan_runtime::grpc::identity::Deployment::parse(&text)?);
    }
    config.sample_review_mode = args.sample_review_mode;
    config.policy = args.policy;
    config.payments = args.payments;
    config.lender = args.lender;
    let stack = Stack::start(config).await?;
    if generated {
        println!("admin token (generated for this run): {admin_token}");
    }
    println!(
        "cash-loan API on http://{}  admin on http://{}",
        stack.api_addr, stack.admin_addr
    );
    cashloan_runtime::shutdown::on_signal().wait().await;
    stack.stop().await;
    telemetry.shutdown();
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
