//! Password rules and storage: 6–20 characters, stored only as Argon2id (OWASP: m=19 MiB, t=2, p=1).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AuthError;

/// A new password as the user chose it, checked against the rules.
pub struct NewPassword(String);

impl NewPassword {
    /// The password and its confirmation must match, and be 6–20 characters without controls.
    pub fn confirmed(password: &str, confirmation: &str) -> Result<Self, AuthError> {
        if password != confirmation {
            return Err(AuthError::PasswordMismatch);
        }
        Self::parse(password)
    }

    pub fn parse(password: &str) -> Result<Self, AuthError> {
        let length = password.chars().count();
        if !(6..=20).contains(&length) || password.chars().any(char::is_control) {
            return Err(AuthError::PasswordLength);
        }
        Ok(Self(password.to_owned()))
    }

    /// Hashes on the blocking pool: Argon2id takes tens of milliseconds by design.
    pub async fn hash(self) -> Result<String, AuthError> {
        on_hashing_threads(move || hash_password(&self.0)).await?
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP Argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AuthError::Downstream(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Downstream(e.to_string()))
}

/// Whether `password` matches the stored hash (on the blocking pool).
pub async fn verify(password: &str, stored_hash: &str) -> Result<bool, AuthError> {
    let (password, stored_hash) = (password.to_owned(), stored_hash.to_owned());
    on_hashing_threads(move || {
        let parsed = PasswordHash::new(&stored_hash).map_err(|e| AuthError::Downstream(e.to_string()))?;
        Ok(hasher().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await?
}

type Job = Box<dyn FnOnce() + Send>;

/// Argon2id runs on one dedicated thread per core: more at once adds no throughput, and each of
/// these threads reuses its 19 MiB of working memory, where every blocking thread of the runtime
/// would otherwise keep its own allocator arena full of it (over a gigabyte after a burst).
fn hashing_threads() -> &'static std::sync::mpsc::Sender<Job> {
    static THREADS: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    THREADS.get_or_init(|| {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let count = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..count {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a hashing thread");
            }
        }
        jobs
    })
}

async fn on_hashing_threads<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AuthError> {
    let (done, result) = tokio::sync::oneshot::channel();
    hashing_threads()
        .send(Box::new(move || {
            let _ = done.send(work());
        }))
        .map_err(|_| AuthError::Downstream("hashing threads stopped".into()))?;
    result
        .await
        .map_err(|_| AuthError::Downstream("hashing job lost".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_six_to_twenty_characters() {
        assert!(NewPassword::parse("12345").is_err());
        assert!(NewPassword::parse("123456").is_ok());
        assert!(
            NewPassword::parse("密码密码密码").is_ok(),
            "characters, not bytes"
        );
        assert!(NewPassword::parse(&"a".repeat(20)).is_ok());
        assert!(NewPassword::parse(&"a".repeat(21)).is_err());
        assert!(NewPassword::parse("abc\ndef").is_err());
    }

    #[test]
    fn confirmation_must_match() {
        assert!(matches!(
            NewPassword::confirmed("123456", "123457"),
            Err(AuthError::PasswordMismatch)
        ));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hash = NewPassword::parse("s3cret!").unwrap().hash().await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify("s3cret!", &hash).await.unwrap());
        assert!(!verify("s3cret?", &hash).await.unwrap());
        let again = NewPassword::parse("s3cret!").unwrap().hash().await.unwrap();
        assert_ne!(hash, again, "salted");
    }
}
