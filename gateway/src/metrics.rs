//! Request count and latency by path and outcome code, in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String), Series>>,
}

impl Metrics {
    /// `path` is a route of the table (or a fixed label), never the raw request path, so the
    /// number of series stays bounded.
    pub fn record(&self, path: &str, code: &str, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = series.entry((path.to_owned(), code.to_owned())).or_default();
        s.count += 1;
        s.sum += secs;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP gateway_requests_total Requests by route and outcome code.\n");
        out.push_str("# TYPE gateway_requests_total counter\n");
        for ((path, code), s) in series.iter() {
            let _ = writeln!(
                out,
                "gateway_requests_total{{path=\"{path}\",code=\"{code}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP gateway_request_duration_seconds Request latency by route and outcome code.\n");
        out.push_str("# TYPE gateway_request_duration_seconds histogram\n");
        for ((path, code), s) in series.iter() {
            let labels = format!("path=\"{path}\",code=\"{code}\"");
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "gateway_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "gateway_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(out, "gateway_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(
                out,
                "gateway_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.record("/openApi/getCode", "0000", Duration::from_millis(3));
        m.record("/openApi/getCode", "0000", Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains("gateway_requests_total{path=\"/openApi/getCode\",code=\"0000\"} 2"));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }
}
