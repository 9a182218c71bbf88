//! Captcha (API.md §6.1, #7): 4 characters from an alphabet without look-alikes, valid 120 s,
//! single use, compared case-insensitively. The protocol gives nothing to bind it to a client, so
//! it is stored by its own text and consumed by the SMS request that presents it.

use rand::Rng;

use crate::error::AuthError;
use crate::AuthCore;

pub const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const LENGTH: usize = 4;

/// Remembers issued captchas longer than they live, to tell "expired" from "wrong".
const ISSUED_MEMORY_SECS: u64 = 3600;

pub fn generate() -> String {
    let mut rng = rand::rng();
    (0..LENGTH)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The stored form of a presented captcha, or None when it cannot be one of ours.
pub fn normalize(presented: &str) -> Option<String> {
    let lower = presented.trim().to_ascii_lowercase();
    (lower.len() == LENGTH && lower.bytes().all(|b| ALPHABET.contains(&b))).then_some(lower)
}

fn live_key(text: &str) -> String {
    format!("captcha:{text}")
}

fn issued_key(text: &str) -> String {
    format!("captcha:issued:{text}")
}

impl AuthCore {
    pub async fn issue_captcha(&self) -> Result<String, AuthError> {
        // Two live captchas with the same text would be one; draw again on a collision.
        for _ in 0..8 {
            let text = generate();
            if self
                .kv
                .set_nx_ex(&live_key(&text), "1", self.policy.captcha_ttl())
                .await?
            {
                let memory = std::time::Duration::from_secs(ISSUED_MEMORY_SECS);
                self.kv.set_ex(&issued_key(&text), "1", memory).await?;
                return Ok(text);
            }
        }
        Err(AuthError::RateLimited)
    }

    /// Uses up a presented captcha: it is good for this one call only.
    pub async fn consume_captcha(&self, presented: &str) -> Result<(), AuthError> {
        let text = normalize(presented).ok_or(AuthError::CaptchaWrong)?;
        if self.kv.get_del(&live_key(&text)).await?.is_some() {
            return Ok(());
        }
        if self.kv.get(&issued_key(&text)).await?.is_some() {
            Err(AuthError::CaptchaExpired)
        } else {
            Err(AuthError::CaptchaWrong)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captchas_use_only_the_alphabet() {
        for _ in 0..200 {
            let c = generate();
            assert_eq!(c.len(), 4);
            assert!(c.bytes().all(|b| ALPHABET.contains(&b)), "{c}");
        }
    }

    #[test]
    fn presented_captchas_are_case_insensitive() {
        assert_eq!(normalize("AB3K").as_deref(), Some("ab3k"));
        assert_eq!(normalize("ab3k").as_deref(), Some("ab3k"));
        assert_eq!(normalize("ab1k"), None, "1 is not in the alphabet");
        assert_eq!(normalize("abc"), None);
        assert_eq!(normalize("ａｂｃｄ"), None);
    }
}
