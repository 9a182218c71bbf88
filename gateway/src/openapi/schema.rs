//! The building blocks of both documents: the value formats of API.md §2 and an operation as a
//! signed POST answered with the envelope.

use serde_json::{json, Map, Value};

/// A reference to a component schema.
pub fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

/// A string of 1–`max` characters.
pub fn bounded(description: &str, max: u32) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "description": description})
}

/// One of these codes, as a string.
pub fn codes(description: &str, values: &[&str]) -> Value {
    json!({"type": "string", "enum": values, "description": description})
}

/// A number the client may send as a JSON number or as its text ("500.00", 14).
pub fn number_text(description: &str) -> Value {
    json!({"type": ["string", "number"], "description": description})
}

/// An object with these properties, the first list required.
pub fn object(required: &[(&str, Value)], optional: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    for (name, schema) in required.iter().chain(optional) {
        properties.insert((*name).to_owned(), schema.clone());
    }
    let names: Vec<&str> = required.iter().map(|(n, _)| *n).collect();
    json!({"type": "object", "properties": properties, "required": names})
}

/// An array of `items`.
pub fn list(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// The value formats every document shares (API.md §2).
pub fn common_components() -> Map<String, Value> {
    let mut c = Map::new();
    let mut put = |name: &str, v: Value| {
        c.insert(name.to_owned(), v);
    };
    put(
        "Money",
        json!({"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$", "description": "元, exactly two decimals", "examples": ["5000.00"]}),
    );
    put(
        "Rate",
        json!({"type": "string", "pattern": "^[0-9]+\\.[0-9]{4}$", "description": "a yearly fraction, four decimals (0.3600 is 36 %)", "examples": ["0.3600"]}),
    );
    put(
        "Date",
        json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "yyyy-MM-dd, UTC+8", "examples": ["2026-12-15"]}),
    );
    put(
        "DateTime",
        json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$", "description": "yyyy-MM-dd HH:mm:ss, UTC+8", "examples": ["2026-12-15 23:59:59"]}),
    );
    put(
        "OptionalDateTime",
        json!({"anyOf": [{"$ref": "#/components/schemas/DateTime"}, {"const": ""}], "description": "yyyy-MM-dd HH:mm:ss (UTC+8), or \"\" when there is none yet"}),
    );
    put(
        "EpochMs",
        json!({"type": "integer", "description": "a `Date`: milliseconds since the epoch"}),
    );
    put(
        "Flag",
        json!({"type": "string", "enum": ["0", "1"], "description": "\"1\" yes, \"0\" no"}),
    );
    put(
        "Mobile",
        json!({"type": "string", "pattern": "^1[3-9][0-9]{9}$", "description": "a mainland mobile number", "examples": ["13800138000"]}),
    );
    put(
        "MaskedMobile",
        json!({"type": "string", "description": "masked: 189****7521 (\"\" before it is known)"}),
    );
    let contract = object(
        &[
            ("contractName", text("")),
            ("contractPath", text("a link valid for 10 minutes")),
        ],
        &[],
    );
    put(
        "Application",
        object(
            &[
                ("id", text("the applyId")),
                ("loanProductId", text("")),
                ("name", text("the product's name")),
                ("code", text("e.g. CL20251128000001")),
                (
                    "applyStatus",
                    codes(
                        "0 待审核, 1 审核中, 2 审核成功, 3 审核拒绝, 4 已放款, 5 已还完",
                        &["0", "1", "2", "3", "4", "5"],
                    ),
                ),
                ("applyAmount", r("Money")),
                ("replyAmount", json!({"anyOf": [r("Money"), {"const": ""}]})),
                ("repayType", text("")),
                ("releaseDate", r("OptionalDateTime")),
                ("applyTime", r("EpochMs")),
                ("termCount", text("")),
                ("termUnit", text("")),
                ("interestRate", r("Rate")),
                ("penaltyRate", r("Rate")),
                ("authTermCount", text("")),
                ("authTermUnit", text("")),
                ("useType", text("the purpose code")),
                ("otherChannels", text("")),
                ("contractInfoList", list(contract)),
                ("needConfirm", r("Flag")),
                (
                    "contractPreviewUrl",
                    text("the changed terms' documents while needConfirm is 1, else \"\""),
                ),
            ],
            &[],
        ),
    );
    put(
        "RepayStatus",
        json!({"type": "string", "enum": ["0", "1", "2"], "description": "0 未还, 1 已还, 2 处理中"}),
    );
    put(
        "Paging",
        object(
            &[],
            &[
                ("pageNum", json!({"type": "integer"})),
                ("pageSize", json!({"type": "integer"})),
                ("total", json!({"type": "integer"})),
                (
                    "pages",
                    json!({"type": "integer", "description": "ceil(total / pageSize); 0 when total is 0"}),
                ),
                ("isFirstPage", json!({"type": "boolean"})),
                ("isLastPage", json!({"type": "boolean"})),
            ],
        ),
    );
    c
}

/// The codes every endpoint of the app API may answer (API.md §5).
pub const COMMON_APP_CODES: &[&str] = &[
    "10001000", "99990001", "99990002", "99990003", "99990005", "99990006", "99999999",
];

/// The response of an operation: always HTTP 200 with the envelope; `responseCode` one of
/// `codes`, `resultSet` the success value or `""`.
pub fn enveloped(envelope: &str, codes: &[&str], result: Value, paged: bool) -> Value {
    let properties = json!({
        "responseCode": {"type": "string", "enum": codes},
        "resultSet": {"anyOf": [result, {"const": ""}]},
    });
    let mut schema = json!({"allOf": [r(envelope), {"type": "object", "properties": properties}]});
    if paged {
        schema["allOf"]
            .as_array_mut()
            .expect("an allOf list")
            .push(r("Paging"));
    }
    json!({"200": {
        "description": "Always HTTP 200 with the envelope; `responseCode` tells the outcome.",
        "content": {"application/json": {"schema": schema}},
    }})
}
