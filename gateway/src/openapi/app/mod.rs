//! The app API (API.md §6) as OpenAPI 3.1: every path of the route table, its request fields with
//! their formats and limits, the codes it answers and its `resultSet`.

use serde_json::{json, Map, Value};

use super::schema::{
    bounded, codes, common_components, enveloped, list, number_text, object, r, text, COMMON_APP_CODES,
};
use crate::routes::Access;

mod account;
mod customer;
mod decisions;
mod fields;
mod loans;
mod messages;

/// One signed call.
struct Op {
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    access: Access,
    paged: bool,
    /// The request's own fields (the §2 system fields are added).
    request: Value,
    /// `resultSet` on success.
    result: Value,
    /// The codes besides §5's.
    codes: &'static [&'static str],
}

pub(super) const ACCOUNT: &str = "6.1 账户 Account";
pub(super) const CUSTOMER: &str = "6.2 认证与资料 Verification and profile";
pub(super) const PRODUCTS: &str = "6.3 产品 Products";
pub(super) const LOANS: &str = "6.4 借款与还款 Loans and repayments";
pub(super) const MESSAGES: &str = "6.5 消息 Messages";
pub(super) const CONSENTS: &str = "6.6 授权与合同 Consents and contracts";
pub(super) const DECISIONS: &str = "6.7 借款决策 Credit decisions";

