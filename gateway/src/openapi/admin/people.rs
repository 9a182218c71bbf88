//! The admin API's calls of people: operators, approvals, the audit log and the reveal of personal data.

use super::*;

pub(super) fn calls() -> Vec<Call> {
    vec![
        Call {
            path: "/admin/audit/list",
            tag: PEOPLE,
            summary: "The audit log, newest first; paged",
            required: vec![],
            optional: with_page(vec![("operator", text("")), ("action", text("a path"))]),
            result: list(object(
                &[
                    ("id", text("")),
                    (
                        "sealed",
                        json!({"type": "boolean", "description": "sealed into the evidence chain"}),
                    ),
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
                    (
                        "changes",
                        json!({"type": ["object", "null"], "description": "{field: {before, after}} of a change"}),
                    ),
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
                (
                    "field",
                    codes("", &["mobile", "idCardNo", "bankCardNo", "realName"]),
                ),
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
            optional: with_page(vec![(
                "status",
                codes(
                    "",
                    &["pending", "executing", "done", "failed", "rejected", "withdrawn"],
                ),
            )]),
            result: list(r("Approval")),
            codes: &[],
        },
        Call {
            path: "/admin/approvals/decide",
            tag: PEOPLE,
            summary:
                "Confirms (carried out as the checker) or rejects a request; never the maker, never the token",
            required: vec![("id", text("")), ("decision", codes("", &["confirm", "reject"]))],
            optional: vec![],
            result: json!({"type": ["string", "object", "array"], "description": "confirm: the outcome of the action; reject: the approval"}),
            codes: &[
                "20008001", "20008003", "20008004", "20008005", "20008006", "20009005", "20009006",
                "20009008", "20009009", "20009010", "20009011", "20009012", "20009013", "20009014",
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
            summary: "Creates an operator without a password; their enrolment link is mailed to them. An admin or finance account asked by an operator waits for a second admin",
            required: vec![
                (
                    "username",
                    json!({"type": "string", "pattern": "^[A-Za-z0-9._-]{3,32}$"}),
                ),
                (
                    "email",
                    json!({"type": "string", "maxLength": 100, "description": "where the enrolment link goes"}),
                ),
                (
                    "roles",
                    json!({"type": ["array", "string"], "description": "reviewer, finance, admin, auditor"}),
                ),
            ],
            optional: vec![
                ("displayName", text("")),
                ("withTotp", json!({"type": ["boolean", "string"]})),
            ],
            result: json!({"oneOf": [r("OperatorCreated"), r("ApprovalAsked")]}),
            codes: &["20009005", "20009006"],
        },
        Call {
            path: "/admin/operators/update",
            tag: PEOPLE,
            summary: "Changes an operator's roles (by an operator: waits for a second admin), disables, or forces a reset (sessions end; a new enrolment link is mailed to them)",
            required: vec![("id", text(""))],
            optional: vec![
                ("roles", json!({"type": ["array", "string"]})),
                ("disabled", json!({"type": ["boolean", "string"]})),
                ("reset", json!({"type": ["boolean", "string"]})),
            ],
            result: json!({"oneOf": [r("OperatorCreated"), r("ApprovalAsked")]}),
            codes: &["20009005", "20009008"],
        },
    ]
}
