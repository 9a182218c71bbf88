//! The payment channel's signatures (PAYMENTS.md "The channel protocol"): RSA-SHA256, PKCS#1
//! v1.5, base64, over the canonical JSON of the body without `sign`. We sign requests with the
//! merchant's private key and check replies and notifications with the channel's public key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use cashloan_runtime::canonical_json::write_object;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
#[error("payment channel key: {0}")]
pub struct KeyError(String);

/// What is signed: the canonical body without its `sign`.
fn signed_bytes(body: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_object(body, Some("sign"), &mut out);
    out
}

/// The DER inside a PEM block labelled `label`.
fn pem_der(pem: &str, label: &str) -> Result<Vec<u8>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = pem
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(body, _)| body)
        .ok_or_else(|| KeyError(format!("no {label} block")))?;
    let text: String = body.split_whitespace().collect();
    BASE64
        .decode(text)
        .map_err(|_| KeyError(format!("{label} is not base64")))
}

/// One DER element at the start of `der`: (tag, contents, what follows).
fn der_element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (len, &rest[count..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The PKCS#1 RSAPublicKey inside a SubjectPublicKeyInfo: SEQUENCE { algorithm SEQUENCE,
/// BIT STRING (no unused bits) }.
fn spki_rsa_key(spki: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const BIT_STRING: u8 = 0x03;
    let (SEQUENCE, info, []) = der_element(spki)? else {
        return None;
    };
    let (SEQUENCE, _algorithm, rest) = der_element(info)? else {
        return None;
    };
    let (BIT_STRING, bits, []) = der_element(rest)? else {
        return None;
    };
    bits.strip_prefix(&[0])
}

/// Signs our requests.
pub struct MerchantSigner {
    key: RsaKeyPair,
    random: SystemRandom,
}

impl MerchantSigner {
    /// From a PKCS#8 PEM private key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_der(pem, "PRIVATE KEY")?;
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| KeyError(e.to_string()))?;
        Ok(Self {
            key,
            random: SystemRandom::new(),
        })
    }

    /// The base64 signature of `body` (its own `sign`, if any, left out).
    pub fn sign(&self, body: &Map<String, Value>) -> String {
        let mut signature = vec![0; self.key.public().modulus_len()];
        // Fails only on a buffer of the wrong size or a broken random source.
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.random,
                &signed_bytes(body),
                &mut signature,
            )
            .expect("an RSA signature into a modulus-sized buffer");
        BASE64.encode(signature)
    }
}

/// Checks what the channel sends us.
pub struct ChannelVerifier(UnparsedPublicKey<Vec<u8>>);

impl ChannelVerifier {
    /// From a PEM public key: SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pkcs1 = if pem.contains("BEGIN RSA PUBLIC KEY") {
            pem_der(pem, "RSA PUBLIC KEY")?
        } else {
            let spki = pem_der(pem, "PUBLIC KEY")?;
            spki_rsa_key(&spki)
                .ok_or_else(|| KeyError("not an RSA SubjectPublicKeyInfo".into()))?
                .to_vec()
        };
        // Refuse a key that could never verify, now rather than at the first notification.
        let (0x30, fields, []) = der_element(&pkcs1).ok_or_else(|| KeyError("malformed RSA key".into()))?
        else {
            return Err(KeyError("malformed RSA key".into()));
        };
        if der_element(fields).is_none() {
            return Err(KeyError("malformed RSA key".into()));
        }
        Ok(Self(UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1)))
    }

    /// Whether `body` carries a valid `sign` of the channel. Anything malformed is simply not valid.
    pub fn verify(&self, body: &Map<String, Value>) -> bool {
        let Some(Value::String(sign)) = body.get("sign") else {
            return false;
        };
        let Ok(signature) = BASE64.decode(sign) else {
            return false;
        };
        self.0.verify(&signed_bytes(body), &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PRIVATE: &str = include_str!("../../../tests/fixtures/channel-test-merchant.pem");
    const PUBLIC: &str = include_str!("../../../tests/fixtures/channel-test-merchant.pub.pem");
    const PUBLIC_PKCS1: &str = include_str!("../../../tests/fixtures/channel-test-merchant.rsa.pub.pem");

    fn body() -> Map<String, Value> {
        json!({"timestamp": "1764460800000", "merchantNo": "M100", "orderNo": "RO20261130000001",
            "cardNo": "6217000000001234", "amount": 50700})
        .as_object()
        .unwrap()
        .clone()
    }

    /// Made with `openssl dgst -sha256 -sign` over the canonical text, not with this code.
    const OPENSSL_SIGNATURE: &str = "C9c0HefD12GreGOsl9i95Rae1ydaNunzK7jzlztEDUKCXnVOUusWbtBesBNognIo+WakYmLr4eQKW5/xX6iY4U2YVfghbFoESgqydKlU5KG/qQtFRMRHLJTyZVxGBAvo31UvYAtP//FEziatU56vK3CKByfLAgCGBruX5YtHi1gM1lLzY4Uw2qVnRmdK6asHSxITCGSa8jGwKouFFuBg9qpk0KQR6sClkcZDR/jXH3P/lGHG8dDONKHfcSKGf6V1mp9sdYzCuw+fhmJ+wOBQkJsx7wdkb0k6E1QY7zYtdjkek4V8D2S/0xjsoK0RjcwjCFVl+2y+UFaf4Hj7Bma0+A==";

    #[test]
    fn an_openssl_signature_of_the_canonical_body_verifies() {
        let mut signed = body();
        signed.insert("sign".into(), json!(OPENSSL_SIGNATURE));
        assert!(ChannelVerifier::from_pem(PUBLIC).unwrap().verify(&signed));
        assert!(
            ChannelVerifier::from_pem(PUBLIC_PKCS1).unwrap().verify(&signed),
            "the PKCS#1 form too"
        );
        // PKCS#1 v1.5 is deterministic: our signature is openssl's.
        assert_eq!(
            MerchantSigner::from_pem(PRIVATE).unwrap().sign(&body()),
            OPENSSL_SIGNATURE
        );
    }

    #[test]
    fn an_altered_body_or_a_foreign_signature_does_not_verify() {
        let verifier = ChannelVerifier::from_pem(PUBLIC).unwrap();
        let mut signed = body();
        signed.insert(
            "sign".into(),
            json!(MerchantSigner::from_pem(PRIVATE).unwrap().sign(&body())),
        );
        assert!(verifier.verify(&signed));
        let mut altered = signed.clone();
        altered.insert("amount".into(), json!(50701));
        assert!(!verifier.verify(&altered));
        for bad in [
            json!("not base64!"),
            json!(""),
            json!(12),
            json!(BASE64.encode([0u8; 256])),
        ] {
            let mut forged = body();
            forged.insert("sign".into(), bad.clone());
            assert!(!verifier.verify(&forged), "{bad}");
        }
        assert!(!verifier.verify(&body()), "no sign at all");
        for key in [
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nMAMCAQA=\n-----END PUBLIC KEY-----",
            "-----BEGIN RSA PUBLIC KEY-----\n!!\n-----END RSA PUBLIC KEY-----",
            "no PEM at all",
        ] {
            assert!(ChannelVerifier::from_pem(key).is_err(), "{key}");
        }
        assert!(
            MerchantSigner::from_pem(PUBLIC).is_err(),
            "a public key signs nothing"
        );
    }
}
