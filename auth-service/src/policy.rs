//! The time limits and counts of the account flows (API.md §4, §6.1), configurable so that tests
//! can shorten them; the defaults are the contract's.

use std::time::Duration;

#[derive(clap::Args, Clone, Debug)]
pub struct Policy {
    /// Captcha lifetime, seconds.
    #[arg(long, env = "CAPTCHA_TTL_SECS", default_value_t = 120)]
    pub captcha_ttl_secs: u64,
    /// SMS code lifetime, seconds.
    #[arg(long, env = "SMS_CODE_TTL_SECS", default_value_t = 300)]
    pub sms_code_ttl_secs: u64,
    /// Minimum time between two SMS sends to one mobile, seconds.
    #[arg(long, env = "SMS_COOLDOWN_SECS", default_value_t = 60)]
    pub sms_cooldown_secs: u64,
    /// SMS sends per mobile per day (UTC+8).
    #[arg(long, env = "SMS_DAILY_LIMIT", default_value_t = 10)]
    pub sms_daily_limit: i64,
    /// SMS sends per client IP per hour.
    #[arg(long, env = "SMS_IP_HOURLY_LIMIT", default_value_t = 30)]
    pub sms_ip_hourly_limit: i64,
    /// Wrong tries after which an SMS code is void.
    #[arg(long, env = "SMS_CODE_MAX_TRIES", default_value_t = 5)]
    pub sms_code_max_tries: i64,
    /// Lifetime of the "verified" mark a correct SMS or identity check leaves, seconds.
    #[arg(long, env = "FLOW_MARK_TTL_SECS", default_value_t = 900)]
    pub flow_mark_ttl_secs: u64,
    /// Sliding session lifetime, seconds (30 days).
    #[arg(long, env = "SESSION_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub session_ttl_secs: u64,
    /// Consecutive wrong passwords that lock an account.
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: i64,
    /// How long a locked account stays locked, seconds.
    #[arg(long, env = "LOGIN_LOCK_SECS", default_value_t = 1800)]
    pub login_lock_secs: u64,
    /// Whether sensitive collection needs the user's consent (API.md §6.6); `false` only for trials.
    #[arg(long, env = "CONSENT_REQUIRED", default_value_t = true, action = clap::ArgAction::Set)]
    pub consent_required: bool,
    /// Failed logins (wrong passwords, unknown mobiles) one client IP may make in an hour; then
    /// its logins are refused (99990006) until the hour has passed. A guesser spread over many
    /// accounts meets this before the accounts' locks.
    #[arg(long, env = "LOGIN_IP_HOURLY_FAILURES", default_value_t = 30)]
    pub login_ip_hourly_failures: i64,
    /// How long an operator's enrolment link stays usable, seconds.
    #[arg(long, env = "ENROLMENT_TTL_SECS", default_value_t = 24 * 3600)]
    pub enrolment_ttl_secs: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            captcha_ttl_secs: 120,
            sms_code_ttl_secs: 300,
            sms_cooldown_secs: 60,
            sms_daily_limit: 10,
            sms_ip_hourly_limit: 30,
            sms_code_max_tries: 5,
            flow_mark_ttl_secs: 900,
            session_ttl_secs: 30 * 24 * 3600,
            login_max_failures: 5,
            login_lock_secs: 1800,
            consent_required: true,
            enrolment_ttl_secs: 24 * 3600,
            login_ip_hourly_failures: 30,
        }
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

impl Policy {
    pub fn captcha_ttl(&self) -> Duration {
        secs(self.captcha_ttl_secs)
    }
    pub fn sms_code_ttl(&self) -> Duration {
        secs(self.sms_code_ttl_secs)
    }
    pub fn sms_cooldown(&self) -> Duration {
        secs(self.sms_cooldown_secs)
    }
    pub fn flow_mark_ttl(&self) -> Duration {
        secs(self.flow_mark_ttl_secs)
    }
    pub fn session_ttl(&self) -> Duration {
        secs(self.session_ttl_secs)
    }
    pub fn login_lock(&self) -> Duration {
        secs(self.login_lock_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        policy: Policy,
    }

    /// API.md §4 and §6.1, as the launcher's default and as the flags' default.
    #[test]
    fn defaults_are_the_contracts() {
        let from_flags = Flags::try_parse_from(["auth-service"]).unwrap().policy;
        for p in [Policy::default(), from_flags] {
            assert_eq!(p.captcha_ttl(), Duration::from_secs(120));
            assert_eq!(p.sms_code_ttl(), Duration::from_secs(5 * 60));
            assert_eq!(p.sms_cooldown(), Duration::from_secs(60));
            assert_eq!(p.sms_daily_limit, 10);
            assert_eq!(p.sms_ip_hourly_limit, 30);
            assert_eq!(p.sms_code_max_tries, 5);
            assert_eq!(p.flow_mark_ttl(), Duration::from_secs(15 * 60));
            assert_eq!(p.session_ttl(), Duration::from_secs(30 * 24 * 3600));
            assert_eq!(p.login_max_failures, 5);
            assert_eq!(p.login_lock(), Duration::from_secs(30 * 60));
        }
    }
}
