//! Password rules and storage: 6–20 characters, stored only as Argon2id (OWASP: m=19 MiB, t=2, p=1).

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

    /// An operator's password, checked by `operator_rules::password` instead.
    pub fn for_operator(password: &str) -> Self {
        Self(password.to_owned())
    }

    /// Hashes on the blocking pool: Argon2id takes tens of milliseconds by design.
    pub async fn hash(self) -> Result<String, AuthError> {
        on_hashing_threads(move || hash_password(&self.0)).await?
    }
}

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("OWASP Argon2id parameters are valid")
}

thread_local! {
    /// Each hashing thread's Argon2 working memory (19 MiB), kept for its next hash: allocating it
    /// per hash either costs page faults every time or, with glibc's adaptive thresholds, leaves
    /// freed copies resident (hundreds of megabytes after a burst of logins).
    static WORKING_MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Argon2id of `password` with `salt` under `params` into `out`, in this thread's memory.
fn argon2id(params: Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), AuthError> {
    let blocks = params.block_count();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    WORKING_MEMORY
        .with(|memory| {
            let mut memory = memory.borrow_mut();
            if memory.len() < blocks {
                memory.resize(blocks, Block::default());
            }
            argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        })
        .map_err(|e| AuthError::Downstream(e.to_string()))
}

fn downstream(e: impl std::fmt::Display) -> AuthError {
    AuthError::Downstream(e.to_string())
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = rand::random::<[u8; 16]>();
    let params = params();
    let mut out = [0u8; 32];
    argon2id(params.clone(), password.as_bytes(), &salt, &mut out)?;
    let salt = SaltString::encode_b64(&salt).map_err(downstream)?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(downstream)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(downstream)?),
    };
    Ok(phc.to_string())
}

pub async fn verify(password: &str, stored_hash: &str) -> Result<bool, AuthError> {
    let (password, stored_hash) = (password.to_owned(), stored_hash.to_owned());
    on_hashing_threads(move || {
        let parsed = PasswordHash::new(&stored_hash).map_err(downstream)?;
        if parsed.algorithm != argon2::ARGON2ID_IDENT || parsed.version != Some(Version::V0x13.into()) {
            return Err(AuthError::Downstream("unsupported password hash".into()));
        }
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Err(AuthError::Downstream("incomplete password hash".into()));
        };
        let params = Params::try_from(&parsed).map_err(downstream)?;
        let mut salt_bytes = [0u8; 64];
        let salt = salt.decode_b64(&mut salt_bytes).map_err(downstream)?;
        let mut out = vec![0u8; expected.len()];
        argon2id(params, password.as_bytes(), salt, &mut out)?;
        // Output compares in constant time.
        Ok(Output::new(&out).map_err(downstream)? == expected)
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
        let count = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
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
    async fn hashes_are_interchangeable_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = standard.hash_password(b"s3cret!", &salt).unwrap().to_string();
        assert!(
            verify("s3cret!", &theirs).await.unwrap(),
            "stored hashes keep verifying"
        );
        assert!(!verify("s3cret?", &theirs).await.unwrap());
        let ours = NewPassword::parse("s3cret!").unwrap().hash().await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(standard.verify_password(b"s3cret!", &parsed).is_ok());
        assert!(standard.verify_password(b"s3cret?", &parsed).is_err());
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
