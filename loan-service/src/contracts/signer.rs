//! The lender's signature over each stored document's hash (API.md §6.6), behind an interface:
//! a local Ed25519 key by default; in production an e-sign provider's CA-backed signature
//! implements the same trait. Each signature is stored with the id of the key that made it, so
//! verification still works after a key is rotated (the old key is kept for verifying).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

use crate::contracts::sha256_hex;

pub trait DocumentSigner: Send + Sync {
    /// Names the key a new signature is made with.
    fn key_id(&self) -> &str;
    /// Signs a document's lower-case hex SHA-256.
    fn sign(&self, sha256_hex: &str) -> String;
    /// Whether `signature` by the key `key_id` is over `sha256_hex`.
    fn verify(&self, key_id: &str, sha256_hex: &str, signature: &str) -> bool;
}

/// What is signed: the hash with the purpose, so the key's signature means nothing elsewhere.
fn message(sha256_hex: &str) -> Vec<u8> {
    format!("cashloan contract document v1\n{sha256_hex}").into_bytes()
}

/// An Ed25519 key derived from a secret the replicas share (the PII hash key), so that every
/// replica signs with the same key without another secret to distribute.
pub struct LocalSigner {
    pair: Ed25519KeyPair,
    key_id: String,
}

impl LocalSigner {
    pub fn from_vault(vault: &cashloan_runtime::pii::Vault) -> Self {
        let seed = hex::decode(vault.keyed_hash("contract signing key v1")).expect("a keyed hash is hex");
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed[..32]).expect("32 bytes make an Ed25519 seed");
        let key_id = format!("local-ed25519:{}", &sha256_hex(pair.public_key().as_ref())[..16]);
        Self { pair, key_id }
    }
}

impl DocumentSigner for LocalSigner {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn sign(&self, sha256_hex: &str) -> String {
        STANDARD.encode(self.pair.sign(&message(sha256_hex)).as_ref())
    }

    fn verify(&self, key_id: &str, sha256_hex: &str, signature: &str) -> bool {
        let Ok(signature) = STANDARD.decode(signature) else {
            return false;
        };
        key_id == self.key_id
            && UnparsedPublicKey::new(&ED25519, self.pair.public_key().as_ref())
                .verify(&message(sha256_hex), &signature)
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(hash_key: &str) -> LocalSigner {
        let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let vault = cashloan_runtime::pii::Vault::new(&[format!("k1:{key}")], hash_key).unwrap();
        LocalSigner::from_vault(&vault)
    }

    #[test]
    fn a_signature_verifies_only_for_its_hash_and_key() {
        let (a, b) = (
            signer("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
            signer("HxwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEAAAA="),
        );
        let hash = sha256_hex(b"document");
        let signature = a.sign(&hash);
        assert!(a.verify(a.key_id(), &hash, &signature));
        assert!(
            !a.verify(a.key_id(), &sha256_hex(b"other"), &signature),
            "another hash"
        );
        assert!(!b.verify(b.key_id(), &hash, &signature), "another key");
        assert!(!a.verify(b.key_id(), &hash, &signature), "another key id");
        assert!(!a.verify(a.key_id(), &hash, "not base64"));
        assert_eq!(
            signer("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").key_id(),
            a.key_id(),
            "replicas agree"
        );
    }
}
