//! SMS verification codes (API.md §6.1, #8 #9 #11 #12): 6 digits, 5 minutes, single use, void after
//! 5 wrong tries; at most one send per mobile per 60 s, 10 per mobile per day, 30 per IP per hour.

use cashloan_proto::message::v1 as msg;
use rand::Rng;
use subtle::ConstantTimeEq;

use crate::error::AuthError;
use crate::flow_mark::Mark;
use crate::mobile::Mobile;
use crate::AuthCore;

/// Why a code is sent; each purpose has its own code, tries and mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Register,
    ResetPassword,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::ResetPassword => "reset",
        }
    }

    fn mark(self) -> Mark {
        match self {
            Purpose::Register => Mark::Register,
            Purpose::ResetPassword => Mark::ResetSms,
        }
    }

    fn proto(self) -> msg::CodePurpose {
        match self {
            Purpose::Register => msg::CodePurpose::Register,
            Purpose::ResetPassword => msg::CodePurpose::ResetPassword,
        }
    }
}

pub fn generate_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Constant-time, so response timing says nothing about how many digits were right.
fn same_code(stored: &str, presented: &str) -> bool {
    stored.len() == presented.len() && bool::from(stored.as_bytes().ct_eq(presented.as_bytes()))
}

fn code_key(purpose: Purpose, mobile: &Mobile) -> String {
    format!("sms:code:{}:{}", purpose.name(), mobile.as_str())
}

fn tries_key(purpose: Purpose, mobile: &Mobile) -> String {
    format!("sms:tries:{}:{}", purpose.name(), mobile.as_str())
}

fn cooldown_key(mobile: &Mobile) -> String {
    format!("sms:cooldown:{}", mobile.as_str())
}

impl AuthCore {
    /// Registration wants an unregistered mobile, password reset a registered one.
    async fn check_registration_state(&self, purpose: Purpose, mobile: &Mobile) -> Result<(), AuthError> {
        let registered = self.store.find_by_mobile(mobile).await?.is_some();
        match (purpose, registered) {
            (Purpose::Register, true) => Err(AuthError::MobileRegistered),
            (Purpose::ResetPassword, false) => Err(AuthError::MobileNotRegistered),
            _ => Ok(()),
        }
    }

    /// The send limits; each counts this attempt.
    async fn check_send_limits(&self, mobile: &Mobile, client_ip: &str) -> Result<(), AuthError> {
        let policy = &self.policy;
        if !self
            .kv
            .set_nx_ex(&cooldown_key(mobile), "1", policy.sms_cooldown())
            .await?
        {
            return Err(AuthError::RateLimited);
        }
        let today = self.clock.today().format("%Y%m%d");
        let day_key = format!("sms:day:{}:{today}", mobile.as_str());
        let day = std::time::Duration::from_secs(24 * 3600);
        if self.kv.incr_ex(&day_key, day).await? > policy.sms_daily_limit {
            return Err(AuthError::RateLimited);
        }
        if !client_ip.is_empty() {
            let hour = std::time::Duration::from_secs(3600);
            if self.kv.incr_ex(&format!("sms:ip:{client_ip}"), hour).await? > policy.sms_ip_hourly_limit {
                return Err(AuthError::RateLimited);
            }
        }
        Ok(())
    }

    pub async fn send_sms_code(
        &self,
        purpose: Purpose,
        mobile: &str,
        captcha: &str,
        client_ip: &str,
    ) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        // The captcha is spent first, so one captcha cannot probe which mobiles are registered.
        self.consume_captcha(captcha).await?;
        self.check_registration_state(purpose, &mobile).await?;
        self.check_send_limits(&mobile, client_ip).await?;

        let code = generate_code();
        self.kv
            .set_ex(&code_key(purpose, &mobile), &code, self.policy.sms_code_ttl())
            .await?;
        self.kv.del(&tries_key(purpose, &mobile)).await?;
        let request = msg::SendVerificationCodeRequest {
            mobile: mobile.as_str().to_owned(),
            code: code.clone(),
            purpose: purpose.proto().into(),
        };
        if let Err(status) = self.messages.clone().send_verification_code(request).await {
            // Nothing was delivered: the code is no good and the user may try again at once.
            self.kv.del(&code_key(purpose, &mobile)).await?;
            self.kv.del(&cooldown_key(&mobile)).await?;
            let provider_refused =
                cashloan_runtime::grpc::reason_of(&status) == Some(cashloan_proto::Reason::SmsSendFailed);
            return Err(if provider_refused {
                AuthError::SmsSendFailed
            } else {
                AuthError::Downstream(status.message().to_owned())
            });
        }
        tracing::info!(%mobile, purpose = purpose.name(), "sms code sent");
        Ok(())
    }

    pub async fn check_sms_code(&self, purpose: Purpose, mobile: &str, code: &str) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        self.check_registration_state(purpose, &mobile).await?;
        let key = code_key(purpose, &mobile);
        let Some(stored) = self.kv.get(&key).await? else {
            return Err(AuthError::SmsCodeExpired);
        };
        if !same_code(&stored, code) {
            let tries = self
                .kv
                .incr_ex(&tries_key(purpose, &mobile), self.policy.sms_code_ttl())
                .await?;
            if tries >= self.policy.sms_code_max_tries {
                self.kv.del(&key).await?;
            }
            return Err(AuthError::SmsCodeWrong);
        }
        // Single use: of two concurrent correct checks only one takes the code.
        match self.kv.get_del(&key).await? {
            Some(taken) if same_code(&taken, code) => {}
            _ => return Err(AuthError::SmsCodeExpired),
        }
        self.kv.del(&tries_key(purpose, &mobile)).await?;
        self.set_mark(purpose.mark(), &mobile).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = generate_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn codes_compare_exactly() {
        assert!(same_code("012345", "012345"));
        assert!(!same_code("012345", "012346"));
        assert!(!same_code("012345", "12345"));
        assert!(!same_code("012345", ""));
    }
}
