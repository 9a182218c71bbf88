//! Login and the lockout (API.md §6.1, #4): five wrong passwords in a row lock the account for
//! 30 minutes; a success resets the count. A client IP's failed logins are counted for an hour,
//! and past `LOGIN_IP_HOURLY_FAILURES` its logins are refused. modifyPwd's old-password check counts too, so it cannot
//! be used to guess around the lock.

use crate::error::AuthError;
use crate::mobile::Mobile;
use crate::password;
use crate::store::Account;
use crate::AuthCore;

fn failures_key(mobile: &Mobile) -> String {
    format!("login:failures:{}", mobile.as_str())
}

fn lock_key(mobile: &Mobile) -> String {
    format!("login:lock:{}", mobile.as_str())
}

/// How long wrong passwords are remembered while they are not yet a lock.
const FAILURE_MEMORY_SECS: u64 = 24 * 3600;
/// The window of a client IP's failed logins.
const IP_MEMORY: std::time::Duration = std::time::Duration::from_secs(3600);

impl AuthCore {
    pub async fn ensure_not_locked(&self, mobile: &Mobile) -> Result<(), AuthError> {
        if self.kv.get(&lock_key(mobile)).await?.is_some() {
            return Err(AuthError::AccountLocked);
        }
        Ok(())
    }

    /// Checks a password of a possibly locked account, counting a wrong one.
    pub async fn check_password(
        &self,
        account: &Account,
        mobile: &Mobile,
        given: &str,
    ) -> Result<(), AuthError> {
        self.ensure_not_locked(mobile).await?;
        if password::verify(given, &account.password_hash).await? {
            self.kv.del(&failures_key(mobile)).await?;
            return Ok(());
        }
        let memory = std::time::Duration::from_secs(FAILURE_MEMORY_SECS);
        let failures = self.kv.incr_ex(&failures_key(mobile), memory).await?;
        if failures >= self.policy.login_max_failures {
            self.kv
                .set_ex(&lock_key(mobile), "1", self.policy.login_lock())
                .await?;
            self.kv.del(&failures_key(mobile)).await?;
            tracing::warn!(%mobile, "account locked after repeated wrong passwords");
            return Err(AuthError::AccountLocked);
        }
        Err(AuthError::WrongPassword)
    }

    /// The account registered with `mobile`, or `AccountNotFound`.
    pub async fn existing_account(&self, mobile: &Mobile) -> Result<Account, AuthError> {
        self.store
            .find_by_mobile(mobile)
            .await?
            .ok_or(AuthError::AccountNotFound)
    }

    /// A password reset proves the owner: it lifts the lock.
    pub async fn clear_lock(&self, mobile: &Mobile) -> Result<(), AuthError> {
        self.kv.del(&lock_key(mobile)).await?;
        self.kv.del(&failures_key(mobile)).await?;
        Ok(())
    }

    /// `(app_type, device_token)` are recorded with a success; `client_ip`'s failures are counted.
    pub async fn login(
        &self,
        mobile: &str,
        given: &str,
        (app_type, device_token): (&str, &str),
        client_ip: &str,
    ) -> Result<String, AuthError> {
        let mobile = Mobile::parse(mobile)?;
        let ip_key = format!("login:ip:{client_ip}");
        let from_ip = !client_ip.is_empty();
        if from_ip
            && self
                .kv
                .get(&ip_key)
                .await?
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0)
                >= self.policy.login_ip_hourly_failures
        {
            tracing::warn!(%client_ip, "logins refused: too many failures from this address");
            return Err(AuthError::RateLimited);
        }
        let account = match self.existing_account(&mobile).await {
            Err(AuthError::AccountNotFound) if from_ip => {
                self.kv.incr_ex(&ip_key, IP_MEMORY).await?;
                return Err(AuthError::AccountNotFound);
            }
            other => other?,
        };
        let checked = self.check_password(&account, &mobile, given).await;
        if from_ip && matches!(checked, Err(AuthError::WrongPassword | AuthError::AccountLocked)) {
            self.kv.incr_ex(&ip_key, IP_MEMORY).await?;
        }
        let outcome = match &checked {
            Ok(()) => "ok",
            Err(AuthError::AccountLocked) => "locked",
            Err(AuthError::WrongPassword) => "failed",
            Err(_) => "error",
        };
        cashloan_runtime::metrics::global().count(
            "cashloan_logins_total",
            "Password logins by outcome.",
            &[("outcome", outcome)],
            1,
        );
        checked?;
        let token = self.open_session(&account).await?;
        self.store
            .record_login(&account.id, app_type, device_token)
            .await?;
        tracing::info!(%mobile, "login");
        Ok(token)
    }
}
