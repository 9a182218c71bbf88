//! The admin API's calls of credit decisions (DECISIONS.md "Operators"): decision records, lists
//! and statistics; rulesets saved, replayed and activated.

use super::*;

fn day(d: &str) -> Value {
    json!({"type": "string", "format": "date", "description": d})
}

fn version() -> Value {
    json!({"type": ["integer", "string"], "description": "the ruleset's version"})
}

pub(super) fn calls() -> Vec<Call> {
    vec![
        Call {
            path: "/admin/risk/decisions/get",
            tag: RISK,
            summary: "The decision record of an application: ruleset version, features, each rule's result, score, band, outcome, reasons, timings, the challenger's outcome, an override and its remark",
            required: vec![("applyId", text(""))],
            optional: vec![],
            result: any_object("the decision record (DECISIONS.md \"Records\")"),
            codes: &["10001000"],
        },
        Call {
            path: "/admin/risk/decisions/list",
            tag: RISK,
            summary: "Decisions, newest first: applyId, outcome, reasons, score, band, rulesetVersion, approvedAmount, decidedTime; paged",
            required: vec![],
            optional: with_page(vec![
                ("outcome", codes("", &["approve", "refer", "reject"])),
                ("from", day("decided on or after (UTC+8)")),
                ("to", day("decided on or before (UTC+8)")),
            ]),
            result: any_list("decisions"),
            codes: &[],
        },
        Call {
            path: "/admin/risk/stats",
            tag: RISK,
            summary: "Per day of from–to (at most 366): decisions, outcomes {approve, refer, reject, bands}, overrides, the challenger {evaluated, agreed, outcomes}",
            required: vec![("from", day("")), ("to", day(""))],
            optional: vec![],
            result: any_list("one entry per day"),
            codes: &[],
        },
        Call {
            path: "/admin/risk/rulesets/list",
            tag: RISK,
            summary: "Every version: version, status (draft, champion, challenger, retired), share, createdBy, createdAt; newest first",
            required: vec![],
            optional: vec![],
            result: any_list("rulesets"),
            codes: &[],
        },
        Call {
            path: "/admin/risk/rulesets/get",
            tag: RISK,
            summary: "One version: its document, and changes [{part, change, before, after}] from the champion (comparedWith)",
            required: vec![("version", version())],
            optional: vec![],
            result: any_object("the ruleset"),
            codes: &["10001000"],
        },
        Call {
            path: "/admin/risk/rulesets/save",
            tag: RISK,
            summary: "Compiles and checks a document (rules' CEL expressions, the scorecard, bands covering 300–1000 without gaps, rates inside the cap) and saves it as a draft; an invalid one: 20009020 with the first error",
            required: vec![("document", json!({"type": ["object", "string"], "description": "the ruleset (DECISIONS.md \"Rules\"), or its JSON text"}))],
            optional: vec![],
            result: any_object("the draft's version"),
            codes: &["20009020"],
        },
        Call {
            path: "/admin/risk/rulesets/replay",
            tag: RISK,
            summary: "A version against the champion over the stored snapshots of from–to (at most 92 days): decisions, current and draft {approve, refer, reject, bands}, changed [{applyId, from, to}] (at most 100), changedTotal",
            required: vec![("version", version()), ("from", day("")), ("to", day(""))],
            optional: vec![],
            result: any_object("the replay report"),
            codes: &["10001000"],
        },
        Call {
            path: "/admin/risk/rulesets/activate",
            tag: RISK,
            summary: "Makes a version the champion (decides) or the challenger (evaluated in shadow on share per cent); takes effect when a second risk operator confirms it",
            required: vec![("version", version()), ("as", codes("", &["champion", "challenger"]))],
            optional: vec![("share", json!({"type": ["integer", "string"], "description": "challenger: 1–50 (per cent of applications)"}))],
            result: any_object("the version now, or the approval waiting: {approvalId, status}"),
            codes: &["10001000", "20009020"],
        },
    ]
}
