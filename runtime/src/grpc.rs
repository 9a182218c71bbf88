//! gRPC plumbing shared by the services: serving with health and graceful shutdown, and failures
//! that carry a stable machine-readable reason.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cashloan_proto::Reason;
use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::transport::server::{Router, TcpIncoming};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::Shutdown;

pub mod balance;
pub mod identity;

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
/// gives up connecting after a second, and puts `deadline` on every call. An address naming
/// several endpoints (a comma-separated list, or `dns:///name:port`) gets a channel balanced over
/// those that answer (`balance`).
pub fn lazy_channel(addr: &str, deadline: Duration) -> Result<GrpcChannel, String> {
    let configure = move |e: Endpoint| e.connect_timeout(Duration::from_secs(1)).timeout(deadline);
    Ok(match balance::Targets::parse(addr)? {
        balance::Targets::Single(one) => {
            let endpoint = Endpoint::from_shared(one.clone()).map_err(|e| format!("{one:?}: {e}"))?;
            Traced {
                inner: configure(endpoint).connect_lazy(),
                deadline,
                failures: None,
                signer: None,
            }
        }
        many => {
            if tokio::runtime::Handle::try_current().is_err() {
                return Err(format!("{addr:?}: a balanced channel is made inside the runtime"));
            }
            let (inner, failures) = balance::balanced_channel(many, configure)?;
            Traced {
                inner,
                deadline,
                failures: Some(failures),
                signer: None,
            }
        }
    })
}

/// The channel every service calls another through: each call is a client span whose context
/// travels in `traceparent`, and a repeatable call that met an unavailable endpoint is made once
/// more.
pub type GrpcChannel = Traced<Channel>;

#[derive(Clone, Debug)]
pub struct Traced<S> {
    inner: S,
    /// The whole call's deadline, both attempts and any wait in the balancer for an endpoint.
    deadline: Duration,
    /// Told when a call finds an endpoint unavailable: the balancer's watcher checks them now.
    failures: Option<Arc<tokio::sync::Notify>>,
    /// Signs every call as its service (`identity`).
    signer: Option<identity::Signer>,
}

impl<S> Traced<S> {
    /// Every call through this channel names its caller, signed (`identity`).
    #[must_use]
    pub fn signed_by(mut self, signer: identity::Signer) -> Self {
        self.signer = Some(signer);
        self
    }
}

/// The pause before a repeat on a balanced channel: a health check of a dead loopback or LAN
/// endpoint fails in well under this.
const REPEAT_AFTER: Duration = Duration::from_millis(30);

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

impl<S, R> tower::Service<http::Request<Body>> for Traced<S>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<tower::BoxError> + Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = tower::BoxError;
    type Future = BoxFuture<Result<S::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        use tracing::Instrument;
        let method = request.uri().path().trim_start_matches('/').to_owned();
        let span =
            crate::span!("grpc.client", otel.name = %method, otel.kind = "client", rpc.system = "grpc");
        crate::telemetry::inject(&span, request.headers_mut());
        if let Some(signer) = &self.signer {
            let path = request.uri().path().to_owned();
            signer.sign(request.headers_mut(), &path);
        }
        let started = std::time::Instant::now();
        let deadline = self.deadline;
        let call: BoxFuture<Result<S::Response, tower::BoxError>> =
            if cashloan_proto::is_repeatable(request.uri().path()) {
                // The service made ready is the one the first attempt must use (tower's contract).
                let spare = self.inner.clone();
                let ready = std::mem::replace(&mut self.inner, spare);
                Box::pin(call_repeatable(ready, request, self.failures.clone()))
            } else {
                let call = self.inner.call(request);
                Box::pin(async move { call.await.map_err(Into::into) })
            };
        Box::pin(
            async move {
                let result = match tokio::time::timeout(deadline, call).await {
                    Ok(result) => result,
                    // A status, so the caller sees DEADLINE_EXCEEDED as from any slow call.
                    Err(_) => {
                        Err(Box::new(Status::deadline_exceeded("no answer in time")) as tower::BoxError)
                    }
                };
                record_call(&method, &result, started.elapsed());
                result
            }
            .instrument(span),
        )
    }
}

/// A call the proto marks safe to repeat (`cashloan_proto::REPEATABLE_METHODS`): when the endpoint
/// is unavailable (no connection, or an UNAVAILABLE status) it is made once more, a moment later,
/// when the watcher told of the failure has usually taken a dead endpoint out. Writes never come
/// here: whether they happened is unknown after such a failure.
async fn call_repeatable<S, R>(
    mut service: S,
    request: http::Request<Body>,
    failures: Option<Arc<tokio::sync::Notify>>,
) -> Result<S::Response, tower::BoxError>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<R>>,
    S::Error: Into<tower::BoxError>,
{
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let (parts, body) = request.into_parts();
    // A unary request is one small message: kept so it can be sent twice.
    let bytes = body.collect().await?.to_bytes();
    let again = http::Request::from_parts(parts.clone(), Body::new(http_body_util::Full::new(bytes.clone())));
    let first = service
        .call(http::Request::from_parts(
            parts,
            Body::new(http_body_util::Full::new(bytes)),
        ))
        .await
        .map_err(Into::into);
    if !unavailable_endpoint(&first) {
        return first;
    }
    if let Some(failures) = failures {
        failures.notify_one();
        tokio::time::sleep(REPEAT_AFTER).await;
    }
    tracing::debug!("repeating a call that met an unavailable endpoint");
    crate::metrics::global().count(
        "grpc_client_retries_total",
        "Repeatable calls made a second time after an unavailable endpoint.",
        &[("method", again.uri().path().trim_start_matches('/'))],
        1,
    );
    service
        .ready()
        .await
        .map_err(Into::into)?
        .call(again)
        .await
        .map_err(Into::into)
}

/// No connection to the endpoint, or its answer UNAVAILABLE (14).
fn unavailable_endpoint<R>(result: &Result<http::Response<R>, tower::BoxError>) -> bool {
    match result {
        Err(_) => true,
        Ok(response) => {
            response
                .headers()
                .get("grpc-status")
                .map(http::HeaderValue::as_bytes)
                == Some(b"14")
        }
    }
}

/// Downstream call latency by service, method and outcome: `ok`, `error` (a gRPC status other
/// than OK, which arrives in the headers when the call failed at once) or `transport`.
fn record_call<R, E>(method: &str, result: &Result<http::Response<R>, E>, elapsed: Duration) {
    let outcome = match result {
        Err(_) => "transport",
        Ok(response) => match response
            .headers()
            .get("grpc-status")
            .map(http::HeaderValue::as_bytes)
        {
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
