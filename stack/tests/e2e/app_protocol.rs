//! The app's side of the protocol, written from API.md §3–§4 for the tests alone: the canonical
//! JSON, the SHA-1 signature and the DES password transport. It shares no code with the gateway,
//! so a change to the gateway's canonical form or cipher fails the end-to-end suite.
//! Also the check digits a test needs to make valid ID and card numbers (GB 11643, Luhn).

use base64::Engine;
use des::cipher::{BlockEncrypt, KeyInit};
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

/// §3.2: keys sorted by code point at every level, no whitespace, minimal string escapes.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            sort_by_code_point(&mut keys);
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(&map[key], out);
            }
            out.push('}');
        }
    }
}

/// Code point order, not UTF-16 order (Java's `String.compareTo`): they differ past U+FFFF.
pub fn sort_by_code_point(keys: &mut [&String]) {
    keys.sort_by(|a, b| a.chars().cmp(b.chars()));
}

/// Only `"`, `\` and control characters are escaped; `/` and non-ASCII stay as they are.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A system field as it is concatenated: a string's text, a number's digits.
fn field(body: &Map<String, Value>, name: &str) -> String {
    match body.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// §3: lower-case hex SHA-1 of appKey + timestamp + nonce + canonical body without `sign`.
pub fn sign(app_key: &str, body: &Map<String, Value>) -> String {
    let mut unsigned = body.clone();
    unsigned.remove("sign");
    let text = format!(
        "{app_key}{}{}{}",
        field(body, "timestamp"),
        field(body, "nonce"),
        canonical_json(&Value::Object(unsigned))
    );
    hex::encode(Sha1::digest(text.as_bytes()))
}

/// Whether `body` carries a signature under `app_key` (compared case-insensitively).
pub fn signed_by(app_key: &str, body: &Map<String, Value>) -> bool {
    match body.get("sign") {
        Some(Value::String(presented)) => presented.eq_ignore_ascii_case(&sign(app_key, body)),
        _ => false,
    }
}

/// §4: DES in CBC mode with PKCS#5 padding, key = the app key's first 8 bytes, IV 01..08, Base64.
pub fn des_encrypt(app_key: &str, plain: &str) -> String {
    let cipher = des::Des::new_from_slice(&app_key.as_bytes()[..8]).expect("8-byte DES key");
    let mut data = plain.as_bytes().to_vec();
    let pad = 8 - data.len() % 8;
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut previous = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks(8) {
        let mut b = [0u8; 8];
        for i in 0..8 {
            b[i] = block[i] ^ previous[i];
        }
        let mut b = b.into();
        cipher.encrypt_block(&mut b);
        previous.copy_from_slice(&b);
        out.extend_from_slice(&previous);
    }
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// GB 11643 check character of an ID number's first 17 digits (ISO 7064 MOD 11-2).
pub fn id_check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(d, w)| d.to_digit(10).expect("digits") * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

/// Luhn: doubling every second digit from the right, the sum is a multiple of 10.
pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).expect("digits");
            if i % 2 == 1 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}
