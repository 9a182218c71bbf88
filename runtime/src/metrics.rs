//! Counters and latency histograms in Prometheus text format. Each service records into the
//! process's `global()` registry (downstream calls, business events) and serves it on its own
//! metrics port; the gateway keeps a registry of its own requests beside it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::Shutdown;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

struct Family {
    help: &'static str,
    histogram: bool,
    /// Rendered label set (`a="x",b="y"`) → series.
    series: BTreeMap<String, Series>,
}

#[derive(Default)]
pub struct Registry {
    families: Mutex<BTreeMap<&'static str, Family>>,
}

/// The process's registry.
pub fn global() -> &'static Registry {
    static GLOBAL: OnceLock<Registry> = OnceLock::new();
    GLOBAL.get_or_init(Registry::default)
}

fn render_labels(labels: &[(&str, &str)]) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect::<Vec<_>>()
        .join(",")
}

impl Registry {
    fn series<R>(
        &self,
        name: &'static str,
        help: &'static str,
        histogram: bool,
        labels: &[(&str, &str)],
        update: impl FnOnce(&mut Series) -> R,
    ) -> R {
        let mut families = self
            .families
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let family = families.entry(name).or_insert_with(|| Family {
            help,
            histogram,
            series: BTreeMap::new(),
        });
        update(family.series.entry(render_labels(labels)).or_default())
    }

    /// Adds `by` to a counter. Label values must come from a bounded set (routes, codes).
    pub fn count(&self, name: &'static str, help: &'static str, labels: &[(&str, &str)], by: u64) {
        self.series(name, help, false, labels, |s| s.count += by);
    }

    /// Records one latency.
    pub fn observe(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        elapsed: Duration,
    ) {
        let secs = elapsed.as_secs_f64();
        self.series(name, help, true, labels, |s| {
            s.count += 1;
            s.sum += secs;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    s.buckets[i] += 1;
                }
            }
        });
    }

    pub fn render(&self) -> String {
        let families = self
            .families
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        for (name, family) in families.iter() {
            let kind = if family.histogram { "histogram" } else { "counter" };
            let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} {kind}", family.help);
            for (labels, s) in &family.series {
                if !family.histogram {
                    let _ = writeln!(out, "{name}{{{labels}}} {}", s.count);
                    continue;
                }
                let sep = if labels.is_empty() { "" } else { "," };
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}",
                        s.buckets[i]
                    );
                }
                let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", s.count);
                let _ = writeln!(out, "{name}_sum{{{labels}}} {}", s.sum);
                let _ = writeln!(out, "{name}_count{{{labels}}} {}", s.count);
            }
        }
        out
    }
}

/// Starts the metrics port when an address is configured.
pub async fn serve_on(addr: Option<std::net::SocketAddr>, shutdown: Shutdown) -> std::io::Result<()> {
    if let Some(addr) = addr {
        let listener = TcpListener::bind(addr).await?;
        tracing::info!(%addr, "metrics listening");
        tokio::spawn(serve(listener, shutdown));
    }
    Ok(())
}

/// Serves `global()` at any path of `listener` (plain HTTP/1.1, one response per connection)
/// until shutdown: a service's metrics port.
pub async fn serve(listener: TcpListener, shutdown: Shutdown) {
    let stop = shutdown.wait();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((mut stream, _)) = accepted else { continue };
        tokio::spawn(async move {
            // The request itself does not matter; read what came so the peer sees a clean close.
            let mut request = [0u8; 1024];
            let _ = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut request)).await;
            let body = global().render();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Registry::default();
        m.observe(
            "req_seconds",
            "Latency.",
            &[("path", "/a"), ("code", "0000")],
            Duration::from_millis(3),
        );
        m.observe(
            "req_seconds",
            "Latency.",
            &[("path", "/a"), ("code", "0000")],
            Duration::from_millis(30),
        );
        m.count("logins_total", "Logins.", &[("outcome", "ok")], 2);
        m.count("logins_total", "Logins.", &[("outcome", "ok")], 1);
        let text = m.render();
        assert!(text.contains("# TYPE req_seconds histogram"));
        assert!(text.contains("req_seconds_bucket{path=\"/a\",code=\"0000\",le=\"0.005\"} 1"));
        assert!(text.contains("req_seconds_bucket{path=\"/a\",code=\"0000\",le=\"0.05\"} 2"));
        assert!(text.contains("req_seconds_count{path=\"/a\",code=\"0000\"} 2"));
        assert!(text.contains("logins_total{outcome=\"ok\"} 3"), "{text}");
    }

    #[tokio::test]
    async fn the_metrics_port_answers_with_the_global_registry() {
        global().count("metrics_port_test_total", "A test counter.", &[], 7);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, shutdown) = crate::shutdown::channel();
        let server = tokio::spawn(serve(listener, shutdown));
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
        assert!(response.contains("metrics_port_test_total{} 7"), "{response}");
        stop.trigger();
        server.await.unwrap();
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(render_labels(&[("a", "x\"y")]), "a=\"x\\\"y\"");
    }
}
