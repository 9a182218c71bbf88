//! W3C `traceparent` across processes (gRPC metadata, the outbox), and the ids a log line names.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// An info span with `trace_id` and `span_id` fields, filled when tracing is on, so that every log
/// line inside it (text or JSON) names both.
#[macro_export]
macro_rules! span {
    ($name:expr $(, $($fields:tt)*)?) => {{
        let span = ::tracing::info_span!(
            $name,
            trace_id = ::tracing::field::Empty,
            span_id = ::tracing::field::Empty
            $(, $($fields)*)?
        );
        $crate::telemetry::record_ids(&span);
        span
    }};
}

/// Fills a span's `trace_id` and `span_id` fields from its OpenTelemetry context, and returns the
/// trace id (None when tracing is off). Call it after any `adopt_parent`: reading the context
/// fixes the span's parent.
pub fn record_ids(span: &tracing::Span) -> Option<String> {
    if span.is_disabled() {
        return None;
    }
    let context = span.context();
    let ids = context.span().span_context().clone();
    if !ids.is_valid() {
        return None;
    }
    let trace_id = ids.trace_id().to_string();
    span.record("trace_id", trace_id.as_str());
    span.record("span_id", ids.span_id().to_string().as_str());
    Some(trace_id)
}

/// Writes the span's `traceparent` into outgoing headers (nothing when tracing is off).
pub fn inject(span: &tracing::Span, headers: &mut http::HeaderMap) {
    let context = span.context();
    if context.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
    }
}

/// The current span's `traceparent`, to store with work that goes on later (the loan outbox);
/// None when tracing is off.
pub fn current_traceparent() -> Option<String> {
    let mut headers = http::HeaderMap::new();
    inject(&tracing::Span::current(), &mut headers);
    headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Makes a stored `traceparent` the parent of `span`.
pub fn adopt_traceparent(span: &tracing::Span, traceparent: &str) {
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_str(traceparent) {
        headers.insert("traceparent", value);
        adopt_parent(span, &headers);
    }
}

/// Makes the caller's `traceparent` (if any) the parent of `span`.
pub fn adopt_parent(span: &tracing::Span, headers: &http::HeaderMap) {
    if headers.contains_key("traceparent") {
        let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
        let _ = span.set_parent(parent);
    }
}

struct HeaderInjector<'a>(&'a mut http::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::header::HeaderName::from_bytes(key.as_bytes()),
            http::header::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn a_stored_traceparent_continues_its_trace() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let request = tracing::info_span!("request");
            let stored = request
                .in_scope(current_traceparent)
                .expect("a traceparent inside a span");
            let trace = record_ids(&request).unwrap();
            assert!(stored.starts_with(&format!("00-{trace}-")), "{stored}");
            let later = tracing::info_span!("outbox.deliver");
            adopt_traceparent(&later, &stored);
            assert_eq!(record_ids(&later).as_deref(), Some(trace.as_str()));
        });
        assert_eq!(current_traceparent(), None, "no trace without tracing");
    }
}
