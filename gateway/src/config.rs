//! Gateway configuration: flags with environment fallbacks.

use std::net::IpAddr;
use std::time::Duration;

#[derive(clap::Parser, Clone, Debug)]
pub struct Config {
    /// Active app keys, comma-separated; a request may be signed with any of them (rotation). The
    /// first signs responses to requests that could not be attributed to a key.
    #[arg(
        long = "app-keys",
        env = "APP_KEYS",
        default_value = "12345678",
        value_delimiter = ','
    )]
    pub app_keys: Vec<String>,
    /// Accepted distance between a request's timestamp and server time, seconds.
    #[arg(
        long = "timestamp-window-secs",
        env = "TIMESTAMP_WINDOW_SECS",
        default_value_t = 300
    )]
    pub timestamp_window_secs: u64,
    /// Bearer token of the admin listener; without one the admin listener does not start.
    #[arg(long = "admin-token", env = "ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// The key that signs the app side's calls to the services, as `gateway` (`cashloan-keys`).
    #[arg(
        long = "service-key",
        env = "SERVICE_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub service_key: String,
    /// The key that signs the admin side's calls, as `gateway-admin`, naming the operator; needed
    /// with an admin token.
    #[arg(
        long = "admin-service-key",
        env = "ADMIN_SERVICE_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub admin_service_key: String,
    /// auth-service's gRPC address.
    #[arg(
        long = "auth-addr",
        env = "AUTH_ADDR",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_addr: String,
    /// message-service's gRPC address.
    #[arg(
        long = "message-addr",
        env = "MESSAGE_ADDR",
        default_value = "http://127.0.0.1:50054"
    )]
    pub message_addr: String,
    /// product-service's gRPC address.
    #[arg(
        long = "product-addr",
        env = "PRODUCT_ADDR",
        default_value = "http://127.0.0.1:50052"
    )]
    pub product_addr: String,
    /// loan-service's gRPC address.
    #[arg(
        long = "loan-addr",
        env = "LOAN_ADDR",
        default_value = "http://127.0.0.1:50053"
    )]
    pub loan_addr: String,
    /// risk-service's gRPC address (decision records for operators).
    #[arg(
        long = "risk-addr",
        env = "RISK_ADDR",
        default_value = "http://127.0.0.1:50055"
    )]
    pub risk_addr: String,
    /// Proxies whose `X-Forwarded-For` entry names the client, comma-separated IPs.
    #[arg(long = "trusted-proxies", env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// Deadline of each call to a service, milliseconds.
    #[arg(long = "call-deadline-ms", env = "CALL_DEADLINE_MS", default_value_t = 3000)]
    pub call_deadline_ms: u64,
    /// Deadline of the calls that move money (repayment, disbursement, settling, reconciliation):
    /// longer than loan-service's REPAY_WAIT_MS, so that its "processing" answer arrives.
    #[arg(
        long = "payment-call-deadline-ms",
        env = "PAYMENT_CALL_DEADLINE_MS",
        default_value_t = 15_000
    )]
    pub payment_call_deadline_ms: u64,
    /// The app API's address as phones reach it (`https://api.example.com`); contract links begin
    /// with it. Unset: `http://` and the address the API listens on.
    #[arg(long = "public-url", env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Marks the console's session cookie `Secure`: set it wherever the admin listener is reached
    /// over HTTPS (it is plain HTTP on loopback by default).
    #[arg(
        long = "console-secure-cookie",
        env = "CONSOLE_SECURE_COOKIE",
        default_value_t = false
    )]
    pub console_secure_cookie: bool,
    /// HTTP worker threads; 0 = one per core.
    #[arg(long, env = "GATEWAY_WORKERS", default_value_t = 0)]
    pub workers: usize,
}

impl Config {
    /// A link phones follow to a page of the public port; `path` begins with `/`.
    pub fn public_link(&self, path: &str) -> String {
        let base = self
            .public_url
            .as_deref()
            .unwrap_or_default()
            .trim_end_matches('/');
        format!("{base}{path}")
    }

    /// The link to a contract document's page (API.md §6.6).
    pub fn contract_url(&self, token: &str) -> String {
        self.public_link(&format!("/h5/contract/{token}"))
    }

    /// The page of a consent text (API.md §6.6).
    pub fn consent_url(&self, consent_type: &str, version: &str) -> String {
        self.public_link(&format!("/h5/consent/{consent_type}/{version}"))
    }

    pub fn call_deadline(&self) -> Duration {
        Duration::from_millis(self.call_deadline_ms)
    }

    /// Every app key must be usable as a DES key (8 bytes at least).
    pub fn validate(&self) -> Result<(), String> {
        if self.app_keys.is_empty() {
            return Err("at least one app key is required".into());
        }
        if let Some(short) = self.app_keys.iter().find(|k| k.len() < 8) {
            return Err(format!("app key of {} bytes is shorter than 8", short.len()));
        }
        if self.admin_token.as_deref().is_some_and(|t| t.len() < 16) {
            return Err("the admin token must be at least 16 characters".into());
        }
        if self.service_key.trim().is_empty() {
            return Err(
                "SERVICE_KEY is required: the services admit only signed calls (cashloan-keys)".into(),
            );
        }
        if self.admin_token.is_some() && self.admin_service_key.trim().is_empty() {
            return Err("ADMIN_SERVICE_KEY is required with an admin token (cashloan-keys)".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// API.md §2 and §3: a ±300 s window and the test system's app key, unless configured.
    #[test]
    fn defaults_are_the_contracts() {
        let config = Config::try_parse_from(["cashloan-gateway"]).unwrap();
        assert_eq!(config.timestamp_window_secs, 300);
        assert_eq!(config.app_keys, ["12345678"]);
    }
}
