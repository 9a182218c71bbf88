//! Personal data at rest: ID, bank card and phone numbers, contacts and locations are stored as
//! AES-256-GCM ciphertexts, and the ID number also as an HMAC-SHA-256 keyed hash for the
//! one-account-per-ID unique index. Every service that keeps personal data takes the same flags.
//!
//! Several encryption keys may be configured: the first encrypts, any decrypts (each ciphertext
//! names its key), so keys rotate without re-encrypting everything at once. The hash key cannot
//! rotate without re-hashing every stored ID number, so it is configured on its own.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, thiserror::Error)]
pub enum PiiError {
    #[error("invalid personal-data key configuration: {0}")]
    Config(String),
    #[error("cannot read or write the key file: {0}")]
    KeyFile(#[from] std::io::Error),
    #[error("a stored value does not decrypt")]
    Decrypt,
}

/// Where a service's personal-data keys come from.
#[derive(clap::Args, Clone, Debug)]
pub struct PiiArgs {
    /// Encryption keys of personal data, `id:base64key` (32 bytes), comma-separated; the first
    /// encrypts, all decrypt. Without them the keys come from `--pii-key-file`.
    #[arg(long = "pii-keys", env = "PII_KEYS", value_delimiter = ',')]
    pub pii_keys: Vec<String>,
    /// Key of the keyed hash of ID numbers (base64, 32 bytes); required with `--pii-keys`.
    #[arg(long = "pii-hash-key", env = "PII_HASH_KEY")]
    pub pii_hash_key: Option<String>,
    /// Where the keys are kept (created on first start) when not given directly.
    #[arg(long = "pii-key-file", env = "PII_KEY_FILE", default_value = "data/pii.keys")]
    pub pii_key_file: std::path::PathBuf,
}

impl PiiArgs {
    /// The keys in a file only (the embedded default).
    pub fn from_file(path: std::path::PathBuf) -> Self {
        Self {
            pii_keys: Vec::new(),
            pii_hash_key: None,
            pii_key_file: path,
        }
    }

    /// The vault of the given keys, or of the key file.
    pub fn vault(&self) -> Result<Vault, PiiError> {
        // Empty values (as compose passes unset variables) count as not given.
        let keys: Vec<String> = self.pii_keys.iter().filter(|k| !k.is_empty()).cloned().collect();
        match (&keys[..], self.pii_hash_key.as_deref().filter(|k| !k.is_empty())) {
            ([], _) => Vault::from_file(&self.pii_key_file),
            (keys, Some(hash_key)) => Vault::new(keys, hash_key),
            (_, None) => Err(PiiError::Config("--pii-keys needs --pii-hash-key".into())),
        }
    }
}

pub struct Vault {
    /// `(key id, cipher)`; the first encrypts.
    keys: Vec<(String, Aes256Gcm)>,
    hash_key: Vec<u8>,
}

fn decode_key(text: &str) -> Result<[u8; 32], PiiError> {
    let bytes = BASE64
        .decode(text.trim())
        .map_err(|e| PiiError::Config(e.to_string()))?;
    bytes
        .try_into()
        .map_err(|_| PiiError::Config("keys are 32 bytes, base64-encoded".into()))
}

fn random_key() -> String {
    BASE64.encode(rand::random::<[u8; 32]>())
}

impl Vault {
    /// `keys`: `id:base64key` entries, the first encrypting; `hash_key`: base64, 32 bytes.
    pub fn new(keys: &[String], hash_key: &str) -> Result<Self, PiiError> {
        let mut ciphers = Vec::new();
        for entry in keys {
            let (id, key) = entry
                .split_once(':')
                .ok_or_else(|| PiiError::Config("an encryption key is written id:base64key".into()))?;
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(PiiError::Config("key ids are letters and digits".into()));
            }
            ciphers.push((id.to_owned(), Aes256Gcm::new(&decode_key(key)?.into())));
        }
        if ciphers.is_empty() {
            return Err(PiiError::Config("no encryption key".into()));
        }
        Ok(Self {
            keys: ciphers,
            hash_key: decode_key(hash_key)?.to_vec(),
        })
    }

