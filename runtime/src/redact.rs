//! Redaction of what must never reach a log line or an exported span: passwords, codes, tokens,
//! signatures, ID numbers, card numbers and full mobiles. Every log line and every exported span
//! attribute passes through `text`, so a careless field cannot leak what it names.

use std::borrow::Cow;

/// Names whose values are secret, alone or at the end of a longer name (`newPassword`, `x-token`).
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "smscode",
    "captcha",
    "token",
    "secret",
    "authorization",
    "cookie",
];

/// Names secret only on their own: `code` is the SMS or captcha code of a request, while
/// `response_code` is not secret.
const SECRET_NAMES: &[&str] = &["code", "pwd", "sign", "totp"];

/// Whether a field or attribute name holds a secret.
pub fn is_secret_key(name: &str) -> bool {
    let normal: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_NAMES.contains(&normal.as_str()) || SECRET_SUFFIXES.iter().any(|k| normal.ends_with(k))
}

/// The text with secrets masked: values of secret `key=value` / `"key":"value"` pairs, and runs of
/// digits that look like a mobile (11 digits from 1), an ID or card number (15–19 digits, an ID
/// number may end in X) or a one-time code (exactly 6 digits).
pub fn text(input: &str) -> Cow<'_, str> {
    if !input
        .bytes()
        .any(|b| b.is_ascii_digit() || b == b'=' || b == b':')
    {
        return Cow::Borrowed(input);
    }
    let masked = mask_secret_values(input);
    let digits = mask_digit_runs(&masked);
    if digits == input {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(digits)
    }
}

/// Replaces the value after `key=` or `"key":` when the key is secret.
fn mask_secret_values(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        out.push(b as char);
        if b.is_ascii() {
            i += 1;
        } else {
            // Copy the whole UTF-8 character.
            let len = utf8_len(b);
            out.pop();
            out.push_str(&input[i..i + len]);
            i += len;
            continue;
        }
        if b != b'=' && b != b':' {
            continue;
        }
        let key = key_before(&input[..i - 1]);
        if key.is_empty() || !is_secret_key(key) {
            continue;
        }
        // Skip spaces and an opening quote, then mask up to the end of the value.
        while i < bytes.len() && bytes[i] == b' ' {
            out.push(' ');
            i += 1;
        }
        let quoted = i < bytes.len() && bytes[i] == b'"';
        if quoted {
            out.push('"');
            i += 1;
        }
        let start = i;
        while i < bytes.len() {
            let c = bytes[i];
            let end = if quoted {
                c == b'"'
            } else {
                c == b' ' || c == b',' || c == b'}' || c == b'&'
            };
            if end {
                break;
            }
            i += 1;
        }
        if i > start {
            out.push_str("***");
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        _ => 2,
    }
}

/// The identifier just before a `=`/`:` (dropping one closing quote).
fn key_before(text: &str) -> &str {
    let text = text.strip_suffix('"').unwrap_or(text);
    let start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(0, |p| p + 1);
    &text[start..]
}

/// Masks digit runs that look like mobiles, ID or card numbers, or codes.
fn mask_digit_runs(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let mut end = i;
        // An ID number may end in X.
        if end - start == 17 && end < bytes.len() && (bytes[end] == b'X' || bytes[end] == b'x') {
            end += 1;
            i = end;
        }
        // Digits inside a word (a hex trace id, `v2`) are not numbers of their own.
        let in_word = |at: Option<&u8>| at.is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if in_word(start.checked_sub(1).and_then(|p| bytes.get(p))) || in_word(bytes.get(end)) {
            continue;
        }
        let run = &input[start..end];
        // Six digits inside a time, date or decimal (`18:29:51.123456Z`, `123456.00`) are no code.
        let in_number = |at: Option<&u8>| matches!(at, Some(b'.' | b':' | b'-'));
        let code_like =
            !in_number(start.checked_sub(1).and_then(|p| bytes.get(p))) && !in_number(bytes.get(end));
        let replacement = match run.len() {
            6 if code_like => Some("******".to_owned()),
            11 if run.starts_with('1') => Some(format!("{}****{}", &run[..3], &run[7..])),
            15..=19 => Some(format!("{}…{}", &run[..2], &run[run.len() - 2..])),
            _ => None,
        };
        if let Some(replacement) = replacement {
            out.push_str(&input[copied..start]);
            out.push_str(&replacement);
            copied = end;
        }
    }
    out.push_str(&input[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_masked_whatever_their_value() {
        assert_eq!(text("password=hunter2 user=5"), "password=*** user=5");
        assert_eq!(
            text(r#"{"smscode":"ab12","ok":true}"#),
            r#"{"smscode":"***","ok":true}"#
        );
        assert_eq!(text("sms_code: xyz, next"), "sms_code: ***, next");
        assert_eq!(text("Authorization=Bearer"), "Authorization=***");
        assert_eq!(text("token=\"A1B2\""), "token=\"***\"");
    }

    #[test]
    fn numbers_that_identify_people_are_masked() {
        assert_eq!(text("mobile 13800138000 sent"), "mobile 138****8000 sent");
        assert_eq!(text("id=11010519491231002X."), "id=11…2X.");
        assert_eq!(text("card 6222021234567890123"), "card 62…23");
        assert_eq!(text("your code is 042917"), "your code is ******");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let plain = "request path=/openApi/getSmsCode code_count elapsed_ms=12 at 2026-11-28 port 50054";
        assert!(matches!(text(plain), Cow::Borrowed(_)));
        assert_eq!(text("amount=500.00 periods=12"), "amount=500.00 periods=12");
        assert_eq!(text("中文 password=密码 完"), "中文 password=*** 完");
        assert_eq!(text("timestamp 1764345600000"), "timestamp 1764345600000");
        assert_eq!(
            text("2026-11-28T18:29:51.123456Z 123456.00"),
            "2026-11-28T18:29:51.123456Z 123456.00"
        );
    }

    #[test]
    fn secret_names() {
        for name in [
            "password",
            "newPassword",
            "sms_code",
            "x-token",
            "SIGN",
            "access_key_secret",
        ] {
            assert!(is_secret_key(name), "{name}");
        }
        for name in [
            "path",
            "mobile_masked",
            "route",
            "user_id",
            "code_count",
            "response_code",
            "signature_method",
        ] {
            assert!(!is_secret_key(name), "{name}");
        }
    }
}
