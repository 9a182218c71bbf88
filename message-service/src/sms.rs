//! SMS delivery behind a provider interface, and the texts we send.

use cashloan_runtime::db::DbPool;

use crate::error::MessageError;
use crate::store;

/// What every SMS vendor integration offers: deliver one text to one mobile, or say why not.
#[tonic::async_trait]
pub trait SmsProvider: Send + Sync {
    async fn send(&self, mobile: &str, text: &str) -> Result<(), MessageError>;
}

/// The default provider: logs the text and keeps it in the outbox table, where the admin API (and
/// the tests) read it. Like a real gateway it can refuse: numbers in the reserved test range
/// `1700000xxxx` fail, so the failure path can be exercised end to end.
pub struct LogProvider {
    pool: DbPool,
}

/// Mobiles the `log` provider refuses to deliver to.
pub const FAILING_PREFIX: &str = "1700000";

impl LogProvider {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

#[tonic::async_trait]
impl SmsProvider for LogProvider {
    async fn send(&self, mobile: &str, text: &str) -> Result<(), MessageError> {
        if mobile.starts_with(FAILING_PREFIX) {
            return Err(MessageError::SmsSendFailed("carrier rejected the number".into()));
        }
        // The text carries a one-time code: log only that a text went out.
        tracing::info!(mobile = %cashloan_runtime::mask::mobile(mobile), chars = text.chars().count(), "sms sent (log provider)");
        store::record_sms(&self.pool, mobile, text).await
    }
}

/// Why a verification code is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    ResetPassword,
}

/// The text of a verification-code SMS; the code is its only run of six digits.
pub fn verification_text(purpose: CodePurpose, code: &str) -> String {
    match purpose {
        CodePurpose::Register => format!("【现金贷】您的注册验证码是{code},5分钟内有效,请勿泄露给他人。"),
        CodePurpose::ResetPassword => {
            format!("【现金贷】您正在找回登录密码,验证码是{code},5分钟内有效,请勿泄露给他人。")
        }
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
            let text = verification_text(purpose, "042917");
            assert_eq!(six_digit_runs(&text), vec!["042917".to_string()]);
            assert!(text.starts_with("【现金贷】"));
        }
    }
}
