//! The production SMS provider: Alibaba Cloud SMS (Dysmsapi `SendSms`, API version 2017-05-25),
//! called over HTTPS with its RPC request signature (HMAC-SHA1 over the canonical query).
//!
//! Alibaba sends only pre-approved templates, so each of our messages maps to a template code
//! (`--aliyun-sms-templates register=SMS_1,reset=SMS_2,11=SMS_3,…`) and goes with its parameters.
//! Failures worth another try (no connection, a timeout, a 5xx, throttling) are retried with a
//! short backoff; refusals (a bad number, a business limit, a signature error) are not.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};

use crate::error::MessageError;
use crate::sms::{Sms, SmsProvider, TEMPLATE_KEYS};

#[derive(clap::Args, Clone, Debug)]
pub struct AliyunConfig {
    /// Endpoint of Dysmsapi.
    #[arg(
        long = "aliyun-sms-endpoint",
        env = "ALIYUN_SMS_ENDPOINT",
        default_value = "https://dysmsapi.aliyuncs.com"
    )]
    pub endpoint: String,
    #[arg(
        long = "aliyun-access-key-id",
        env = "ALIYUN_ACCESS_KEY_ID",
        default_value = ""
    )]
    pub access_key_id: String,
    #[arg(
        long = "aliyun-access-key-secret",
        env = "ALIYUN_ACCESS_KEY_SECRET",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub access_key_secret: String,
    /// The approved signature shown as 【…】 before each text.
    #[arg(
        long = "aliyun-sms-sign-name",
        env = "ALIYUN_SMS_SIGN_NAME",
        default_value = ""
    )]
    pub sign_name: String,
    /// Template code of each message: `register=…,reset=…,11=…,…,17=…`.
    #[arg(
        long = "aliyun-sms-templates",
        env = "ALIYUN_SMS_TEMPLATES",
        default_value = ""
    )]
    pub templates: String,
    #[arg(long = "aliyun-region", env = "ALIYUN_REGION", default_value = "cn-hangzhou")]
    pub region: String,
    /// Deadline of one vendor call, milliseconds. All tries together (timeout × (retries + 1) plus
    /// 200 ms, 400 ms … between them) must fit in the callers' 3 s deadline.
    #[arg(long = "sms-timeout-ms", env = "SMS_TIMEOUT_MS", default_value_t = 1000)]
    pub timeout_ms: u64,
    /// Further tries after a failure worth retrying.
    #[arg(long = "sms-retries", env = "SMS_RETRIES", default_value_t = 1)]
    pub retries: u32,
}

/// The provider, ready to send.
pub struct AliyunSms {
    http: reqwest::Client,
    config: AliyunConfig,
    templates: HashMap<String, String>,
}

impl AliyunSms {
    /// Checks the configuration: credentials, a sign name and a template for every message.
    pub fn new(config: AliyunConfig) -> Result<Self, String> {
        for (value, flag) in [
            (&config.access_key_id, "--aliyun-access-key-id"),
            (&config.access_key_secret, "--aliyun-access-key-secret"),
            (&config.sign_name, "--aliyun-sms-sign-name"),
        ] {
            if value.is_empty() {
                return Err(format!("{flag} is required for the aliyun SMS provider"));
            }
        }
        let templates = parse_templates(&config.templates)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .connect_timeout(Duration::from_millis(config.timeout_ms))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Self {
            http,
            config,
            templates,
        })
    }

    /// The signed query of one `SendSms` call; a fresh nonce and timestamp each time.
    fn query(&self, mobile: &str, template_code: &str, sms: &Sms) -> String {
        let template_param: serde_json::Map<String, serde_json::Value> = sms
            .params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
            .collect();
        let mut params = BTreeMap::new();
        for (k, v) in [
            ("AccessKeyId", self.config.access_key_id.clone()),
            ("Action", "SendSms".into()),
            ("Format", "JSON".into()),
            ("PhoneNumbers", mobile.to_owned()),
            ("RegionId", self.config.region.clone()),
            ("SignName", self.config.sign_name.clone()),
            ("SignatureMethod", "HMAC-SHA1".into()),
            ("SignatureNonce", uuid::Uuid::new_v4().to_string()),
            ("SignatureVersion", "1.0".into()),
            ("TemplateCode", template_code.to_owned()),
            (
                "TemplateParam",
                serde_json::Value::Object(template_param).to_string(),
            ),
            (
                "Timestamp",
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ),
            ("Version", "2017-05-25".into()),
        ] {
            params.insert(k.to_owned(), v);
        }
        signed_query(&params, &self.config.access_key_secret)
    }

    /// One call: what became of it, and the vendor's code for the log.
    async fn attempt(&self, url: &str) -> (Outcome, String) {
        let response = match self.http.get(url).send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => return (Outcome::Retry, "timeout".into()),
            Err(_) => return (Outcome::Retry, "no connection".into()),
        };
        let status = response.status().as_u16();
        let code = match response.json::<VendorReply>().await {
            Ok(reply) => reply.code.unwrap_or_default(),
            Err(_) => String::new(),
        };
        (classify(status, &code), format!("{status} {code}"))
    }
}

#[derive(serde::Deserialize)]
struct VendorReply {
    #[serde(rename = "Code")]
    code: Option<String>,
}

