//! The admin API's calls of loans: the lists, an application, review, disbursement and collections.

use super::*;

pub(super) fn calls() -> Vec<Call> {
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
    ]
}
