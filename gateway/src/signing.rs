//! Request and response signatures (API.md §3): SHA-1 over appKey + timestamp + nonce + the
//! canonical JSON of the body without `sign`.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// Keys sorted by code point at every level, compact, strings escaped minimally. Keys are sorted
/// here explicitly: serde_json's map order depends on a Cargo feature anything could turn on.
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out);
    // Only serde_json's output and ASCII punctuation went in: always UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => write_object(map, None, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        // Strings as serde_json escapes them (exactly `"`, `\` and control characters, leaving
        // non-ASCII and `/` as-is); null, booleans and numbers print the same in every reading.
        scalar => write_json(scalar, out),
    }
}

/// An object, leaving out the member named `skip`.
fn write_object(map: &Map<String, Value>, skip: Option<&str>, out: &mut Vec<u8>) {
    let mut entries: Vec<(&String, &Value)> =
        map.iter().filter(|(key, _)| Some(key.as_str()) != skip).collect();
    sort_by_code_point(&mut entries);
    out.push(b'{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json(key, out);
        out.push(b':');
        write_canonical(value, out);
    }
    out.push(b'}');
}

/// Byte order of UTF-8 is code point order (not UTF-16 order, which differs past U+FFFF).
fn sort_by_code_point(entries: &mut [(&String, &Value)]) {
    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
}

fn write_json<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Serialising a string or a JSON scalar into memory cannot fail.
    let _ = serde_json::to_writer(out, value);
}

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
            canonical_json(&Value::Object(body.clone())),
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
    fn strings_are_escaped_minimally() {
        let v = json!({"b":"a/b \"q\" \\ é\n\u{1}","a":[3,1.5,true,null]});
        assert_eq!(
            canonical_json(&v),
            "{\"a\":[3,1.5,true,null],\"b\":\"a/b \\\"q\\\" \\\\ é\\n\\u0001\"}"
        );
    }

    #[test]
    fn keys_sort_by_code_point_whatever_order_they_come_in() {
        // serde_json's map may already iterate in order, so the sort is tested on its own input.
        let keys: Vec<String> = ["张", "\u{1F600}", "Z", "\u{FF5E}", "é", "a"]
            .map(String::from)
            .into();
        let v = Value::Null;
        let mut entries: Vec<(&String, &Value)> = keys.iter().map(|k| (k, &v)).collect();
        sort_by_code_point(&mut entries);
        let sorted: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(sorted, ["Z", "a", "é", "张", "\u{FF5E}", "\u{1F600}"]);
        let nested = json!({"张":1,"Z":2,"a":{"y":1,"x":2},"é":3});
        assert_eq!(
            canonical_json(&nested),
            r#"{"Z":2,"a":{"x":2,"y":1},"é":3,"张":1}"#
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