#[tonic::async_trait]
impl SmsProvider for AliyunSms {
    fn name(&self) -> &'static str {
        "aliyun"
    }

    async fn send(&self, mobile: &str, sms: &Sms) -> Result<(), MessageError> {
        let template_code = self
            .templates
            .get(sms.template)
            .ok_or_else(|| MessageError::SmsSendFailed(format!("no template for {}", sms.template)))?;
        let masked = cashloan_runtime::mask::mobile(mobile);
        let endpoint = self.config.endpoint.trim_end_matches('/');
        let mut last = String::new();
        for attempt in 0..=self.config.retries {
            if attempt > 0 {
                tokio::time::sleep(retry_wait(attempt)).await;
            }
            let url = format!("{endpoint}/?{}", self.query(mobile, template_code, sms));
            let (outcome, detail) = self.attempt(&url).await;
            match outcome {
                Outcome::Sent => {
                    tracing::info!(mobile = %masked, template = sms.template, attempt, "sms sent (aliyun)");
                    return Ok(());
                }
                Outcome::Refused => {
                    tracing::warn!(mobile = %masked, template = sms.template, vendor = %detail, "sms refused (aliyun)");
                    return Err(MessageError::SmsSendFailed(detail));
                }
                Outcome::Retry => {
                    tracing::warn!(mobile = %masked, template = sms.template, attempt, vendor = %detail, "sms not sent (aliyun); may retry");
                    last = detail;
                }
            }
        }
        Err(MessageError::SmsSendFailed(last))
    }
}

/// What a vendor answer means for us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Worth another try: the vendor is busy or failing, not refusing this message.
    Retry,
    Refused,
}

/// Classifies an HTTP status and the vendor's `Code`.
pub fn classify(status: u16, code: &str) -> Outcome {
    if status == 200 && code == "OK" {
        Outcome::Sent
    } else if status >= 500
        || status == 429
        || code.starts_with("Throttling")
        || code == "isp.SYSTEM_ERROR"
        || code == "ServiceUnavailable"
    {
        Outcome::Retry
    } else {
        Outcome::Refused
    }
}

/// 200 ms, 400 ms, 800 ms … before the n-th retry, at most 2 s.
fn retry_wait(attempt: u32) -> Duration {
    Duration::from_millis((100u64 << attempt.min(5)).min(2000))
}

/// `key=code` pairs; every message needs its template.
pub fn parse_templates(text: &str) -> Result<HashMap<String, String>, String> {
    let mut map = HashMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, code) = pair
            .split_once('=')
            .ok_or_else(|| format!("template entry {pair:?} is not key=code"))?;
        let (key, code) = (key.trim(), code.trim());
        if !TEMPLATE_KEYS.contains(&key) || code.is_empty() {
            return Err(format!("template entry {pair:?}: unknown key or empty code"));
        }
        map.insert(key.to_owned(), code.to_owned());
    }
    let missing: Vec<&str> = TEMPLATE_KEYS
        .iter()
        .copied()
        .filter(|k| !map.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(format!("--aliyun-sms-templates lacks {}", missing.join(", ")));
    }
    Ok(map)
}

/// RFC 3986 encoding as Alibaba specifies it: only `A-Z a-z 0-9 - _ . ~` stay as they are.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The canonical query: sorted parameters, each name and value encoded.
fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Base64 of HMAC-SHA1 under `secret&` of `GET&%2F&<encoded canonical query>`.
pub fn signature(params: &BTreeMap<String, String>, secret: &str) -> String {
    let string_to_sign = format!("GET&%2F&{}", percent_encode(&canonical_query(params)));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The query string to send: the canonical query with its `Signature` first.
pub fn signed_query(params: &BTreeMap<String, String>, secret: &str) -> String {
    format!(
        "Signature={}&{}",
        percent_encode(&signature(params, secret)),
        canonical_query(params)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn signature_matches_alibabas_published_example() {
        // The worked example of Alibaba Cloud's RPC signature documentation.
        let example = params(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]);
        assert_eq!(signature(&example, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a-Z_0.~"), "a-Z_0.~");
        assert_eq!(percent_encode("a b*c/d+e"), "a%20b%2Ac%2Fd%2Be");
        assert_eq!(percent_encode("现"), "%E7%8E%B0");
        assert_eq!(percent_encode("{\"code\":\"1\"}"), "%7B%22code%22%3A%221%22%7D");
    }

    #[test]
    fn outcomes() {
        assert_eq!(classify(200, "OK"), Outcome::Sent);
        assert_eq!(classify(200, "isv.MOBILE_NUMBER_ILLEGAL"), Outcome::Refused);
        assert_eq!(classify(200, "isv.BUSINESS_LIMIT_CONTROL"), Outcome::Refused);
        assert_eq!(classify(400, "SignatureDoesNotMatch"), Outcome::Refused);
        assert_eq!(classify(400, "Throttling.User"), Outcome::Retry);
        assert_eq!(classify(503, ""), Outcome::Retry);
        assert_eq!(classify(200, "isp.SYSTEM_ERROR"), Outcome::Retry);
        assert_eq!(classify(200, ""), Outcome::Refused);
    }

    #[test]
    fn every_message_needs_a_template() {
        let all = "register=SMS_1,reset=SMS_2,11=SMS_11,12=SMS_12,13=SMS_13,14=SMS_14,15=SMS_15,16=SMS_16,17=SMS_17";
        assert_eq!(parse_templates(all).unwrap()["15"], "SMS_15");
        assert!(parse_templates("register=SMS_1").unwrap_err().contains("reset"));
        assert!(parse_templates(&format!("{all},18=SMS_18")).is_err());
        assert!(parse_templates(&all.replace("SMS_2", "")).is_err());
    }

    #[test]
    fn retries_wait_longer_each_time() {
        assert_eq!(retry_wait(1), Duration::from_millis(200));
        assert_eq!(retry_wait(2), Duration::from_millis(400));
        assert_eq!(retry_wait(9), Duration::from_millis(2000));
    }
}
