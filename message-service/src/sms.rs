//! SMS delivery behind a provider interface, and the texts we send.

use crate::error::MessageError;
use crate::store::Store;
use crate::MessageCore;

/// One SMS: the text we show (and the `log` provider keeps), and the template key and parameters
/// that vendors with pre-approved templates (Alibaba Cloud) send instead of free text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sms {
    /// `register`, `reset`, or a customer message type `11`–`17`.
    pub template: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub text: String,
}

/// Every template key a vendor configuration must map.
pub const TEMPLATE_KEYS: [&str; 9] = ["register", "reset", "11", "12", "13", "14", "15", "16", "17"];

/// The span of one SMS handed to the provider.
pub fn span(template: &str) -> tracing::Span {
    cashloan_runtime::span!(
        "sms",
        otel.name = "sms.send",
        otel.kind = "client",
        sms.template = template
    )
}

/// What every SMS vendor integration offers: deliver one SMS to one mobile, or say why not.
#[tonic::async_trait]
pub trait SmsProvider: Send + Sync {
    /// The provider's name in metrics.
    fn name(&self) -> &'static str;
    async fn send(&self, mobile: &str, sms: &Sms) -> Result<(), MessageError>;
}

/// Sends one SMS through `provider` in its own span, counting the outcome.
pub async fn deliver(provider: &dyn SmsProvider, mobile: &str, sms: &Sms) -> Result<(), MessageError> {
    use tracing::Instrument;
    let result = provider.send(mobile, sms).instrument(span(sms.template)).await;
    let outcome = if result.is_ok() { "sent" } else { "failed" };
    cashloan_runtime::metrics::global().count(
        "cashloan_sms_total",
        "SMS handed to the provider, by provider and outcome.",
        &[("provider", provider.name()), ("outcome", outcome)],
        1,
    );
    result
}

/// The default provider, a stand-in for the carrier: it delivers each text to a phone of its
/// own — a private file per mobile (`<spool>/<mobile>.txt`, 0600, one line a text) that only the
/// host reads, as only a phone's owner reads its texts — and keeps the outbox row operators see,
/// with any code masked (issue 28: no one at the console reads another's code). Like a real
/// gateway it can refuse: numbers in the reserved test range `1700000xxxx` fail, so the failure
/// path can be exercised end to end.
pub struct LogProvider {
    store: Store,
    phones: std::path::PathBuf,
}

/// Mobiles the `log` provider refuses to deliver to.
pub const FAILING_PREFIX: &str = "1700000";

impl LogProvider {
    pub fn new(store: Store, phones: std::path::PathBuf) -> Self {
        Self { store, phones }
    }
}

#[tonic::async_trait]
impl SmsProvider for LogProvider {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, mobile: &str, sms: &Sms) -> Result<(), MessageError> {
        if mobile.starts_with(FAILING_PREFIX) {
            return Err(MessageError::SmsSendFailed("carrier rejected the number".into()));
        }
        // The text may carry a one-time code: log only that a text went out.
        tracing::info!(mobile = %cashloan_runtime::mask::mobile(mobile), template = sms.template, "sms sent (log provider)");
        let phone = self.phones.join(format!("{mobile}.txt"));
        let line = format!(
            "{}\t{}\n",
            chrono::Utc::now().timestamp_millis(),
            sms.text.replace('\n', " ")
        );
        tokio::task::spawn_blocking(move || cashloan_runtime::private_file::append(&phone, &line))
            .await
            .map_err(|e| MessageError::SmsSendFailed(e.to_string()))?
            .map_err(|e| MessageError::SmsSendFailed(format!("the phone spool: {e}")))?;
        self.store.record_sms(mobile, &without_codes(&sms.text)).await
    }
}

/// The text with every run of six digits (a code: API.md's texts carry it as the only one)
/// masked, as it is kept once sent.
pub fn without_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == 6 {
            out.push_str("******");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Why a verification code is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    ResetPassword,
}

/// A verification-code SMS; the code is the text's only run of six digits.
pub fn verification_sms(purpose: CodePurpose, code: &str) -> Sms {
    let (template, text) = match purpose {
        CodePurpose::Register => (
            "register",
            format!("【现金贷】您的注册验证码是{code},5分钟内有效,请勿泄露给他人。"),
        ),
        CodePurpose::ResetPassword => (
            "reset",
            format!("【现金贷】您正在找回登录密码,验证码是{code},5分钟内有效,请勿泄露给他人。"),
        ),
    };
    Sms {
        template,
        params: vec![("code", code.to_owned())],
        text,
    }
}

/// A one-time code is exactly six digits.
fn valid_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

impl MessageCore {
    /// Sends a verification code for `purpose` (auth-service keeps the code; this only sends it).
    pub async fn send_verification_code(
        &self,
        purpose: CodePurpose,
        mobile: &str,
        code: &str,
    ) -> Result<(), MessageError> {
        if !valid_code(code) {
            return Err(MessageError::InvalidField("code"));
        }
        deliver(self.sms.as_ref(), mobile, &verification_sms(purpose, code)).await
    }

    /// `(mobile, content, sent_at)` of the newest texts the `log` provider kept for `mobile`:
    /// 10 unless asked, at most 100.
    pub async fn sms_outbox(
        &self,
        mobile: &str,
        limit: u32,
    ) -> Result<Vec<(String, String, i64)>, MessageError> {
        let limit = match limit {
            0 => 10,
            n => n.min(100),
        };
        self.store.list_sms(mobile, limit.into()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn six_digit_runs(text: &str) -> Vec<String> {
        let mut runs = Vec::new();
        let mut current = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                current.push(c);
            } else {
                if current.len() == 6 {
                    runs.push(current.clone());
                }
                current.clear();
            }
        }
        runs
    }

    #[test]
    fn the_code_is_the_only_six_digit_run() {
        for purpose in [CodePurpose::Register, CodePurpose::ResetPassword] {
            let sms = verification_sms(purpose, "042917");
            assert_eq!(six_digit_runs(&sms.text), vec!["042917".to_string()]);
            assert!(sms.text.starts_with("【现金贷】"));
            assert_eq!(sms.params, vec![("code", "042917".to_string())]);
            assert!(TEMPLATE_KEYS.contains(&sms.template));
            let kept = without_codes(&sms.text);
            assert!(
                six_digit_runs(&kept).is_empty() && kept.contains("******"),
                "{kept}"
            );
        }
        assert_eq!(
            without_codes("金额 500.00 元，12345 与 1234567"),
            "金额 500.00 元，12345 与 1234567"
        );
    }
}
