//! The gateway's requests by route and outcome code (count and latency), beside the process's
//! registry of downstream calls and business events, in Prometheus text format.

use std::time::Duration;

use cashloan_runtime::metrics::{self, Registry};

#[derive(Default)]
pub struct Metrics {
    requests: Registry,
}

impl Metrics {
    /// `path` is a route of the table (or a fixed label), never the raw request path, so the
    /// number of series stays bounded.
    pub fn record(&self, path: &str, code: &str, elapsed: Duration) {
        let labels = [("path", path), ("code", code)];
        self.requests.count(
            "gateway_requests_total",
            "Requests by route and outcome code.",
            &labels,
            1,
        );
        self.requests.observe(
            "gateway_request_duration_seconds",
            "Request latency by route and outcome code.",
            &labels,
            elapsed,
        );
    }

    pub fn render(&self) -> String {
        self.requests.render() + &metrics::global().render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_requests_by_route_and_code() {
        let m = Metrics::default();
        m.record("/openApi/getCode", "0000", Duration::from_millis(3));
        m.record("/openApi/getCode", "0000", Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains("gateway_requests_total{path=\"/openApi/getCode\",code=\"0000\"} 2"));
        assert!(text.contains(
            "gateway_request_duration_seconds_bucket{path=\"/openApi/getCode\",code=\"0000\",le=\"+Inf\"} 2"
        ));
    }
}