    /// The keys kept in a file (created with fresh random keys when missing): the embedded
    /// default, so a local stack keeps reading its own data across restarts.
    pub fn from_file(path: &Path) -> Result<Self, PiiError> {
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let text = format!("encryption=k1:{}\nhash={}\n", random_key(), random_key());
            match write_private(path, &text) {
                // Another replica sharing the directory wrote it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                other => other?,
            }
        }
        let text = std::fs::read_to_string(path)?;
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
                .map(str::to_owned)
                .ok_or_else(|| PiiError::Config(format!("{} lacks {name}=", path.display())))
        };
        let keys: Vec<String> = value("encryption")?.split(',').map(str::to_owned).collect();
        Self::new(&keys, &value("hash")?)
    }

    /// `key id` + `:` + base64(nonce ‖ ciphertext).
    pub fn encrypt(&self, plain: &str) -> String {
        let (id, cipher) = &self.keys[0];
        let nonce_bytes = rand::random::<[u8; 12]>();
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce_bytes), plain.as_bytes())
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        format!("{id}:{}", BASE64.encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, PiiError> {
        let (id, data) = stored.split_once(':').ok_or(PiiError::Decrypt)?;
        let (_, cipher) = self.keys.iter().find(|(k, _)| k == id).ok_or(PiiError::Decrypt)?;
        let bytes = BASE64.decode(data).map_err(|_| PiiError::Decrypt)?;
        if bytes.len() < 12 {
            return Err(PiiError::Decrypt);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| PiiError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| PiiError::Decrypt)
    }

    /// A value sealed since it was first stored in clear (issue 28, finding 6), opened; a row
    /// written before reads as it was stored.
    pub fn open_or_stored(&self, stored: &str) -> String {
        self.decrypt(stored).unwrap_or_else(|_| stored.to_owned())
    }

    /// Hex HMAC-SHA-256: equal inputs give equal hashes, without the input being recoverable.
    pub fn keyed_hash(&self, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key).expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Writes the whole file under a private name, then links it into place: the link fails with
/// `AlreadyExists` if another process got there first, and nobody ever reads a half-written file.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let staging = path.with_extension(format!("tmp{}", rand::random::<u32>()));
    write_new_private(&staging, text)?;
    let linked = std::fs::hard_link(&staging, path);
    let _ = std::fs::remove_file(&staging);
    linked
}

#[cfg(unix)]
fn write_new_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_new_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> String {
        random_key()
    }

    #[test]
    fn values_round_trip_and_ciphertexts_differ() {
        let vault = Vault::new(&[format!("k1:{}", key())], &key()).unwrap();
        let a = vault.encrypt("110105199003070021");
        let b = vault.encrypt("110105199003070021");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("110105"));
        assert_eq!(vault.decrypt(&a).unwrap(), "110105199003070021");
    }

    #[test]
    fn old_keys_still_decrypt_after_rotation() {
        let (old, new) = (format!("k1:{}", key()), format!("k2:{}", key()));
        let hash = key();
        let before = Vault::new(std::slice::from_ref(&old), &hash).unwrap();
        let stored = before.encrypt("6217000010001234569");
        let after = Vault::new(&[new, old], &hash).unwrap();
        assert_eq!(after.decrypt(&stored).unwrap(), "6217000010001234569");
        assert!(after.encrypt("x").starts_with("k2:"));
        assert_eq!(before.keyed_hash("x"), after.keyed_hash("x"));
    }

    #[test]
    fn tampered_or_foreign_ciphertexts_do_not_decrypt() {
        let vault = Vault::new(&[format!("k1:{}", key())], &key()).unwrap();
        let other = Vault::new(&[format!("k1:{}", key())], &key()).unwrap();
        let stored = vault.encrypt("secret");
        assert!(other.decrypt(&stored).is_err());
        let mut tampered = stored.clone();
        tampered.pop();
        tampered.push(if stored.ends_with('A') { 'B' } else { 'A' });
        assert!(vault.decrypt(&tampered).is_err());
        assert!(vault.decrypt("nonsense").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pii.keys");
        let first = Vault::from_file(&path).unwrap();
        let stored = first.encrypt("secret");
        let second = Vault::from_file(&path).unwrap();
        assert_eq!(second.decrypt(&stored).unwrap(), "secret");
        assert_eq!(first.keyed_hash("x"), second.keyed_hash("x"));
    }

    #[test]
    fn replicas_starting_at_once_agree_on_one_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pii.keys");
        let vaults: Vec<Vault> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| Vault::from_file(&path).unwrap()))
                .collect();
            starts.into_iter().map(|s| s.join().unwrap()).collect()
        });
        let stored = vaults[0].encrypt("secret");
        for vault in &vaults {
            assert_eq!(vault.decrypt(&stored).unwrap(), "secret");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no staging file is left behind");
    }
}
