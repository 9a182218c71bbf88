//! The request pipeline of the app API (API.md §1–§4): route, body, envelope, signature, window,
//! replay guard, session, handler, signed envelope.

use std::time::{Duration, Instant};

use actix_web::cookie::Cookie;
use actix_web::http::{header, Method};
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as pb;
use futures_util::StreamExt;
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::call::Call;
use crate::codes::{self, from_status, Failure, Failures};
use crate::envelope::{self, Outcome};
use crate::routes::{Access, Handler, Kind};
use crate::signing;
use crate::state::Gateway;

/// Largest accepted body, after decompression (API.md §1).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub async fn dispatch(req: HttpRequest, payload: web::Payload, gw: Data<Gateway>) -> HttpResponse {
    let started = Instant::now();
    let route = crate::routes::lookup(req.path());
    let path = route.map_or("unmatched", |r| r.path);
    // The root of the request's trace; its id goes back to the client for support to find.
    let span = tracing::info_span!(
        "request",
        otel.name = path,
        otel.kind = "server",
        http.route = path,
        response_code = tracing::field::Empty,
        user_id = tracing::field::Empty,
        app_type = tracing::field::Empty,
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
    );
    // Without tracing, a random id still lets support match a reply to its log lines.
    let trace_id = cashloan_runtime::telemetry::record_ids(&span).unwrap_or_else(|| {
        let id = hex::encode(rand::random::<[u8; 16]>());
        span.record("trace_id", id.as_str());
        id
    });
    let (mut response, code) = match route {
        None => (HttpResponse::NotFound().finish(), "404".to_owned()),
        Some(route) => handle(&req, payload, &gw, route).instrument(span.clone()).await,
    };
    span.record("response_code", code.as_str());
    if code == codes::system_error().code {
        span.in_scope(|| tracing::error!(trace_id = %trace_id, route = path, "system error answered"));
    }
    if let Ok(value) = header::HeaderValue::from_str(&trace_id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-trace-id"), value);
    }
    gw.metrics.record(path, &code, started.elapsed());
    response
}

/// The response to a routed request, and the code it carries.
async fn handle(
    req: &HttpRequest,
    payload: web::Payload,
    gw: &Data<Gateway>,
    route: crate::routes::Route,
) -> (HttpResponse, String) {
    match route.kind {
        Kind::Page(html) if req.method() == Method::GET || req.method() == Method::POST => (
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html),
            "200".to_owned(),
        ),
        Kind::Api(access, handler) if req.method() == Method::POST => match read_body(req, payload).await {
            Err(BodyError::TooLarge) => (HttpResponse::PayloadTooLarge().finish(), "413".to_owned()),
            Err(BodyError::Unreadable) => respond(gw, Err(codes::bad_request()), None),
            Ok(bytes) => {
                let (outcome, key) = api_call(gw, req, &bytes, access, handler).await;
                respond(gw, outcome, key)
            }
        },
        _ => (
            HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, "POST"))
                .finish(),
            "405".to_owned(),
        ),
    }
}

enum BodyError {
    TooLarge,
    Unreadable,
}

/// Reads the body, undoing `Content-Encoding: gzip`; the limit applies to the decoded size.
async fn read_body(req: &HttpRequest, payload: web::Payload) -> Result<Bytes, BodyError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT) {
        return Err(BodyError::TooLarge);
    }
    let mut stream = actix_web::dev::Decompress::from_headers(payload.into_inner(), req.headers());
    let mut body = web::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Runs the protocol checks and the handler; returns the outcome and the key that verified.
async fn api_call(
    gw: &Data<Gateway>,
    req: &HttpRequest,
    bytes: &[u8],
    access: Access,
    handler: Handler,
) -> (Outcome, Option<String>) {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(bytes) else {
        return (Err(codes::bad_request()), None);
    };
    let (key_index, sign) = match check_envelope(gw, &body) {
        Ok(checked) => checked,
        Err(failure) => return (Err(failure), None),
    };
    let key = gw.config.app_keys[key_index].clone();
    if let Some(Value::String(app_type)) = body.get("appType") {
        tracing::Span::current().record("app_type", app_type.as_str());
    }
    let session_token = presented_token(req, &body);
    // Two independent round trips, overlapped; the replay verdict comes first, and resolving a
    // session changes nothing but its expiry, which any accepted request would slide anyway.
    let (guard, user) = tokio::join!(
        replay_guard(gw, &sign),
        resolve_user(gw, access, session_token.as_deref())
    );
    if let Err(failure) = guard {
        return (Err(failure), None);
    }
    let user = match user {
        Ok(user) => user,
        Err(failure) => return (Err(failure), Some(key)),
    };
    if let Some(user) = &user {
        tracing::Span::current().record("user_id", user.user_id.as_str());
    }
    let client_ip = crate::client_ip::of_request(req, &gw.config.trusted_proxies);
    let call = Call {
        body,
        app_key: key.clone(),
        session_token,
        user,
        client_ip,
    };
    (handler(gw.clone(), call).await, Some(key))
}

