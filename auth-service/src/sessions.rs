//! Sessions (API.md §4): a 128-bit random token (32 upper-case hex) in the key-value store, with a
//! sliding 30-day expiry. Ending every session of a user bumps the user's session epoch, which all
//! older sessions carry and no longer match.

use crate::error::AuthError;
use crate::store::Account;
use crate::AuthCore;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: String,
    pub mobile: String,
}

pub fn new_token() -> String {
    let mut token = String::with_capacity(32);
    for byte in rand::random::<[u8; 16]>() {
        token.push_str(&format!("{byte:02X}"));
    }
    token
}

/// Only strings that could be our tokens reach the store.
pub fn is_well_formed(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

fn session_key(token: &str) -> String {
    format!("session:{token}")
}

/// The user id follows; the stored session value starts with the user id, so the store can find a
/// session's epoch key from the session alone.
const EPOCH_PREFIX: &str = "session:epoch:";

fn epoch_key(user_id: &str) -> String {
    format!("{EPOCH_PREFIX}{user_id}")
}

/// A user whose sessions were never all ended has epoch 0.
fn parse_epoch(stored: Option<String>) -> i64 {
    stored.and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Stored value: `user_id mobile epoch` (none of them contains a space).
fn encode(user: &SessionUser, epoch: i64) -> String {
    format!("{} {} {epoch}", user.user_id, user.mobile)
}

fn decode(value: &str) -> Option<(SessionUser, i64)> {
    let mut parts = value.split(' ');
    let user_id = parts.next()?.to_owned();
    let mobile = parts.next()?.to_owned();
    let epoch = parts.next()?.parse().ok()?;
    Some((SessionUser { user_id, mobile }, epoch))
}

impl AuthCore {
    async fn session_epoch(&self, user_id: &str) -> Result<i64, AuthError> {
        Ok(parse_epoch(self.kv.get(&epoch_key(user_id)).await?))
    }

    pub async fn open_session(&self, account: &Account) -> Result<String, AuthError> {
        let token = new_token();
        let user = SessionUser {
            user_id: account.id.clone(),
            mobile: account.mobile.clone(),
        };
        let epoch = self.session_epoch(&account.id).await?;
        self.kv
            .set_ex(
                &session_key(&token),
                &encode(&user, epoch),
                self.policy.session_ttl(),
            )
            .await?;
        Ok(token)
    }

    /// The session's user; each use extends the session by the full lifetime.
    pub async fn resolve_session(&self, token: &str) -> Result<SessionUser, AuthError> {
        if !is_well_formed(token) {
            return Err(AuthError::SessionInvalid);
        }
        let key = session_key(token);
        // Read, slide, and fetch the user's epoch in one round trip; a stale session is deleted.
        let (value, current) = self
            .kv
            .get_ex_with_companion(&key, self.policy.session_ttl(), EPOCH_PREFIX)
            .await?
            .ok_or(AuthError::SessionInvalid)?;
        let (user, epoch) = decode(&value).ok_or(AuthError::SessionInvalid)?;
        if epoch != parse_epoch(current) {
            self.kv.del(&key).await?;
            return Err(AuthError::SessionInvalid);
        }
        Ok(user)
    }

    pub async fn end_session(&self, token: &str) -> Result<(), AuthError> {
        if is_well_formed(token) {
            self.kv.del(&session_key(token)).await?;
        }
        Ok(())
    }

    /// Ends every session of the user (password change and reset).
    pub async fn end_all_sessions(&self, user_id: &str) -> Result<(), AuthError> {
        self.kv.incr(&epoch_key(user_id)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_upper_case_hex_and_distinct() {
        let a = new_token();
        assert!(is_well_formed(&a), "{a}");
        assert_ne!(a, new_token());
        assert!(!is_well_formed(&a.to_lowercase()));
        assert!(!is_well_formed("ABC"));
    }

    #[test]
    fn stored_values_round_trip() {
        let user = SessionUser {
            user_id: "u-1".into(),
            mobile: "13800138000".into(),
        };
        assert_eq!(decode(&encode(&user, 3)), Some((user, 3)));
        assert_eq!(decode("garbage"), None);
    }
}
