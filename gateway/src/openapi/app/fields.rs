//! The field schemas several app operations share.

use serde_json::{json, Value};

use super::super::schema::{bounded, codes, number_text, object, text};

pub(super) fn none() -> Value {
    object(&[], &[])
}

pub(super) fn empty() -> Value {
    json!({"const": "", "description": "nothing: \"\""})
}

pub(super) fn password(description: &str) -> Value {
    json!({"type": "string", "description": format!("{description}: DES-CBC encrypted and Base64-encoded (API.md §4); 6–20 characters before encryption")})
}

pub(super) fn captcha() -> Value {
    json!({"type": "string", "pattern": "^[2-9a-zA-Z]{4}$", "description": "the captcha text from /openApi/getCode"})
}

pub(super) fn sms_code() -> Value {
    json!({"type": "string", "pattern": "^[0-9]{6}$", "description": "the 6-digit SMS code"})
}

pub(super) fn app_type() -> Value {
    codes("1 Android, 2 iOS, 3 other", &["1", "2", "3"])
}

pub(super) fn region() -> Value {
    json!({"type": ["string", "integer"], "description": "a 6-digit region code", "examples": ["110105"]})
}

pub(super) fn profile_fields() -> Vec<(&'static str, Value)> {
    let code = |d: &str| json!({"type": ["string", "integer"], "description": d});
    let words = || bounded("1–100 characters", 100);
    vec![
        ("education", code("1–7")),
        ("martialStatus", code("1–4")),
        ("registry_province", region()),
        ("registry_city", region()),
        ("registry_detail", words()),
        ("house_address_province", region()),
        ("house_address_city", region()),
        ("house_address_county", region()),
        ("house_address_detail", words()),
        ("residenceLength", code("01–05")),
        ("industryType", code("1–14")),
        ("work_address_province", region()),
        ("work_address_city", region()),
        ("work_address_county", region()),
        ("work_address_detail", words()),
        ("workingHours", code("01–05")),
        ("currentWorkInfo", words()),
        ("currentPosition", words()),
        (
            "monthIncome",
            json!({"type": ["string", "integer"], "description": "yuan, a non-negative integer"}),
        ),
    ]
}

pub(super) fn terms() -> Vec<(&'static str, Value)> {
    let with_example = |mut schema: Value, example: &str| {
        schema["examples"] = json!([example]);
        schema
    };
    let unit = |d: &str| json!({"type": ["string", "integer"], "description": d});
    vec![
        ("productId", text("the product's id")),
        (
            "amount",
            with_example(
                number_text("positive, at most 2 decimals, within the product's limits"),
                "500.00",
            ),
        ),
        ("termCount", with_example(number_text("a positive integer"), "14")),
        ("termUnit", with_example(unit("1 days, 2 months"), "1")),
        (
            "repayTermCount",
            with_example(number_text("a positive integer dividing the term"), "14"),
        ),
        ("repayTermUnit", with_example(unit("1 days, 2 months"), "1")),
        (
            "repayType",
            with_example(
                unit("1 一次性还本付息, 2 按期还息到期还本, 3 等额本息, 4 等本等息"),
                "1",
            ),
        ),
        (
            "interestRate",
            with_example(
                number_text("yearly, e.g. 0.3600, within the product's rates"),
                "0.3600",
            ),
        ),
    ]
}

pub(super) const TERM_CODES: &[&str] = &[
    "0000", "20004000", "20004001", "20004002", "20004003", "20004004", "20004005", "20004006", "20004007",
    "20004008", "20004009", "20004010", "20004011", "20004012", "20004013", "20004014", "20004015",
    "20004016", "99990004",
];