/// §2–§3: timestamp, nonce, signature, window. Returns the index of the app key that signed, and
/// the signature (lower case) for the replay guard.
fn check_envelope(gw: &Gateway, body: &Map<String, Value>) -> Result<(usize, String), Failure> {
    let timestamp = parse_timestamp(body.get("timestamp")).ok_or_else(codes::bad_timestamp)?;
    match body.get("nonce") {
        Some(Value::String(n))
            if (1..=32).contains(&n.len()) && n.bytes().all(|b| (0x21..=0x7e).contains(&b)) => {}
        _ => return Err(codes::bad_field("nonce")),
    }
    let key_index = signing::verify(&gw.config.app_keys, body).ok_or_else(codes::bad_sign)?;
    let window_ms = gw.config.timestamp_window_secs as i64 * 1000;
    if (cashloan_runtime::clock::now_ms() - timestamp).abs() > window_ms {
        return Err(codes::bad_timestamp());
    }
    let sign = body
        .get("sign")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    Ok((key_index, sign))
}

/// §3: a signature is accepted once while its timestamp can be inside the window.
async fn replay_guard(gw: &Gateway, sign: &str) -> Result<(), Failure> {
    let guard_for = Duration::from_secs(gw.config.timestamp_window_secs * 2 + 1);
    match gw.kv.set_nx_ex(&format!("replay:{sign}"), "1", guard_for).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(codes::replayed()),
        Err(e) => {
            tracing::warn!(error = %e, "replay guard unavailable");
            Err(codes::busy())
        }
    }
}

/// Milliseconds since the epoch, as a string of digits (or, leniently, a JSON integer).
fn parse_timestamp(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::String(s) if (1..=15).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        Value::Number(n) => n.as_i64().filter(|v| *v >= 0),
        _ => None,
    }
}

/// The session token, from the `Authorization: Bearer` header, the `JSESSIONID` cookie, or the
/// body's `sessionId`, in that order (API.md §4).
fn presented_token(req: &HttpRequest, body: &Map<String, Value>) -> Option<String> {
    let from_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let from_cookie = || req.cookie("JSESSIONID").map(|c| c.value().to_owned());
    let from_body = || body.get("sessionId").and_then(Value::as_str).map(str::to_owned);
    from_header
        .or_else(from_cookie)
        .or_else(from_body)
        .filter(|t| !t.is_empty())
}

pub(crate) const SESSION: Failures = Failures {
    specific: &[],
    fallback: ("99990004", "未登录或登录已失效"),
};

async fn resolve_user(
    gw: &Gateway,
    access: Access,
    token: Option<&str>,
) -> Result<Option<pb::SessionUser>, Failure> {
    let token = match (access, token) {
        (Access::Open, _) | (Access::OptionalSession, None) => return Ok(None),
        (Access::Session, None) => return Err(codes::not_logged_in()),
        (_, Some(token)) => token,
    };
    let request = pb::ResolveSessionRequest {
        session_token: token.to_owned(),
    };
    match gw.auth.clone().resolve_session(request).await {
        Ok(reply) => Ok(Some(reply.into_inner())),
        Err(status) => Err(from_status(&status, &SESSION)),
    }
}

/// The signed envelope response, and the outcome code for metrics.
fn respond(gw: &Gateway, outcome: Outcome, key: Option<String>) -> (HttpResponse, String) {
    let key = key.as_deref().unwrap_or(gw.primary_key());
    let (code, session_cookie) = match &outcome {
        Ok(s) => (s.code, s.session_cookie.clone()),
        Err(f) => (f.code, None),
    };
    let body = envelope::render(outcome, Some(key));
    let mut response = HttpResponse::Ok();
    response.content_type("application/json; charset=UTF-8");
    if let Some(token) = session_cookie {
        response.cookie(
            Cookie::build("JSESSIONID", token)
                .path("/")
                .http_only(true)
                .finish(),
        );
    }
    (response.body(Value::Object(body).to_string()), code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_digits() {
        assert_eq!(
            parse_timestamp(Some(&json!("1511758907184"))),
            Some(1511758907184)
        );
        assert_eq!(
            parse_timestamp(Some(&json!(1511758907184u64))),
            Some(1511758907184)
        );
        assert_eq!(parse_timestamp(Some(&json!("15117589071a4"))), None);
        assert_eq!(parse_timestamp(Some(&json!("-1"))), None);
        assert_eq!(parse_timestamp(Some(&json!(""))), None);
        assert_eq!(parse_timestamp(None), None);
    }
}
