//! What every service binary does around its own build and serve: logs and traces, the metrics
//! port, the signal that starts a graceful shutdown, and the gRPC listener.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::telemetry::{self, TelemetryArgs};
use crate::Shutdown;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs `serve` with telemetry installed and the shutdown of SIGINT/SIGTERM; flushes traces at
/// the end whatever the outcome.
pub async fn main<F, Fut>(name: &'static str, args: &TelemetryArgs, serve: F) -> Result<(), BoxError>
where
    F: FnOnce(Shutdown) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    let shutdown = crate::shutdown::on_signal();
    let telemetry = telemetry::init(name, args);
    crate::metrics::serve_on(args.metrics_listen, shutdown.clone()).await?;
    let outcome = serve(shutdown).await;
    if let Err(e) = &outcome {
        tracing::error!(error = %e, "{name} stopped");
    }
    telemetry.shutdown();
    outcome
}

/// The service's gRPC listener, once it is ready to serve.
pub async fn listen(name: &'static str, addr: SocketAddr) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(%addr, "{name} listening");
    Ok(listener)
}
