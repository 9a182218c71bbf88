//! The legacy password transport (API.md §4): DES-CBC, PKCS#5, key = first 8 bytes of the app key,
//! IV 01..08, Base64 with optional padding. Obfuscation only; passwords are stored as Argon2id.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

const IV: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn des_key(app_key: &str) -> Option<[u8; 8]> {
    app_key.as_bytes().get(..8)?.try_into().ok()
}

/// The plain password, or None when the field does not decrypt to UTF-8 text.
pub fn decrypt(app_key: &str, encrypted: &str) -> Option<String> {
    let key = des_key(app_key)?;
    let data = BASE64.decode(encrypted.trim()).ok()?;
    if data.is_empty() || data.len() % 8 != 0 {
        return None;
    }
    let plain = cbc::Decryptor::<des::Des>::new(&key.into(), &IV.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&data)
        .ok()?;
    String::from_utf8(plain).ok()
}

/// What a client does before sending a password.
pub fn encrypt(app_key: &str, plain: &str) -> String {
    let key = des_key(app_key).expect("app keys are at least 8 bytes");
    let data = cbc::Encryptor::<des::Des>::new(&key.into(), &IV.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes());
    BASE64.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors_decrypt() {
        assert_eq!(
            decrypt("12345678", "t9xLwn19WXS+d7OVW9ocKw==").as_deref(),
            Some("zhongkeborun")
        );
        assert_eq!(decrypt("12345678", "eBAod9zrP4k=").as_deref(), Some("123456"));
    }

    #[test]
    fn spec_vectors_encrypt() {
        assert_eq!(encrypt("12345678", "zhongkeborun"), "t9xLwn19WXS+d7OVW9ocKw==");
        assert_eq!(encrypt("12345678", "123456"), "eBAod9zrP4k=");
    }

    #[test]
    fn padding_is_optional() {
        assert_eq!(decrypt("12345678", "eBAod9zrP4k").as_deref(), Some("123456"));
    }

    #[test]
    fn garbage_does_not_decrypt() {
        for bad in ["", "not base64!", "eBAod9zr", "AAAAAAAAAAA="] {
            assert_eq!(decrypt("12345678", bad), None, "{bad}");
        }
        assert_eq!(
            decrypt("otherkey", "eBAod9zrP4k="),
            None,
            "wrong key fails the padding check"
        );
    }

    #[test]
    fn round_trips_non_ascii() {
        assert_eq!(
            decrypt("12345678", &encrypt("12345678", "密码abc123")).as_deref(),
            Some("密码abc123")
        );
    }
}
