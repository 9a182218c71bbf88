//! The timestamp authority (API.md §6.6). RFC 3161 in shape: a SHA-256 imprint goes in, a token
//! comes out that proves the imprint existed at the stated time — here the authority's Ed25519
//! signature over both. A local authority by default (its key derived from the PII hash key, so
//! replicas agree); a qualified TSA implements the same trait.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

pub trait TimestampAuthority: Send + Sync {
    /// Names the authority and its key, stored with each token.
    fn name(&self) -> &str;
    /// A token for `imprint` (lower-case hex SHA-256) at `at_ms`.
    fn stamp(&self, imprint: &str, at_ms: i64) -> String;
    /// Whether `token` is this authority's for `imprint` at `at_ms`.
    fn verify(&self, imprint: &str, at_ms: i64, token: &str) -> bool;
}

fn message(imprint: &str, at_ms: i64) -> Vec<u8> {
    format!("cashloan timestamp v1\n{imprint}\n{at_ms}").into_bytes()
}

pub struct LocalAuthority {
    pair: Ed25519KeyPair,
    name: String,
}

impl LocalAuthority {
    pub fn from_vault(vault: &crate::pii::Vault) -> Self {
        let seed = vault.keyed_hash("timestamp authority v1");
        let seed: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&seed[2 * i..2 * i + 2], 16).expect("a keyed hash is hex"))
            .collect();
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed).expect("32 bytes make an Ed25519 seed");
        let key = crate::digest::sha256_hex(pair.public_key().as_ref());
        Self {
            name: format!("local-tsa:{}", &key[..16]),
            pair,
        }
    }
}

impl TimestampAuthority for LocalAuthority {
    fn name(&self) -> &str {
        &self.name
    }

    fn stamp(&self, imprint: &str, at_ms: i64) -> String {
        STANDARD.encode(self.pair.sign(&message(imprint, at_ms)).as_ref())
    }

    fn verify(&self, imprint: &str, at_ms: i64, token: &str) -> bool {
        let Ok(signature) = STANDARD.decode(token) else {
            return false;
        };
        UnparsedPublicKey::new(&ED25519, self.pair.public_key().as_ref())
            .verify(&message(imprint, at_ms), &signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_proves_its_imprint_and_time_only() {
        let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let vault = crate::pii::Vault::new(&[format!("k1:{key}")], key).unwrap();
        let tsa = LocalAuthority::from_vault(&vault);
        let imprint = crate::digest::sha256_hex(b"head");
        let token = tsa.stamp(&imprint, 1_000);
        assert!(tsa.verify(&imprint, 1_000, &token));
        assert!(!tsa.verify(&imprint, 1_001, &token), "another time");
        assert!(
            !tsa.verify(&crate::digest::sha256_hex(b"x"), 1_000, &token),
            "another imprint"
        );
        assert!(!tsa.verify(&imprint, 1_000, "%%"));
        assert_eq!(
            LocalAuthority::from_vault(&vault).name(),
            tsa.name(),
            "replicas agree"
        );
    }
}