/// Every signed call, section by section.
fn ops() -> Vec<Op> {
    [
        account::ops(),
        customer::ops(),
        loans::ops(),
        messages::ops(),
        decisions::ops(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The application, quote, plan and product shapes shared by several operations.
fn components() -> Map<String, Value> {
    let mut c = common_components();
    let money = || r("Money");
    let limit_type = || text("0 range, 1 fixed values; \"\" where it does not apply");
    let number = || text("a count or amount as text; \"\" where it does not apply");
    let summary_fields = vec![
        ("id", text("")),
        ("name", text("")),
        ("amountLimitType", limit_type()),
        ("singleMinAmount", number()),
        ("singleMaxAmount", number()),
        ("singleAmounts", text("fixed amounts, comma-separated")),
        (
            "termUnit",
            text("the units offered, comma-separated: 1 days, 2 months"),
        ),
        ("daysLimitType", limit_type()),
        ("singleMinDays", number()),
        ("singleMaxDays", number()),
        ("singleDays", number()),
        ("monthsLimitType", limit_type()),
        ("singleMinMonths", number()),
        ("singleMaxMonths", number()),
        ("singleMonths", number()),
    ];
    c.insert("ProductSummary".into(), object(&summary_fields, &[]));
    let mut detail_fields = summary_fields;
    let dictionary = || json!({"type": "object", "additionalProperties": {"type": "string"}});
    detail_fields.extend([
        ("detailDescription", text("`;`-separated")),
        ("thirdServiceCode", text("")),
        ("singleDefaultAmount", money()),
        ("interestRateLimitType", limit_type()),
        ("minInterestRate", number()),
        ("maxInterestRate", number()),
        ("interestRates", text("fixed rates, comma-separated")),
        ("defaultInterestRate", r("Rate")),
        ("singleDefaultDays", number()),
        ("singleDefaultMonths", number()),
        ("repayType", text("comma-separated codes")),
        ("defaultRepayTermCount", number()),
        ("defaultRepayTermUnit", number()),
        ("repayTermUnit", text("comma-separated codes")),
        ("penaltyRate", r("Rate")),
        ("termUnitData", dictionary()),
        ("repayTermUnitData", dictionary()),
        ("repayTypeData", dictionary()),
        ("purposeData", dictionary()),
        ("otherChannelsData", dictionary()),
    ]);
    c.insert("ProductDetail".into(), object(&detail_fields, &[]));
    let period = object(
        &[
            ("periodNum", json!({"type": "integer", "minimum": 1})),
            ("dueRepayDate", r("Date")),
            ("duePrincipal", money()),
            ("dueInterest", money()),
            ("fee", money()),
            ("dueAmount", money()),
        ],
        &[],
    );
    c.insert(
        "Quote".into(),
        object(
            &[
                ("applyAmount", money()),
                ("replyAmount", money()),
                ("totalAmount", money()),
                ("totalDuePrincipal", money()),
                ("totalDueInterest", money()),
                ("totalDueFee", money()),
                ("repayTime", r("Date")),
                ("apr", r("Rate")),
                ("schedule", list(period)),
                (
                    "contractPreviewUrl",
                    text("the agreement and the collection authorisation with these terms"),
                ),
            ],
            &[],
        ),
    );
    c.insert(
        "PlanPeriod".into(),
        object(
            &[
                ("repayId", text("the period's id (gotoRepayment's id)")),
                ("periodNum", json!({"type": "integer", "minimum": 1})),
                ("dueRepayDate", r("EpochMs")),
                ("duePrincipal", money()),
                ("dueInterest", money()),
                ("fee", money()),
                ("dueAmount", money()),
                ("loanProductApplyId", text("")),
                ("repayStatus", r("RepayStatus")),
            ],
            &[],
        ),
    );
    c.insert(
        "RepayInfo".into(),
        object(
            &[
                ("id", text("the period's id")),
                ("productName", text("")),
                ("code", text("the application's number")),
                ("periodNum", json!({"type": "integer", "minimum": 1})),
                ("dueRepayDate", r("DateTime")),
                ("repayStatus", r("RepayStatus")),
                ("applyAmount", money()),
                ("duePrincipal", money()),
                ("dueInterest", money()),
                ("duePenalty", money()),
                ("dueFeeAmount", money()),
                ("dueTotalAmount", money()),
                ("needPayTotalAmount", money()),
                ("contractUrl", text("the loan agreement's link, or \"\"")),
            ],
            &[],
        ),
    );
    c.insert(
        "Envelope".into(),
        object(
            &[
                ("exceptionFlag", codes("0000 succeeded, 9999 failed", &["0000", "9999"])),
                ("responseCode", text("the outcome code")),
                ("responseMessage", text("Chinese text for the code")),
                ("timestamp", json!({"type": "string", "pattern": "^[0-9]+$"})),
                ("nonce", json!({"type": "string", "pattern": "^[0-9]{8}$"})),
                ("sign", json!({"type": "string", "pattern": "^[0-9a-f]{40}$", "description": "the server's signature (API.md §3)"})),
                ("resultSet", json!({"description": "the payload: each operation says its shape; \"\" on failure"})),
            ],
            &[],
        ),
    );
    c
}

const SIGNING: &str = "Every request body carries `timestamp` (ms, within ±300 s), `nonce` (1–32 printable \
ASCII characters) and `sign`: remove `sign` from the body, serialise the rest canonically (object keys sorted \
by code point at every level, no insignificant whitespace, minimal escaping, non-ASCII as UTF-8), then \
`sign = lowercase hex(SHA-1(appKey + timestamp + nonce + canonicalJson))`. The signature travels in the body, \
not in a header: the header named here is not read. A signature accepted once is refused again within the \
window (99990003). Responses are signed the same way. The test app key is `12345678`. Vector: \
`{\"timestamp\":\"1511758907184\",\"nonce\":\"12345678\",\"pageSize\":10,\"pageNum\":1}` signs to \
`d520c2f151b29c8da5380e9157949349e54f9de6`.";

const SESSION: &str = "The token `/security/login` returns: `Authorization: Bearer <token>`, else the \
`JSESSIONID` cookie, else the body field `sessionId`. 30 days without use ends it (99990004).";

fn operation(op: &Op) -> Value {
    let mut required: Vec<(&str, Value)> = vec![
        (
            "timestamp",
            json!({"type": "string", "pattern": "^[0-9]+$", "description": "ms since the epoch, within ±300 s", "examples": ["1511758907184"]}),
        ),
        (
            "nonce",
            json!({"type": "string", "minLength": 1, "maxLength": 32, "examples": ["12345678"]}),
        ),
        (
            "sign",
            json!({"type": "string", "pattern": "^[0-9a-fA-F]{40}$", "description": "see the appSignature scheme", "examples": ["d520c2f151b29c8da5380e9157949349e54f9de6"]}),
        ),
    ];
    let mut optional: Vec<(&str, Value)> = Vec::new();
    if op.access != Access::Open {
        optional.push((
            "sessionId",
            text("the session token, when sent neither as a header nor as a cookie"),
        ));
    }
    if op.paged {
        optional.push((
            "pageNum",
            json!({"type": ["integer", "string"], "description": "≥ 1, default 1"}),
        ));
        optional.push((
            "pageSize",
            json!({"type": ["integer", "string"], "description": "1–100, default 10"}),
        ));
    }
    let own = &op.request;
    let mut properties = own["properties"].as_object().cloned().unwrap_or_default();
    for (name, schema) in required.iter().chain(&optional) {
        properties.insert((*name).to_owned(), schema.clone());
    }
    let mut names: Vec<Value> = required.drain(..).map(|(n, _)| json!(n)).collect();
    names.extend(own["required"].as_array().cloned().unwrap_or_default());
    let body = json!({"type": "object", "properties": properties, "required": names});
    let mut all: Vec<&str> = COMMON_APP_CODES.to_vec();
    all.extend(op.codes);
    all.sort_unstable();
    all.dedup();
    let security = match op.access {
        Access::Open => json!([{"appSignature": []}]),
        Access::Session => json!([{"appSignature": [], "session": []}]),
        Access::OptionalSession => json!([{"appSignature": []}, {"appSignature": [], "session": []}]),
    };
    json!({"post": {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": op.path.rsplit('/').next().unwrap_or(op.path),
        "security": security,
        "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
        "responses": enveloped("Envelope", &all, op.result.clone(), op.paged),
    }})
}

/// The pages of the public port: GET (or POST) without a signature, not the envelope.
fn pages(paths: &mut Map<String, Value>) {
    let html = |summary: &str, parameters: Value, missing: bool| {
        let mut responses = json!({"200": {"description": "the page", "content": {"text/html": {"schema": {"type": "string"}}}}});
        if missing {
            responses["404"] = json!({"description": "a link that is forged, altered, expired or unknown: nothing revealed"});
        }
        json!({"tags": [CONSENTS], "summary": summary, "parameters": parameters, "security": [], "responses": responses})
    };
    for (path, summary) in [
        (
            "/open/registrationProtocol",
            "注册协议 The registration agreement (GET or POST, unsigned)",
        ),
        (
            "/open/loanHelp",
            "借款帮助 Help on borrowing (GET or POST, unsigned)",
        ),
    ] {
        let page = html(summary, json!([]), false);
        let mut post = page.clone();
        post["operationId"] = json!(format!("{}Post", path.rsplit('/').next().unwrap_or_default()));
        let mut get = page;
        get["operationId"] = json!(path.rsplit('/').next().unwrap_or_default());
        get["tags"] = json!([ACCOUNT]);
        post["tags"] = json!([ACCOUNT]);
        paths.insert(path.into(), json!({"get": get, "post": post}));
    }
    let token = json!([{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let mut contract = html(
        "合同页 A stored contract document, numbers masked (the links of contractInfoList)",
        token,
        true,
    );
    contract["operationId"] = json!("contractPage");
    paths.insert("/h5/contract/{token}".into(), json!({"get": contract}));
    let consent_params = json!([
        {"name": "consentType", "in": "path", "required": true, "schema": {"type": "string", "enum": ["sensitive", "carrier", "contacts"]}},
        {"name": "version", "in": "path", "required": true, "schema": {"type": "string"}},
    ]);
    let mut consent = html("授权书 A consent's text (getConsents' url)", consent_params, true);
    consent["operationId"] = json!("consentPage");
    paths.insert(
        "/h5/consent/{consentType}/{version}".into(),
        json!({"get": consent}),
    );
}

/// The whole document; `server` is the public URL of the API.
pub fn document(server: &str) -> Value {
    let mut paths = Map::new();
    for op in ops() {
        paths.insert(op.path.to_owned(), operation(&op));
    }
    pages(&mut paths);
    let tags: Vec<Value> = [ACCOUNT, CUSTOMER, PRODUCTS, LOANS, MESSAGES, CONSENTS, DECISIONS]
        .iter()
        .map(|t| json!({"name": t}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "现金贷 App API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The contract the mobile apps speak (API.md). Every call is an HTTP POST of a signed JSON \
    body, answered HTTP 200 with the envelope (`exceptionFlag`, `responseCode`, `responseMessage`, `timestamp`, `nonce`, \
    `sign`, `resultSet`); failures too. Money is a string with two decimals, rates four, dates and times UTC+8. \
    Password fields are DES-CBC encrypted (API.md §4).",
        },
        "servers": [{"url": server}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": components(),
            "securitySchemes": {
                "appSignature": {"type": "apiKey", "in": "header", "name": "X-Body-Sign", "description": SIGNING},
                "session": {"type": "http", "scheme": "bearer", "description": SESSION},
            },
        },
    })
}

/// Every path the document describes (for the test against the route table).
#[cfg(test)]
pub fn paths() -> Vec<String> {
    let doc = document("http://127.0.0.1:9999");
    doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}
