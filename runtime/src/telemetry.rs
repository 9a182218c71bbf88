//! Logs and traces. Logs go to stdout as text or JSON (`--log-format`), filtered by `RUST_LOG`
//! (default `info`), every line passed through `redact`. Traces are OpenTelemetry spans exported
//! over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; without it no span is built for
//! export and nothing is sent. W3C `traceparent` joins the spans of one request across services
//! (`grpc` injects and extracts it).

use std::io::Write;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SpanData, SpanExporter,
};
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::redact;

#[derive(clap::Args, Clone, Debug)]
pub struct TelemetryArgs {
    /// Log line format: `text` or `json`.
    #[arg(long = "log-format", env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// OTLP/gRPC collector (`http://collector:4317`); unset, no trace is exported.
    #[arg(long = "otlp-endpoint", env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// Share of new traces kept, 0.0–1.0; a caller's decision is followed.
    #[arg(
        long = "trace-sample-ratio",
        env = "OTEL_TRACES_SAMPLER_ARG",
        default_value_t = 1.0
    )]
    pub sample_ratio: f64,
    /// Service name on exported spans (OTel's `service.name`).
    #[arg(long = "service-name", env = "OTEL_SERVICE_NAME")]
    pub service_name: Option<String>,
    /// Where a service serves its Prometheus metrics (any path); unset, nowhere.
    #[arg(long = "metrics-listen", env = "METRICS_LISTEN")]
    pub metrics_listen: Option<std::net::SocketAddr>,
}

impl Default for TelemetryArgs {
    fn default() -> Self {
        Self {
            log_format: "text".into(),
            otlp_endpoint: None,
            sample_ratio: 1.0,
            service_name: None,
            metrics_listen: None,
        }
    }
}

/// Holds the exporter; `shutdown` sends what is still buffered.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends every finished span now (tests; before exit).
    pub fn flush(&self) {
        if let Some(p) = &self.provider {
            let _ = p.force_flush();
        }
    }

    pub fn shutdown(self) {
        if let Some(p) = self.provider {
            let _ = p.shutdown();
        }
    }
}

/// Installs logging (and tracing when configured) for the process; later calls are no-ops.
pub fn init(service: &str, args: &TelemetryArgs) -> Telemetry {
    init_with_writer(service, args, std::io::stdout)
}

/// As `init`, writing log lines to `writer` (tests capture them).
pub fn init_with_writer<W>(service: &str, args: &TelemetryArgs, writer: W) -> Telemetry
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let provider = args
        .otlp_endpoint
        .as_deref()
        .filter(|e| !e.is_empty())
        .and_then(|endpoint| {
            let name = args.service_name.clone().unwrap_or_else(|| service.to_owned());
            match tracer_provider(endpoint, &name, args.sample_ratio) {
                Ok(p) => Some(p),
                Err(e) => {
                    eprintln!("trace export disabled: {e}");
                    None
                }
            }
        });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = log_layer(&args.log_format, writer).with_filter(filter);
    // Spans of our own crates and the ones named in the pipeline; not the internals of h2 or hyper.
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("cashloan"))
            .with_filter(Targets::new().with_default(LevelFilter::INFO))
    });
    let _ = tracing_subscriber::registry().with(otel).with(logs).try_init();
    Telemetry { provider }
}

/// Log lines as text or JSON (with the fields of every enclosing span, trace ids included),
/// each redacted.
fn log_layer<S, W>(format: &str, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let writer = Redacting(writer);
    if format == "json" {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .with_writer(writer)
            .boxed()
    } else {
        // No colour codes: they would split `key=value` pairs apart from the redactor.
        tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(false)
            .with_writer(writer)
            .boxed()
    }
}

/// The runtime the exporter's gRPC client lives on: the SDK's batch thread has no reactor of its
/// own, and no service runtime outlives every test that starts one.
fn export_runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("otel-export")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    Ok(RUNTIME.get_or_init(|| rt))
}

