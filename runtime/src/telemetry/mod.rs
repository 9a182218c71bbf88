//! Logs and traces. Logs go to stdout as text or JSON (`--log-format`), filtered by `RUST_LOG`
//! (default `info`), every line passed through `redact`. Traces are OpenTelemetry spans exported
//! over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; without it no span is built for
//! export and nothing is sent. W3C `traceparent` joins the spans of one request across services
//! (`grpc` injects and extracts it).
//!
//! `export` sends spans over OTLP, `propagation` carries `traceparent` in and out, `redaction`
//! masks what a log line or span must not show; this module installs them for a process.

mod export;
mod propagation;
mod redaction;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

pub use propagation::{adopt_parent, adopt_traceparent, current_traceparent, inject, record_ids};
pub use redaction::{redact_span, RedactingLine};

use redaction::Redacting;

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
            match export::tracer_provider(endpoint, &name, args.sample_ratio) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

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
}
