//! loadgen: drives a running stack like the app does (signed requests, fresh nonces, sessions) and
//! reports throughput and latency percentiles, as a table and as JSON.
//!
//!   cargo run --release -p cashloan-bench --bin loadgen -- --scenario products --mode closed -c 32

mod client;
mod otlp_sink;
mod runner;
mod scenarios;

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde_json::json;

use crate::scenarios::Scenario;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Mode {
    Closed,
    Open,
}

#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[arg(long, value_enum, default_value = "products")]
    scenario: Scenario,
    #[arg(long, value_enum, default_value = "closed")]
    mode: Mode,
    /// Closed loop: concurrent clients.
    #[arg(short = 'c', long, default_value_t = 32)]
    concurrency: usize,
    /// Open loop: requests per second.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Seconds of load (after set-up and a one-second warm-up).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Users to register and log in first (session-read, quote, login).
    #[arg(long, default_value_t = 1000)]
    users: usize,
    #[arg(long, env = "LOADGEN_API", default_value = "http://127.0.0.1:9999")]
    api: String,
    #[arg(long, env = "LOADGEN_ADMIN", default_value = "http://127.0.0.1:9998")]
    admin: String,
    #[arg(long, env = "ADMIN_TOKEN", default_value = "")]
    admin_token: String,
    #[arg(long, env = "LOADGEN_APP_KEY", default_value = "12345678")]
    app_key: String,
    /// The stack's SMS phones (`<data dir>/sms-spool` of its `log` provider), where set-up reads
    /// the registration codes.
    #[arg(long, env = "LOADGEN_SMS_SPOOL", default_value = "data/sms-spool")]
    sms_spool: std::path::PathBuf,
    /// product-service's gRPC address, for `--scenario direct`.
    #[arg(long, default_value = "http://127.0.0.1:50052")]
    direct_addr: String,
    /// The gateway's service key (`GATEWAY_SERVICE_KEY` of `cashloan-keys`) that `--scenario
    /// direct` signs its calls with, as the gateway would.
    #[arg(long, env = "LOADGEN_SERVICE_KEY", default_value = "", hide_env_values = true)]
    service_key: String,
    /// Where to write the result as JSON.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Instead of load: receive and discard OTLP traces on this address (tracing-cost runs).
    #[arg(long)]
    otlp_sink: Option<std::net::SocketAddr>,
    /// Instead of load: the machine's raw Argon2id verification rate with auth-service's own
    /// parameters and code, `-c` verifications at a time (the ceiling of the login scenario).
    #[arg(long)]
    argon2_raw: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if let Some(addr) = args.otlp_sink {
        return otlp_sink::run(addr).await;
    }
    if args.argon2_raw {
        return argon2_raw(args.concurrency, Duration::from_secs(args.duration)).await;
    }
    let app = client::App::new(
        &args.api,
        &args.admin,
        &args.admin_token,
        &args.app_key,
        &args.sms_spool,
    );
    let fixture = Arc::new(
        scenarios::prepare(
            app,
            args.scenario,
            args.users,
            (&args.direct_addr, &args.service_key),
        )
        .await?,
    );
    let run = |duration: Duration| {
        let fixture = fixture.clone();
        async move {
            match args.mode {
                Mode::Closed => runner::closed(fixture, args.scenario, args.concurrency, duration).await,
                Mode::Open => runner::open(fixture, args.scenario, args.rate, duration).await,
            }
        }
    };
    run(Duration::from_secs(1)).await;
    let outcome = run(Duration::from_secs(args.duration)).await;
    let h = &outcome.latencies_us;
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    let throughput = h.len() as f64 / outcome.elapsed.as_secs_f64();
    let load = match args.mode {
        Mode::Closed => format!("closed c={}", args.concurrency),
        Mode::Open => format!("open {}/s", args.rate),
    };
    println!(
        "| scenario | load | requests | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {load} | {} | {} | {throughput:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
        args.scenario.name(),
        h.len(),
        outcome.errors,
        ms(0.5),
        ms(0.9),
        ms(0.99),
        ms(0.999),
        h.max() as f64 / 1000.0
    );
    if let Some(path) = args.json {
        let report = json!({
            "scenario": args.scenario.name(), "load": load, "requests": h.len(), "errors": outcome.errors,
            "throughput": throughput, "p50_ms": ms(0.5), "p90_ms": ms(0.9), "p99_ms": ms(0.99),
            "p999_ms": ms(0.999), "max_ms": h.max() as f64 / 1000.0,
        });
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}

/// Verifies one stored hash as fast as `concurrency` blocking workers can, for `duration`.
async fn argon2_raw(concurrency: usize, duration: Duration) -> Result<(), Box<dyn std::error::Error>> {
    let stored = auth_service::password::NewPassword::parse(client::PASSWORD)?
        .hash()
        .await?;
    let deadline = std::time::Instant::now() + duration;
    let started = std::time::Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let stored = stored.clone();
        workers.push(tokio::spawn(async move {
            let mut done = 0u64;
            while std::time::Instant::now() < deadline {
                if matches!(
                    auth_service::password::verify(client::PASSWORD, &stored).await,
                    Ok(true)
                ) {
                    done += 1;
                }
            }
            done
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await?;
    }
    println!(
        "argon2id raw: {total} verifications in {:.1} s = {:.1}/s with {concurrency} at a time",
        started.elapsed().as_secs_f64(),
        total as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}