fn tracer_provider(endpoint: &str, service: &str, ratio: f64) -> Result<SdkTracerProvider, String> {
    use opentelemetry_otlp::WithExportConfig;
    let runtime = export_runtime()?;
    let inner = {
        let _entered = runtime.enter();
        opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .with_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?
    };
    let exporter = RedactingExporter {
        inner: Arc::new(inner),
        runtime: runtime.handle().clone(),
    };
    let batch = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(Duration::from_millis(500))
                .build(),
        )
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(batch)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            ratio.clamp(0.0, 1.0),
        ))))
        .with_resource(Resource::builder().with_service_name(service.to_owned()).build())
        .build())
}

/// Redacts every span, then exports it on the export runtime.
#[derive(Debug)]
struct RedactingExporter {
    inner: Arc<opentelemetry_otlp::SpanExporter>,
    runtime: tokio::runtime::Handle,
}

impl SpanExporter for RedactingExporter {
    fn export(&self, mut batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        for span in &mut batch {
            redact_span(span);
        }
        let inner = self.inner.clone();
        let task = self.runtime.spawn(async move { inner.export(batch).await });
        async move {
            task.await
                .unwrap_or_else(|e| Err(OTelSdkError::InternalFailure(e.to_string())))
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}

/// Masks secret attributes and secret-looking text in a span, its name and its events.
pub fn redact_span(span: &mut SpanData) {
    redact_attributes(&mut span.attributes);
    if let std::borrow::Cow::Owned(name) = redact::text(&span.name) {
        span.name = name.into();
    }
    for event in span.events.events.iter_mut() {
        if let std::borrow::Cow::Owned(name) = redact::text(&event.name) {
            event.name = name.into();
        }
        redact_attributes(&mut event.attributes);
    }
}

fn redact_attributes(attributes: &mut [KeyValue]) {
    for kv in attributes.iter_mut() {
        if redact::is_secret_key(kv.key.as_str()) {
            kv.value = Value::from("***");
        } else if let Value::String(s) = &kv.value {
            if let std::borrow::Cow::Owned(clean) = redact::text(s.as_str()) {
                kv.value = Value::from(clean);
            }
        }
    }
}

/// A log writer that redacts each event's line before it is written.
struct Redacting<W>(W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Redacting<W> {
    type Writer = RedactingLine<W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingLine {
            line: Vec::new(),
            out: self.0.make_writer(),
        }
    }
}

/// Collects one event's output; redacts and writes it when dropped.
pub struct RedactingLine<W: Write> {
    line: Vec<u8>,
    out: W,
}

impl<W: Write> Write for RedactingLine<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for RedactingLine<W> {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        let _ = self.out.write_all(redact::text(&text).as_bytes());
        let _ = self.out.flush();
    }
}

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
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_lines_are_redacted_in_both_formats() {
        for format in ["text", "json"] {
            let captured = Captured::default();
            let sink = captured.clone();
            let subscriber = tracing_subscriber::registry().with(log_layer(format, move || sink.clone()));
            tracing::subscriber::with_default(subscriber, || {
                tracing::info!(password = "hunter2", mobile = "13800138000", "sent code 042917");
            });
            let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
            assert!(
                !out.contains("hunter2") && !out.contains("13800138000") && !out.contains("042917"),
                "{format}: {out}"
            );
            assert!(out.contains("138****8000"), "{out}");
        }
    }

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

    #[test]
    fn span_attributes_and_events_are_redacted() {
        let mut attributes = vec![
            KeyValue::new("password", "hunter2"),
            KeyValue::new("mobile", "13800138000"),
            KeyValue::new("http.route", "/openApi/getSmsCode"),
        ];
        redact_attributes(&mut attributes);
        assert_eq!(attributes[0].value, Value::from("***"));
        assert_eq!(attributes[1].value, Value::from("138****8000"));
        assert_eq!(attributes[2].value, Value::from("/openApi/getSmsCode"));
    }
}
