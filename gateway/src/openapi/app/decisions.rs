//! The app API's operations of §6.7: credit decisions and a person's review.

use super::fields::*;
use super::*;

pub(super) fn ops() -> Vec<Op> {
    use Access::*;
    vec![
        Op {
            path: "/appCommonApi/getLoanDecision",
            tag: DECISIONS,
            summary: "借款决策 How one of the caller's applications was decided: by the rules or a person, the ruleset's reasons of a rejection",
            access: Session,
            paged: false,
            request: object(&[("loanProductApplyId", text("the application's id"))], &[]),
            result: object(
                &[
                    ("decidedBy", codes("machine, person, or empty before a decision", &["machine", "person", ""])),
                    ("outcome", codes("", &["approve", "reject", "refer", ""])),
                    (
                        "reasons",
                        list(object(&[("code", text("")), ("text", text("what the borrower is told"))], &[])),
                    ),
                    ("decidedTime", text("yyyy-MM-dd HH:mm:ss (UTC+8), or empty")),
                    ("reviewRequestable", codes("whether #42 may be asked now", &["0", "1"])),
                ],
                &[],
            ),
            codes: &["0000", "10001000", "99990004"],
        },
        Op {
            path: "/appCommonApi/requestManualReview",
            tag: DECISIONS,
            summary: "人工复核 Asks a person to review an automatic rejection, once within 15 days",
            access: Session,
            paged: false,
            request: object(
                &[
                    ("loanProductApplyId", text("the application's id")),
                    ("reason", text("1–200 characters")),
                ],
                &[],
            ),
            result: empty(),
            codes: &["0000", "10001000", "20005007", "99990004"],
        },
    ]
}
