//! The test client of `app_protocol` checked against API.md's vectors (in the end-to-end binary
//! only, so they run once).

use crate::app_protocol::*;
use serde_json::json;
use serde_json::{Map, Value};

fn object(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn the_first_vector_and_its_canonical_string() {
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
fn the_second_vector_with_chinese_and_nesting() {
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
fn keys_past_the_basic_plane_sort_by_code_point() {
    let (emoji, fullwidth) = ("\u{1F600}".to_string(), "\u{FF5E}".to_string());
    let mut keys = vec![&emoji, &fullwidth];
    sort_by_code_point(&mut keys);
    assert_eq!(
        keys,
        [&fullwidth, &emoji],
        "U+FF5E before U+1F600, unlike UTF-16 order"
    );
}

#[test]
fn the_password_vectors() {
    assert_eq!(
        des_encrypt("12345678", "zhongkeborun"),
        "t9xLwn19WXS+d7OVW9ocKw=="
    );
    assert_eq!(des_encrypt("12345678", "123456"), "eBAod9zrP4k=");
}

#[test]
fn check_digits() {
    assert_eq!(id_check_char("11010519491231002"), 'X');
    assert!(luhn_valid("79927398713"));
    assert!(!luhn_valid("79927398710"));
}
