//! Request and response signatures (API.md §3): SHA-1 over appKey + timestamp + nonce + the
//! canonical JSON of the body without `sign`.

use cashloan_runtime::canonical_json::write_object;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// The text of a system field as it enters the string to sign (a number prints as its digits).
pub fn field_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Lower-case hex SHA-1 of the string to sign, for `body` (its own `sign`, if any, left out).
pub fn sign(app_key: &str, body: &Map<String, Value>) -> String {
    sign_signed_part(app_key, &signed_part(body))
}

/// What follows the app key in the string to sign: timestamp, nonce, canonical body.
fn signed_part(body: &Map<String, Value>) -> Vec<u8> {
    let mut text = Vec::with_capacity(512);
    text.extend_from_slice(field_text(body.get("timestamp")).as_bytes());
    text.extend_from_slice(field_text(body.get("nonce")).as_bytes());
    write_object(body, Some("sign"), &mut text);
    text
}

fn sign_signed_part(app_key: &str, signed_part: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(app_key.as_bytes());
    hasher.update(signed_part);
    hex::encode(hasher.finalize())
}

/// The index of the active key under which `body` carries a valid signature. The presented sign
/// is compared case-insensitively and in constant time.
pub fn verify(app_keys: &[String], body: &Map<String, Value>) -> Option<usize> {
    let presented = match body.get("sign") {
        Some(Value::String(s)) if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            s.to_ascii_lowercase()
        }
        _ => return None,
    };
    // Check every key even after a match, so timing does not reveal which key signed; the body
    // is serialised once for all of them.
    let signed_part = signed_part(body);
    let mut found = None;
    for (i, key) in app_keys.iter().enumerate() {
        let expected = sign_signed_part(key, &signed_part);
        if bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) && found.is_none() {
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn first_vector_canonical_string_and_sign() {
        let body = object(json!({"timestamp":"1511758907184","nonce":"12345678","pageSize":10,"pageNum":1}));
        assert_eq!(
            cashloan_runtime::canonical_json::canonical_json(&Value::Object(body.clone())),
            r#"{"nonce":"12345678","pageNum":1,"pageSize":10,"timestamp":"1511758907184"}"#
        );
        assert_eq!(
            sign("12345678", &body),
            "d520c2f151b29c8da5380e9157949349e54f9de6"
        );
    }

    #[test]
    fn second_vector_with_chinese_and_nesting() {
        let body = object(
            json!({"timestamp":"1700000000000","nonce":"00000001","realName":"张某",
            "idCardNo":"11010519491231002X","phonebookList":[{"contactPhone":"13800138000","contactName":"李四"}]}),
        );
        assert_eq!(
            sign("12345678", &body),
            "db19845667a8effba53d5046246803aa7a8bb03c"
        );
    }

    #[test]
    fn the_sign_field_itself_is_not_signed() {
        let mut body =
            object(json!({"timestamp":"1511758907184","nonce":"12345678","pageSize":10,"pageNum":1}));
        body.insert("sign".into(), json!("whatever"));
        assert_eq!(
            sign("12345678", &body),
            "d520c2f151b29c8da5380e9157949349e54f9de6"
        );
    }

    #[test]
    fn verification_accepts_any_active_key_and_upper_case_hex() {
        let mut body =
            object(json!({"timestamp":"1511758907184","nonce":"12345678","pageSize":10,"pageNum":1}));
        body.insert("sign".into(), json!("D520C2F151B29C8DA5380E9157949349E54F9DE6"));
        let keys = vec!["newkey99".to_string(), "12345678".to_string()];
        assert_eq!(verify(&keys, &body), Some(1));
        assert_eq!(verify(&keys[..1], &body), None);
        body.insert("pageNum".into(), json!(2));
        assert_eq!(verify(&keys, &body), None, "tampered body");
        body.remove("sign");
        assert_eq!(verify(&keys, &body), None, "missing sign");
    }
}
