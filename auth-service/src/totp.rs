//! The operators' second factor: TOTP (RFC 6238) with the parameters every authenticator app
//! accepts by default (HMAC-SHA1, 6 digits, 30-second steps), one step of clock drift either way,
//! and each step usable once.

use hmac::{Hmac, Mac};
use sha1::Sha1;

const STEP_SECS: i64 = 30;
const DIGITS: u32 = 6;
const ISSUER: &str = "CashLoan";

/// A new 160-bit secret (RFC 4226's recommended length).
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; 20]>().to_vec()
}

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The bytes of a base32 text as [`base32`] writes it.
pub fn decode_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// What an authenticator app scans to enrol.
pub fn uri(username: &str, secret: &[u8]) -> String {
    let label: String = username
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    format!(
        "otpauth://totp/{ISSUER}:{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        base32(secret)
    )
}

/// The step a Unix time falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// HOTP (RFC 4226) of `counter`, as the 6 digits shown.
pub fn code(secret: &[u8], counter: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:0width$}", binary % 10u32.pow(DIGITS), width = DIGITS as usize)
}

/// The step `given` is the code of, near `now_step` and after `last_used`; a code is accepted
/// once, so one seen over a shoulder or replayed from a log is worthless.
pub fn accepted_step(secret: &[u8], given: &str, now_step: i64, last_used: i64) -> Option<i64> {
    if given.len() != DIGITS as usize || !given.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (now_step - 1..=now_step + 1)
        .filter(|step| *step > last_used)
        .find(|step| {
            let expected = code(secret, *step);
            bool::from(subtle::ConstantTimeEq::ct_eq(
                expected.as_bytes(),
                given.as_bytes(),
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_vectors_in_six_digits() {
        // Appendix B's 8-digit values, last six digits.
        for (time, expected) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(code(RFC_SECRET, step_at(time)), expected, "T={time}");
        }
    }

    #[test]
    fn base32_of_rfc_4648_vectors() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for bytes in [&b"f"[..], b"fooba", b"foobar", RFC_SECRET] {
            assert_eq!(decode_base32(&base32(bytes)).unwrap(), bytes);
        }
        assert_eq!(decode_base32("MZ1"), None);
    }

    #[test]
    fn one_step_of_drift_and_each_step_once() {
        let now = step_at(1_700_000_000);
        let current = code(RFC_SECRET, now);
        assert_eq!(accepted_step(RFC_SECRET, &current, now, 0), Some(now));
        assert_eq!(accepted_step(RFC_SECRET, &current, now, now), None, "used");
        let previous = code(RFC_SECRET, now - 1);
        assert_eq!(accepted_step(RFC_SECRET, &previous, now, 0), Some(now - 1));
        let stale = code(RFC_SECRET, now - 2);
        assert_eq!(accepted_step(RFC_SECRET, &stale, now, 0), None);
        assert_eq!(accepted_step(RFC_SECRET, "12345", now, 0), None);
        assert_eq!(accepted_step(RFC_SECRET, "abcdef", now, 0), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = uri("li.si", RFC_SECRET);
        assert!(
            uri.starts_with("otpauth://totp/CashLoan:li.si?secret=GEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("&digits=6&period=30"));
    }
}
