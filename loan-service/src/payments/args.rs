//! The payment settings: the wait, the recovery job's pace, and which channel, with its keys.

use std::sync::Arc;
use std::time::Duration;

use cashloan_runtime::clock::Clock;

use crate::payments::channel::{PaymentChannel, Report};

#[derive(clap::Args, Clone, Debug)]
pub struct PaymentArgs {
    /// How long a repayment or disbursement call waits for the channel's outcome, milliseconds.
    #[arg(long = "repay-wait-ms", env = "REPAY_WAIT_MS", default_value_t = 3000)]
    pub repay_wait_ms: u64,
    /// When an order without an outcome is first checked, milliseconds; the wait doubles from
    /// there up to 30 minutes.
    #[arg(
        long = "payment-recheck-ms",
        env = "PAYMENT_RECHECK_MS",
        default_value_t = 30_000
    )]
    pub recheck_ms: u64,
    /// How often the recovery job looks for orders to check, milliseconds.
    #[arg(
        id = "payment_job_interval_ms",
        long = "payment-job-interval-ms",
        env = "PAYMENT_JOB_INTERVAL_MS",
        default_value_t = 5000
    )]
    pub job_interval_ms: u64,
    /// How often the ledger's invariants are checked, milliseconds.
    #[arg(
        long = "ledger-check-interval-ms",
        env = "LEDGER_CHECK_INTERVAL_MS",
        default_value_t = 300_000
    )]
    pub ledger_check_interval_ms: u64,
    /// The local simulator's latency on every call, milliseconds.
    #[arg(long = "channel-latency-ms", env = "CHANNEL_LATENCY_MS", default_value_t = 0)]
    pub channel_latency_ms: u64,
    /// `local` (the in-process simulator) or `http` (the channel protocol of PAYMENTS.md).
    #[arg(long = "payment-channel", env = "PAYMENT_CHANNEL", default_value = "local")]
    pub channel: String,
    /// The HTTP channel's base URL.
    #[arg(long = "channel-url", env = "CHANNEL_URL", default_value = "")]
    pub channel_url: String,
    #[arg(long = "channel-merchant-no", env = "CHANNEL_MERCHANT_NO", default_value = "")]
    pub channel_merchant_no: String,
    /// PEM file of the merchant's private key (PKCS#8), which signs our requests.
    #[arg(long = "channel-merchant-key", env = "CHANNEL_MERCHANT_KEY")]
    pub channel_merchant_key: Option<std::path::PathBuf>,
    /// PEM file of the channel's public key, which checks replies and notifications.
    #[arg(long = "channel-public-key", env = "CHANNEL_PUBLIC_KEY")]
    pub channel_public_key: Option<std::path::PathBuf>,
    /// Where the channel posts its notifications: the gateway's public `/notify/payment`.
    #[arg(long = "channel-notify-url", env = "CHANNEL_NOTIFY_URL", default_value = "")]
    pub channel_notify_url: String,
    /// The channel's decline codes that are final; any other FAIL means "ask again".
    #[arg(
        long = "channel-final-declines",
        env = "CHANNEL_FINAL_DECLINES",
        value_delimiter = ',',
        default_value = FINAL_DECLINES
    )]
    pub channel_final_declines: Vec<String>,
    /// How far a notification's `timestamp` may be from now, seconds; one outside is kept for
    /// the record (a mismatch for operators) and refused, as a replay or a wrong clock.
    #[arg(
        long = "notify-window-secs",
        env = "NOTIFY_WINDOW_SECS",
        default_value_t = 300
    )]
    pub notify_window_secs: u64,
    /// Deadline of one call to the HTTP channel, milliseconds.
    #[arg(
        long = "channel-timeout-ms",
        env = "CHANNEL_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub channel_timeout_ms: u64,
}

/// Declines after which no retry can succeed (余额不足, 卡已失效, 账户状态异常, …).
const FINAL_DECLINES: &str =
    "INSUFFICIENT_BALANCE,CARD_INVALID,CARD_EXPIRED,ACCOUNT_ABNORMAL,ACCOUNT_FROZEN,NAME_MISMATCH";

impl PaymentArgs {
    /// The channel these arguments name; the simulator's notifications go to `notifications`.
    pub fn channel(
        &self,
        clock: Clock,
        notifications: tokio::sync::mpsc::UnboundedSender<Report>,
    ) -> Result<Arc<dyn PaymentChannel>, String> {
        match self.channel.as_str() {
            "local" => Ok(Arc::new(crate::payments::channel::simulator::LocalChannel::new(
                Duration::from_millis(self.channel_latency_ms),
                clock,
                notifications,
            ))),
            "http" => {
                let pem = |path: &Option<std::path::PathBuf>, what: &str| {
                    let path = path
                        .as_ref()
                        .ok_or_else(|| format!("the HTTP channel needs {what}"))?;
                    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
                };
                if self.channel_url.is_empty() || self.channel_notify_url.is_empty() {
                    return Err("the HTTP channel needs --channel-url and --channel-notify-url".into());
                }
                let channel = crate::payments::channel::http::HttpChannel::new(
                    crate::payments::channel::http::HttpChannelConfig {
                        base_url: self.channel_url.clone(),
                        merchant_no: self.channel_merchant_no.clone(),
                        merchant_key_pem: pem(&self.channel_merchant_key, "--channel-merchant-key")?,
                        channel_key_pem: pem(&self.channel_public_key, "--channel-public-key")?,
                        notify_url: self.channel_notify_url.clone(),
                        final_declines: self.channel_final_declines.clone(),
                        timeout: Duration::from_millis(self.channel_timeout_ms),
                    },
                )?;
                Ok(Arc::new(channel))
            }
            other => Err(format!("unknown payment channel {other:?} (local or http)")),
        }
    }
}

impl Default for PaymentArgs {
    fn default() -> Self {
        Self {
            repay_wait_ms: 3000,
            recheck_ms: 30_000,
            job_interval_ms: 5000,
            ledger_check_interval_ms: 300_000,
            channel_latency_ms: 0,
            channel: "local".into(),
            channel_url: String::new(),
            channel_merchant_no: String::new(),
            channel_merchant_key: None,
            channel_public_key: None,
            channel_notify_url: String::new(),
            channel_final_declines: FINAL_DECLINES.split(',').map(str::to_owned).collect(),
            notify_window_secs: 300,
            channel_timeout_ms: 10_000,
        }
    }
}
