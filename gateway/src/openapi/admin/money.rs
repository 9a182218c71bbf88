//! The admin API's calls of money: payment orders, settlement, reconciliation, the books and resolutions.

use super::*;

pub(super) fn calls() -> Vec<Call> {
    vec![
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
    ]
}
