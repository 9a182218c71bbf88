//! Canonical JSON (API.md §3.2): object keys sorted by Unicode code point at every level, no
//! insignificant whitespace, strings escaped minimally (`"`, `\\` and control characters; non-ASCII
//! and `/` as they are). The apps' signatures and the payment channel's are computed over it.

use serde_json::{Map, Value};

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

/// An object, leaving out the member named `skip` (the signature itself).
pub fn write_object(map: &Map<String, Value>, skip: Option<&str>, out: &mut Vec<u8>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_escaped_minimally() {
        let v = json!({"b":"a/b \"q\" \\ é\n\u{1}","a":[3,1.5,true,null]});
        assert_eq!(
            canonical_json(&v),
            "{\"a\":[3,1.5,true,null],\"b\":\"a/b \\\"q\\\" \\\\ é\\n\\u0001\"}"
        );
    }

    /// A long decimal is read correctly rounded and printed back as sent: a client that signs
    /// what it sends is not refused (found by fuzzing: without serde_json's `float_roundtrip`,
    /// 1049484969981.0085 came back one unit in the last place off).
    #[test]
    fn long_decimals_print_back_as_they_were_sent() {
        for text in [
            "1049484969981.0085",
            "0.30000000000000004",
            "116.39748",
            "-2.2250738585072014e-308",
        ] {
            let parsed: Value = serde_json::from_str(&format!("{{\"x\":{text}}}")).unwrap();
            let back: f64 = text.parse().unwrap();
            assert_eq!(parsed["x"].as_f64(), Some(back), "{text}");
        }
        let v: Value = serde_json::from_str(r#"{"x":1049484969981.0085}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"x":1049484969981.0085}"#);
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
}
