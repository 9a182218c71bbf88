//! OTLP/gRPC export of spans, each redacted first.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SpanData, SpanExporter,
};
use opentelemetry_sdk::Resource;

use super::redaction::redact_span;

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

/// Spans waiting for export at most: about 16 MB of memory when full.
const MAX_QUEUED_SPANS: usize = 16_384;

pub(super) fn tracer_provider(
    endpoint: &str,
    service: &str,
    ratio: f64,
) -> Result<SdkTracerProvider, String> {
    use opentelemetry_otlp::WithExportConfig;
    let runtime = export_runtime()?;
    let inner = {
        let _entered = runtime.enter();
        opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .with_timeout(Duration::from_secs(10))
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
                // The SDK's 2,048 drops spans whenever an export runs late on a loaded machine
                // (one request makes dozens of database spans); a dropped span is a broken trace.
                .with_max_queue_size(MAX_QUEUED_SPANS)
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
