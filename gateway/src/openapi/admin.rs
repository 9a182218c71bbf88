//! The admin API (API.md §7, CONSOLE.md) as OpenAPI 3.1: plain JSON (no signature), the bearer
//! token or an operator's console session, the roles each path allows.

use serde_json::{json, Map, Value};

use super::schema::{codes, common_components, enveloped, list, number_text, object, r, text};

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

fn calls() -> Vec<Call> {
    let id = |d: &str| text(d);
    vec![
        Call {
            path: "/admin/loans/list",
            tag: LOANS,
            summary: "Applications, newest first (or oldest, a work queue); paged",
            required: vec![],
            optional: with_page(vec![
                ("status", json!({"type": ["integer", "string"], "description": "0–5"})),
                ("statuses", text("comma-separated, e.g. 0,1")),
                ("mobile", r("Mobile")),
                ("order", codes("", &["newest", "oldest"])),
                ("applyId", id("one application")),
            ]),
            result: list(r("AdminApplication")),
            codes: &[],
        },
        Call {
            path: "/admin/loans/detail",
            tag: LOANS,
            summary: "One application with the applicant's verification, profile (masked), credit and history",
            required: vec![("applyId", id(""))],
            optional: vec![],
            result: object(
                &[
                    ("application", r("MaskedApplication")),
                    (
                        "verification",
                        object(
                            &[
                                ("realNameVerified", json!({"type": "boolean"})),
                                ("bankCardVerified", json!({"type": "boolean"})),
                                ("mobileVerified", json!({"type": "boolean"})),
                                ("customerInfoComplete", json!({"type": "boolean"})),
                                ("blacklisted", json!({"type": "boolean"})),
                                ("risk", json!({"type": "boolean"})),
                                ("realName", text("masked")),
                                ("idCardNo", text("masked")),
                                ("bankCardNo", text("masked")),
                                ("bankCardMobile", r("MaskedMobile")),
                            ],
                            &[],
                        ),
                    ),
                    ("profile", json!({"type": ["object", "null"], "description": "the profile, street details masked"})),
                    (
                        "contacts",
                        list(object(&[("relType", text("")), ("realName", text("masked")), ("phoneNum", text(""))], &[])),
                    ),
                    ("credit", object(&[("totalCredit", r("Money")), ("availableCredit", r("Money"))], &[])),
                    (
                        "history",
                        list(object(
                            &[
                                ("fromStatus", text("\"\" for the creation")),
                                ("toStatus", text("")),
                                ("actor", text("the operator, token, the customer or admin")),
                                ("remark", text("")),
                                ("at", r("DateTime")),
                            ],
                            &[],
                        )),
                    ),
                ],
                &[],
            ),
            codes: &[],
        },
        Call {
            path: "/admin/loans/overview",
            tag: LOANS,
            summary: "One loan: plan, payment orders, collection notes, the customer's messages",
            required: vec![("applyId", id(""))],
            optional: vec![],
            result: object(
                &[
                    ("application", r("MaskedApplication")),
                    (
                        "plan",
                        list(object(
                            &[
                                ("periodNum", json!({"type": "integer"})),
                                ("dueDate", r("Date")),
                                ("duePrincipal", r("Money")),
                                ("dueInterest", r("Money")),
                                ("fee", r("Money")),
                                ("dueAmount", r("Money")),
                                ("repayStatus", r("RepayStatus")),
                            ],
                            &[],
                        )),
                    ),
                    ("payments", list(r("PaymentOrder"))),
                    ("notes", list(r("Note"))),
                    (
                        "messages",
                        list(object(&[("title", text("")), ("content", text("")), ("sendDate", r("DateTime"))], &[])),
                    ),
                ],
                &[],
            ),
            codes: &[],
        },
        Call {
            path: "/admin/loans/review",
            tag: LOANS,
            summary: "start (0→1), approve (0/1→2, optionally narrowing amount or term) or reject (0/1→3); roles: reviewer",
            required: vec![("applyId", id("")), ("decision", codes("", &["start", "approve", "reject"]))],
            optional: vec![
                ("replyAmount", number_text("the approved amount, default the applied one")),
                ("authTermCount", number_text("")),
                ("authTermUnit", json!({"type": ["integer", "string"]})),
                ("remark", text("")),
            ],
            result: json!({"const": ""}),
            codes: &["20008001"],
        },
        Call {
            path: "/admin/loans/disburse",
            tag: LOANS,
            summary: "Starts the payout; resultSet the payout order's number. A past releaseDate asked by an operator waits for a second one; roles: finance",
            required: vec![("applyId", id(""))],
            optional: vec![("releaseDate", r("Date"))],
            result: json!({"type": ["string", "object"], "description": "the payout order's number, or {approvalId, status} when it waits"}),
            codes: &["20008001", "20008003", "20008004", "20008005", "20008006"],
        },
        Call {
            path: "/admin/collections/list",
            tag: LOANS,
            summary: "Overdue loans, most overdue first; paged",
            required: vec![],
            optional: with_page(vec![("mobile", r("Mobile")), ("minDays", json!({"type": ["integer", "string"]}))]),
            result: list(object(
                &[
                    ("applyId", text("")),
                    ("code", text("")),
                    ("userId", text("")),
                    ("mobile", r("MaskedMobile")),
                    ("productName", text("")),
                    ("overduePeriods", json!({"type": "integer"})),
                    ("firstDueDate", r("Date")),
                    ("daysOverdue", json!({"type": "integer", "minimum": 1})),
                    ("overdueAmount", r("Money")),
                    ("penalty", r("Money")),
                    ("totalOwed", r("Money")),
                    ("lastNote", json!({"anyOf": [r("Note"), {"type": "null"}]})),
                ],
                &[],
            )),
            codes: &[],
        },
        Call {
            path: "/admin/collections/note",
            tag: LOANS,
            summary: "Adds a collection note under the operator's name",
            required: vec![("applyId", id("")), ("note", json!({"type": "string", "minLength": 1, "maxLength": 500}))],
            optional: vec![],
            result: json!({"const": ""}),
            codes: &[],
        },
        Call {
            path: "/admin/users/update",
            tag: CUSTOMERS,
            summary: "Blacklist, risk flag, credit line; an operator's blacklist or credit change waits for a second admin",
            required: vec![("mobile", r("Mobile"))],
            optional: vec![
                ("isBlackList", r("Flag")),
                ("isRisk", r("Flag")),
                ("totalCredit", number_text("")),
            ],
            result: json!({"type": ["string", "object"]}),
            codes: &[],
        },
        Call {
            path: "/admin/users/detail",
            tag: CUSTOMERS,
            summary: "A customer's verification state (masked), flags and credit",
            required: vec![("mobile", r("Mobile"))],
            optional: vec![],
            result: object(
                &[
                    ("userId", text("")),
                    ("mobile", r("MaskedMobile")),
                    ("realName", text("masked")),
                    ("realNameVerified", json!({"type": "boolean"})),
                    ("bankCardVerified", json!({"type": "boolean"})),
                    ("mobileVerified", json!({"type": "boolean"})),
                    ("customerInfoComplete", json!({"type": "boolean"})),
                    ("isBlackList", r("Flag")),
                    ("isRisk", r("Flag")),
                    ("totalCredit", r("Money")),
                    ("availableCredit", r("Money")),
                    ("totalNeedPayAmount", r("Money")),
                ],
                &[],
            ),
            codes: &[],
        },
        Call {
            path: "/admin/products/upsert",
            tag: CUSTOMERS,
            summary: "Creates or updates a product (the detail object plus code, penaltyRate, feeRate, onSale, sortOrder); resultSet its id",
            required: vec![("code", text(""))],
            optional: vec![
                ("id", text("")),
                ("penaltyRate", r("Rate")),
                ("feeRate", r("Rate")),
                ("onSale", r("Flag")),
                ("sortOrder", json!({"type": ["integer", "string"]})),
            ],
            result: text("the product's id"),
            codes: &["20008002"],
        },
        Call {
            path: "/admin/products/list",
            tag: CUSTOMERS,
            summary: "Every product, off-sale ones too, as /admin/products/upsert takes them",
            required: vec![],
            optional: vec![],
            result: any_list(""),
            codes: &[],
        },
        Call {
            path: "/admin/messages/system",
            tag: CUSTOMERS,
            summary: "Publishes a system message",
            required: vec![
                ("messageTitle", text("")),
                ("messageContent", text("")),
                ("messageType", codes("0 活动消息, 1 公告消息", &["0", "1"])),
            ],
            optional: vec![("eventUrl", text(""))],
            result: json!({"const": ""}),
            codes: &[],
        },
        Call {
            path: "/admin/appVersions/publish",
            tag: CUSTOMERS,
            summary: "Publishes an app version",
            required: vec![
                ("appType", codes("", &["1", "2", "3"])),
                ("latestVersion", text("")),
                ("minSupportedVersion", text("")),
            ],
            optional: vec![("downloadUrl", text("")), ("releaseNotes", text(""))],
            result: json!({"const": ""}),
            codes: &[],
        },
        Call {
            path: "/admin/sms/outbox",
            tag: CUSTOMERS,
            summary: "The SMS sent to a mobile, newest first (the local log provider only)",
            required: vec![("mobile", r("Mobile"))],
            optional: vec![("limit", json!({"type": ["integer", "string"], "description": "default 10"}))],
            result: list(object(
                &[("mobile", text("")), ("content", text("")), ("sendDate", r("DateTime"))],
                &[],
            )),
            codes: &[],
        },
        Call {
            path: "/admin/payments/list",
            tag: MONEY,
            summary: "Payment orders, newest first; paged",
            required: vec![],
            optional: with_page(vec![
                ("kind", codes("", &["payout", "repay", "refund"])),
                ("status", text("created, submitted, unknown, succeeded, failed, returned, mismatch, manual")),
                ("mobile", r("Mobile")),
                ("applyId", text("")),
            ]),
            result: list(r("PaymentOrder")),
            codes: &[],
        },
        Call {
            path: "/admin/payments/settle",
            tag: MONEY,
            summary: "Asks the channel for an open order's outcome now and settles it",
            required: vec![("orderNo", text(""))],
            optional: vec![],
            result: r("PaymentOrder"),
            codes: &[],
        },
        Call {
            path: "/admin/payments/resolve",
            tag: MONEY,
            summary: "Closes a manual or mismatch order or an overpayment when a second finance operator confirms (never the token alone)",
            required: vec![
                ("orderNo", text("")),
                ("resolution", codes("", &["succeeded", "failed", "apply", "refund"])),
                ("evidence", json!({"type": "string", "minLength": 1, "maxLength": 500})),
            ],
            optional: vec![],
            result: json!({"type": "object", "description": "asked: {approvalId, status}; confirmed: {summary, order}"}),
            codes: &["20009012", "20009013"],
        },
        Call {
            path: "/admin/reconciliation/run",
            tag: MONEY,
            summary: "Reconciles a day (UTC+8) against the channel's statement",
            required: vec![("date", r("Date"))],
            optional: vec![],
            result: object(
                &[
                    ("statement", codes("", &["READY", "NOT_READY"])),
                    ("matched", json!({"type": "integer"})),
                    ("mismatched", json!({"type": "integer"})),
                ],
                &[],
            ),
            codes: &[],
        },
        Call {
            path: "/admin/reconciliation/mismatches",
            tag: MONEY,
            summary: "Differences between the channel and the books, newest first; paged",
            required: vec![],
            optional: with_page(vec![("date", r("Date"))]),
            result: list(object(
                &[
                    ("orderNo", text("")),
                    ("date", r("Date")),
                    ("channelSays", text("")),
                    ("ledgerSays", text("")),
                    ("resolution", text("")),
                    ("createdAt", r("DateTime")),
                ],
                &[],
            )),
            codes: &[],
        },
        Call {
            path: "/admin/ledger/fund",
            tag: MONEY,
            summary: "Records funding of the channel account (Dr 1012 / Cr 3001)",
            required: vec![("amount", number_text("")), ("remark", text(""))],
            optional: vec![],
            result: json!({"const": ""}),
            codes: &[],
        },
        Call {
            path: "/admin/ledger/trialBalance",
            tag: MONEY,
            summary: "Each account's debits, credits and balance, and the ledger's invariants",
            required: vec![],
            optional: vec![("asOf", r("Date"))],
            result: object(
                &[
                    (
                        "accounts",
                        list(object(
                            &[
                                ("account", text("1012, 1122, 1221, 2241, 3001, 6011, 6021, 6031, 6603")),
                                ("name", text("")),
                                ("debit", r("Money")),
                                ("credit", r("Money")),
                                ("balance", r("Money")),
                            ],
                            &[],
                        )),
                    ),
                    ("totalDebit", r("Money")),
                    ("totalCredit", r("Money")),
                    (
                        "invariants",
                        list(object(
                            &[("name", text("")), ("holds", json!({"type": "boolean"})), ("detail", text(""))],
                            &[],
                        )),
                    ),
                ],
                &[],
            ),
            codes: &[],
        },
        Call {
            path: "/admin/contracts/verify",
            tag: MONEY,
            summary: "Re-hashes stored contract documents and walks the evidence chain",
            required: vec![],
            optional: vec![("applyId", text(""))],
            result: any_object("the documents checked and any that fail"),
            codes: &[],
        },
        Call {
            path: "/admin/audit/list",
            tag: PEOPLE,
            summary: "The audit log, newest first; paged",
            required: vec![],
            optional: with_page(vec![("operator", text("")), ("action", text("a path"))]),
            result: list(object(
                &[
                    ("id", text("")),
                    ("sealed", json!({"type": "boolean", "description": "sealed into the evidence chain"})),
                    ("operator", text("the operator's name, or token")),
                    ("role", text("")),
                    ("action", text("the path")),
                    ("target", text("")),
                    ("request", text("the request without secrets")),
                    ("clientIp", text("")),
                    ("traceId", text("")),
                    ("startedAt", r("DateTime")),
                    ("outcome", text("code and message; \"\" while unfinished")),
                    ("customers", list(text("user ids whose data the call returned"))),
                    ("finishedAt", r("OptionalDateTime")),
                    ("changes", json!({"type": ["object", "null"], "description": "{field: {before, after}} of a change"})),
                ],
                &[],
            )),
            codes: &[],
        },
        Call {
            path: "/admin/reveal",
            tag: PEOPLE,
            summary: "One personal value whole, for a reason; audited",
            required: vec![
                ("field", codes("", &["mobile", "idCardNo", "bankCardNo", "realName"])),
                ("userId", text("")),
                ("reason", text("")),
            ],
            optional: vec![],
            result: text("the value"),
            codes: &[],
        },
        Call {
            path: "/admin/approvals/list",
            tag: PEOPLE,
            summary: "Maker-checker requests, oldest first; paged",
            required: vec![],
            optional: with_page(vec![("status", codes("", &["pending", "executing", "done", "failed", "rejected"]))]),
            result: list(r("Approval")),
            codes: &[],
        },
        Call {
            path: "/admin/approvals/decide",
            tag: PEOPLE,
            summary: "Confirms (carried out as the checker) or rejects a request; never the maker, never the token",
            required: vec![("id", text("")), ("decision", codes("", &["confirm", "reject"]))],
            optional: vec![],
            result: json!({"type": ["string", "object", "array"], "description": "confirm: the outcome of the action; reject: the approval"}),
            codes: &[
                "20008001", "20008003", "20008004", "20008005", "20008006", "20009009", "20009010", "20009011",
                "20009012", "20009013",
            ],
        },
        Call {
            path: "/admin/operators/list",
            tag: PEOPLE,
            summary: "The operators",
            required: vec![],
            optional: vec![],
            result: list(r("Operator")),
            codes: &[],
        },
        Call {
            path: "/admin/operators/create",
            tag: PEOPLE,
            summary: "Creates an operator; resultSet {id, totpUri}",
            required: vec![
                ("username", json!({"type": "string", "pattern": "^[A-Za-z0-9._-]{3,32}$"})),
                ("password", json!({"type": "string", "minLength": 10, "maxLength": 64})),
                ("roles", json!({"type": ["array", "string"], "description": "reviewer, finance, admin, auditor"})),
            ],
            optional: vec![("displayName", text("")), ("withTotp", json!({"type": ["boolean", "string"]}))],
            result: r("OperatorCreated"),
            codes: &["20009005", "20009006", "20009007"],
        },
        Call {
            path: "/admin/operators/update",
            tag: PEOPLE,
            summary: "Changes an operator's roles, password or state",
            required: vec![("id", text(""))],
            optional: vec![
                ("roles", json!({"type": ["array", "string"]})),
                ("password", json!({"type": "string", "minLength": 10, "maxLength": 64})),
                ("disabled", json!({"type": ["boolean", "string"]})),
            ],
            result: r("OperatorCreated"),
            codes: &["20009005", "20009007", "20009008"],
        },
    ]
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
                ("totpEnrolled", json!({"type": "boolean"})),
                ("disabled", json!({"type": "boolean"})),
                ("createdBy", text("")),
                ("createdAt", r("DateTime")),
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
                    "totpUri",
                    text("otpauth://… shown once; \"\" without a second factor"),
                ),
            ],
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
                    codes("", &["pending", "executing", "done", "failed", "rejected"]),
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
    let tags: Vec<Value> = [LOANS, MONEY, CUSTOMERS, PEOPLE]
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
