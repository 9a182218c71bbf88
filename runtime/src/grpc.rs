//! gRPC plumbing shared by the services: serving with health and graceful shutdown, and failures
//! that carry a stable machine-readable reason.

use std::collections::HashMap;
use std::time::Duration;

use cashloan_proto::Reason;
use tokio::net::TcpListener;
use tonic::transport::server::{Router, TcpIncoming};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::Shutdown;

/// The domain that every ErrorInfo reason of ours is issued under.
pub const REASON_DOMAIN: &str = "cashloan";

/// How long in-flight calls get to finish after shutdown before their connections are dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` until `shutdown` fires, then lets in-flight calls finish for at
/// most `SHUTDOWN_GRACE` (a peer that never closes its connection must not hold the process up).
pub async fn serve(
    router: Router,
    listener: TcpListener,
    shutdown: Shutdown,
) -> Result<(), tonic::transport::Error> {
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.wait().await;
        let _ = stopping.send(());
    };
    // Without TCP_NODELAY a small reply can wait for the peer's delayed ACK (~40 ms).
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let server = router.serve_with_incoming_shutdown(incoming, signal);
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result,
        _ = grace_over(stopped) => {
            tracing::warn!("shutdown grace period over; dropping open connections");
            Ok(())
        }
    }
}

/// Completes `SHUTDOWN_GRACE` after shutdown began.
async fn grace_over(stopping: tokio::sync::oneshot::Receiver<()>) {
    match stopping.await {
        Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
        // The server ended without a shutdown: nothing to wait for.
        Err(_) => std::future::pending().await,
    }
}

/// A channel to another service that connects on first use (so services start in any order),
/// gives up connecting after a second, and puts `deadline` on every call.
pub fn lazy_channel(addr: &str, deadline: Duration) -> Result<GrpcChannel, String> {
    let endpoint = Endpoint::from_shared(addr.to_owned()).map_err(|e| format!("{addr:?}: {e}"))?;
    Ok(Traced {
        inner: endpoint
            .connect_timeout(Duration::from_secs(1))
            .timeout(deadline)
            .connect_lazy(),
    })
}

/// The channel every service calls another through: each call is a client span whose context
/// travels in `traceparent`.
pub type GrpcChannel = Traced<Channel>;

#[derive(Clone, Debug)]
pub struct Traced<S> {
    inner: S,
}

impl<S, B, R> tower::Service<http::Request<B>> for Traced<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        use tracing::Instrument;
        let method = request.uri().path().trim_start_matches('/').to_owned();
        let span =
            crate::span!("grpc.client", otel.name = %method, otel.kind = "client", rpc.system = "grpc");
        crate::telemetry::inject(&span, request.headers_mut());
        let started = std::time::Instant::now();
        let call = self.inner.call(request).instrument(span);
        Box::pin(async move {
            let result = call.await;
            record_call(&method, &result, started.elapsed());
            result
        })
    }
}

/// Downstream call latency by service, method and outcome: `ok`, `error` (a gRPC status other
/// than OK, which arrives in the headers when the call failed at once) or `transport`.
fn record_call<R, E>(method: &str, result: &Result<http::Response<R>, E>, elapsed: Duration) {
    let outcome = match result {
        Err(_) => "transport",
        Ok(response) => match response.headers().get("grpc-status").map(|v| v.as_bytes()) {
            None | Some(b"0") => "ok",
            Some(_) => "error",
        },
    };
    let (service, method) = method.split_once('/').unwrap_or((method, ""));
    crate::metrics::global().observe(
        "grpc_client_duration_seconds",
        "Calls to other services by service, method and outcome.",
        &[("service", service), ("method", method), ("outcome", outcome)],
        elapsed,
    );
}

/// A server builder whose every call (health checks aside) runs in a server span, the child of
/// the caller's `traceparent`.
pub fn server() -> tonic::transport::Server {
    tonic::transport::Server::builder().trace_fn(server_span)
}

fn server_span(request: &http::Request<()>) -> tracing::Span {
    let method = request.uri().path().trim_start_matches('/');
    if method.starts_with("grpc.health.") {
        return tracing::Span::none();
    }
    // Not `span!`: reading the ids fixes the span's parent, which must be the caller's first.
    let span = tracing::info_span!(
        "grpc.server",
        otel.name = %method,
        otel.kind = "server",
        rpc.system = "grpc",
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty
    );
    crate::telemetry::adopt_parent(&span, request.headers());
    crate::telemetry::record_ids(&span);
    span
}

/// A status whose ErrorInfo carries `reason` by name; the gateway maps it to a response code.
pub fn failure(code: Code, reason: Reason, message: impl Into<String>) -> Status {
    let details = ErrorDetails::with_error_info(
        reason.as_str_name(),
        REASON_DOMAIN,
        HashMap::<String, String>::new(),
    );
    Status::with_error_details(code, message, details)
}

/// The ErrorInfo reason of a status, when it has one of ours. A name this build does not know
/// (a newer service) is `Unspecified`, so the caller answers with its generic failure.
pub fn reason_of(status: &Status) -> Option<Reason> {
    let details = status.get_error_details();
    let info = details.error_info()?;
    if info.domain != REASON_DOMAIN {
        return None;
    }
    Some(Reason::from_str_name(&info.reason).unwrap_or_else(|| {
        tracing::error!(reason = %info.reason, "unknown failure reason");
        Reason::Unspecified
    }))
}

/// Every service's own dependencies (database, Redis, another service) being down or slow; the
/// gateway turns it into `99990005`.
pub fn unavailable(what: impl std::fmt::Display) -> Status {
    tracing::warn!(error = %what, "dependency unavailable");
    failure(
        Code::Unavailable,
        Reason::DependencyUnavailable,
        "service temporarily unavailable",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_carries_its_reason() {
        let status = failure(Code::FailedPrecondition, Reason::SmsCodeExpired, "expired");
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_eq!(reason_of(&status), Some(Reason::SmsCodeExpired));
        assert_eq!(reason_of(&Status::internal("x")), None);
    }

    #[test]
    fn a_reason_this_build_does_not_know_is_unspecified() {
        let details =
            ErrorDetails::with_error_info("FROM_THE_FUTURE", REASON_DOMAIN, HashMap::<String, String>::new());
        let status = Status::with_error_details(Code::FailedPrecondition, "x", details);
        assert_eq!(reason_of(&status), Some(Reason::Unspecified));
    }
}
