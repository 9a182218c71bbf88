//! The admin API (API.md §7, CONSOLE.md) as OpenAPI 3.1: plain JSON (no signature), the bearer
//! token or an operator's console session, the roles each path allows.

use serde_json::{json, Map, Value};

use super::schema::{codes, common_components, enveloped, list, number_text, object, r, text};

mod customers;
mod loans;
mod money;
mod people;
mod risk;

/// One admin call: path, tag, summary, required and optional fields, resultSet, the codes besides
/// the common ones.
struct Call {
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    required: Vec<(&'static str, Value)>,
    optional: Vec<(&'static str, Value)>,
    result: Value,
    codes: &'static [&'static str],
}

const LOANS: &str = "借款 Loans";
const MONEY: &str = "资金与账务 Payments and books";
const CUSTOMERS: &str = "用户与产品 Customers and products";
const PEOPLE: &str = "操作员、复核与审计 Operators, approvals, audit";
const RISK: &str = "风控决策 Credit decisions";

/// The codes any admin call may answer.
const COMMON: &[&str] = &[
    "0000", "10001000", "99990004", "99990005", "99990007", "99990008", "99999999",
];

fn page() -> Vec<(&'static str, Value)> {
    vec![
        (
            "pageNum",
            json!({"type": ["integer", "string"], "description": "≥ 1, default 1"}),
        ),
        (
            "pageSize",
            json!({"type": ["integer", "string"], "description": "1–100, default 10"}),
        ),
    ]
}

fn with_page(mut fields: Vec<(&'static str, Value)>) -> Vec<(&'static str, Value)> {
    fields.extend(page());
    fields
}

fn any_object(description: &str) -> Value {
    json!({"type": "object", "description": description})
}

fn any_list(description: &str) -> Value {
    json!({"type": "array", "items": {"type": "object"}, "description": description})
}

/// Every admin call, section by section.
fn calls() -> Vec<Call> {
    [
        loans::calls(),
        customers::calls(),
        money::calls(),
        people::calls(),
        risk::calls(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn operation(call: &Call, roles: &[&str]) -> Value {
    let body = object(&call.required, &call.optional);
    let mut all: Vec<&str> = COMMON.to_vec();
    all.extend(call.codes);
    all.sort_unstable();
    all.dedup();
    let paged = call.optional.iter().any(|(n, _)| *n == "pageNum");
    let token = match call.path {
        "/admin/payments/resolve" | "/admin/approvals/decide" => {
            "The bearer token is refused (99990007): one person asks, another confirms."
        }
        _ => "The bearer token may call it too.",
    };
    let mut responses = enveloped("AdminEnvelope", &all, call.result.clone(), paged);
    let refused = |codes: &[&str], why: &str| {
        json!({"description": why, "content": {"application/json": {"schema": {"allOf": [r("AdminEnvelope"),
            {"type": "object", "properties": {"responseCode": {"type": "string", "enum": codes}}}]}}}})
    };
    responses["401"] = refused(&["99990004"], "no valid token or session");
    responses["403"] = refused(
        &["99990007", "99990008"],
        "the operator's roles do not allow it, or the request came from another site",
    );
    json!({"post": {
        "tags": [call.tag],
        "summary": call.summary,
        "description": format!("Operators' roles allowed: {}. {token}", roles.join(", ")),
        "operationId": call.path.trim_start_matches("/admin/").replace('/', "_"),
        "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
        "responses": responses,
    }})
}

fn console_paths(paths: &mut Map<String, Value>) {
    let login = object(
        &[("username", text("")), ("password", text(""))],
        &[("totp", json!({"type": "string", "pattern": "^[0-9]{6}$"}))],
    );
    let session = object(
        &[
            ("csrf", text("the X-CSRF-Token of every change")),
            ("operator", any_object("")),
        ],
        &[],
    );
    let reply = |codes: &[&str], result: Value| enveloped("AdminEnvelope", codes, result, false);
    paths.insert(
        "/console/api/login".into(),
        json!({"post": {"tags": [PEOPLE], "summary": "An operator's console login: sets the console_session cookie",
            "operationId": "consoleLogin", "security": [],
            "requestBody": {"required": true, "content": {"application/json": {"schema": login}}},
            "responses": reply(&["0000", "10001000", "20009001", "20009002", "20009003", "20009004", "99990008"], session.clone())}}),
    );
    paths.insert(
        "/console/api/logout".into(),
        json!({"post": {"tags": [PEOPLE], "summary": "Ends the console session", "operationId": "consoleLogout",
            "security": [{"consoleSession": []}], "responses": reply(&["0000", "99990004", "99990008"], json!({"const": ""}))}}),
    );
    let token = || ("token", json!({"type": "string", "pattern": "^[0-9A-F]{64}$"}));
    let opened = object(
        &[
            ("username", text("")),
            ("displayName", text("")),
            (
                "totpUri",
                text("otpauth://…, \"\" when the account needs no second factor"),
            ),
            ("expiresAt", r("DateTime")),
        ],
        &[],
    );
    paths.insert(
        "/console/api/enrolment".into(),
        json!({"post": {"tags": [PEOPLE], "summary": "Opens an enrolment link: its account and a new second factor to add",
            "operationId": "consoleEnrolment", "security": [],
            "requestBody": {"required": true, "content": {"application/json": {"schema": object(&[token()], &[])}}},
            "responses": reply(&["0000", "10001000", "20009015", "99990008"], opened)}}),
    );
    let completion = object(
        &[
            token(),
            (
                "password",
                json!({"type": "string", "minLength": 10, "maxLength": 64}),
            ),
        ],
        &[("totp", json!({"type": "string", "pattern": "^[0-9]{6}$"}))],
    );
    paths.insert(
        "/console/api/enrol".into(),
        json!({"post": {"tags": [PEOPLE], "summary": "Completes an enrolment link once: the password (and second factor) set",
            "operationId": "consoleEnrol", "security": [],
            "requestBody": {"required": true, "content": {"application/json": {"schema": completion}}},
            "responses": reply(&["0000", "10001000", "20009003", "20009004", "20009007", "20009015", "99990008"], object(&[("username", text(""))], &[]))}}),
    );
    paths.insert(
        "/console/api/me".into(),
        json!({"get": {"tags": [PEOPLE], "summary": "The session's operator and CSRF token (HTTP 401 without one)",
            "operationId": "consoleMe", "security": [{"consoleSession": []}], "responses": reply(&["0000", "99990004"], session)}}),
    );
}

/// The whole document; `server` is the admin listener's URL.
pub fn document(server: &str) -> Value {
    let mut paths = Map::new();
    for call in calls() {
        let roles = crate::admin::actor::allowed_roles(call.path).unwrap_or(&[]);
        paths.insert(call.path.to_owned(), operation(&call, roles));
    }
    console_paths(&mut paths);
    let mut schemas = common_components();
    schemas.insert(
        "AdminEnvelope".into(),
        object(
            &[
                (
                    "exceptionFlag",
                    codes("0000 succeeded, 9999 failed", &["0000", "9999"]),
                ),
                ("responseCode", text("")),
                ("responseMessage", text("")),
                (
                    "resultSet",
                    json!({"description": "the payload: each operation says its shape"}),
                ),
            ],
            &[],
        ),
    );
    let with = |extra: Value| json!({"allOf": [r("Application"), extra]});
    schemas.insert(
        "AdminApplication".into(),
        with(object(&[("userId", text("")), ("mobile", r("Mobile"))], &[])),
    );
    schemas.insert(
        "MaskedApplication".into(),
        with(object(
            &[("userId", text("")), ("mobile", r("MaskedMobile"))],
            &[],
        )),
    );
    schemas.insert(
        "Note".into(),
        object(
            &[("operator", text("")), ("note", text("")), ("at", r("DateTime"))],
            &[],
        ),
    );
    schemas.insert(
        "Operator".into(),
        object(
            &[
                ("id", text("")),
                ("username", text("")),
                ("displayName", text("")),
                (
                    "roles",
                    list(codes("", &["reviewer", "finance", "admin", "auditor"])),
                ),
                ("email", text("masked")),
                (
                    "enrolled",
                    json!({"type": "boolean", "description": "a password set through the link"}),
                ),
                ("totpEnrolled", json!({"type": "boolean"})),
                ("disabled", json!({"type": "boolean"})),
                ("createdBy", text("")),
                ("createdAt", r("DateTime")),
                (
                    "changedBy",
                    text("who last changed the roles, disabled or reset it"),
                ),
            ],
            &[],
        ),
    );
    schemas.insert(
        "OperatorCreated".into(),
        object(
            &[
                ("id", text("")),
                (
                    "enrolmentSent",
                    json!({"type": "boolean", "description": "the link reached the mail relay (a new or reset account)"}),
                ),
            ],
            &[],
        ),
    );
    schemas.insert(
        "ApprovalAsked".into(),
        object(
            &[("approvalId", text("")), ("status", json!({"const": "pending"}))],
            &[],
        ),
    );
    schemas.insert(
        "Approval".into(),
        object(
            &[
                ("id", text("")),
                ("action", text("the path asked for")),
                ("target", text("")),
                ("summary", text("what changes, from what to what")),
                ("madeBy", text("")),
                ("madeAt", r("DateTime")),
                (
                    "status",
                    codes(
                        "",
                        &["pending", "executing", "done", "failed", "rejected", "withdrawn"],
                    ),
                ),
                ("decidedBy", text("")),
                ("decidedAt", r("OptionalDateTime")),
                ("outcome", text("")),
            ],
            &[],
        ),
    );
    schemas.insert(
        "PaymentOrder".into(),
        object(
            &[
                ("orderNo", text("PO… payout, RO… repay, FO… refund")),
                ("kind", codes("", &["payout", "repay", "refund"])),
                ("applyId", text("")),
                ("periods", text("")),
                ("amount", r("Money")),
                ("status", text("")),
                ("channelOrderNo", text("")),
                ("reason", text("")),
                ("createdAt", r("DateTime")),
                ("settledAt", r("OptionalDateTime")),
            ],
            &[],
        ),
    );
    let tags: Vec<Value> = [LOANS, RISK, MONEY, CUSTOMERS, PEOPLE]
        .iter()
        .map(|t| json!({"name": t}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "现金贷 Admin API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "For operators and automation (API.md §7, CONSOLE.md): plain JSON POSTs, no signature, \
    answered with the envelope (`exceptionFlag`, `responseCode`, `responseMessage`, `resultSet`). A refused role is \
    HTTP 403 99990007, a cross-site request 403 99990008, no valid token or session HTTP 401 99990004. Every call is \
    in the audit log.",
        },
        "servers": [{"url": server}],
        "tags": tags,
        "security": [{"adminToken": []}, {"consoleSession": [], "csrf": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer", "description": "ADMIN_TOKEN: automation, first set-up, emergencies; audited as `token`"},
                "consoleSession": {"type": "apiKey", "in": "cookie", "name": "console_session", "description": "An operator's session (HttpOnly, SameSite=Strict), 30 minutes idle, 12 hours at most"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token", "description": "The session's token, on every call made with the cookie"},
            },
        },
    })
}

#[cfg(test)]
pub fn paths() -> Vec<String> {
    let doc = document("http://127.0.0.1:9998");
    doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}
