//! The payment channel's signatures (PAYMENTS.md "The channel protocol"): RSA-SHA256, PKCS#1
//! v1.5, base64, over the canonical JSON of the body without `sign`. We sign requests with the
//! merchant's private key and check replies and notifications with the channel's public key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use cashloan_runtime::canonical_json::write_object;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
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

/// Signs our requests.
pub struct MerchantSigner(SigningKey<Sha256>);

impl MerchantSigner {
    /// From a PKCS#8 PEM private key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError(e.to_string()))?;
        Ok(Self(SigningKey::new(key)))
    }

    /// The base64 signature of `body` (its own `sign`, if any, left out).
    pub fn sign(&self, body: &Map<String, Value>) -> String {
        BASE64.encode(self.0.sign(&signed_bytes(body)).to_bytes())
    }
}

/// Checks what the channel sends us.
pub struct ChannelVerifier(VerifyingKey<Sha256>);

impl ChannelVerifier {
    /// From a PEM public key (SubjectPublicKeyInfo).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = RsaPublicKey::from_public_key_pem(pem).map_err(|e| KeyError(e.to_string()))?;
        Ok(Self(VerifyingKey::new(key)))
    }

    /// Whether `body` carries a valid `sign` of the channel. Anything malformed is simply not valid.
    pub fn verify(&self, body: &Map<String, Value>) -> bool {
        let Some(Value::String(sign)) = body.get("sign") else {
            return false;
        };
        let Ok(bytes) = BASE64.decode(sign) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.0.verify(&signed_bytes(body), &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PRIVATE: &str = include_str!("../tests/fixtures/channel-test-merchant.pem");
    const PUBLIC: &str = include_str!("../tests/fixtures/channel-test-merchant.pub.pem");

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
        assert!(
            ChannelVerifier::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err()
        );
    }
}
