//! The app API's operations of §6.5 and §6.6: messages, consents and contracts.

use super::fields::*;
use super::*;

pub(super) fn ops() -> Vec<Op> {
    use Access::*;
    vec![
        Op {
            path: "/appCommonApi/getCustomMessage",
            tag: MESSAGES,
            summary: "我的消息 The caller's messages, newest first",
            access: Session,
            paged: true,
            request: none(),
            result: list(object(
                &[
                    ("id", text("")),
                    ("messageTitle", text("")),
                    ("messageContent", text("")),
                    ("messageType", text("11 提交审核提醒, 12 审核通过, 13 审核拒绝, 14 放款, 15 还款提醒, 16 已还款, 17 逾期催收, 99 其它")),
                    ("sendDate", r("DateTime")),
                ],
                &[],
            )),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/openCommonApi/getSystemMessage",
            tag: MESSAGES,
            summary: "系统消息 Announcements and campaigns, newest first",
            access: Open,
            paged: true,
            request: none(),
            result: list(object(
                &[
                    ("id", text("")),
                    ("messageTitle", text("")),
                    ("messageContent", text("")),
                    ("messageType", text("0 活动消息, 1 公告消息")),
                    ("eventUrl", text("")),
                    ("sendDate", r("DateTime")),
                ],
                &[],
            )),
            codes: &["0000"],
        },
        Op {
            path: "/appCommonApi/getConsents",
            tag: CONSENTS,
            summary: "授权列表 The consents, their current texts and whether the caller accepted them",
            access: Session,
            paged: false,
            request: none(),
            result: list(object(
                &[
                    ("consentType", codes("", &["sensitive", "carrier", "contacts"])),
                    ("title", text("")),
                    ("version", text("")),
                    ("url", text("the text as an H5 page")),
                    ("accepted", r("Flag")),
                    ("acceptedTime", r("OptionalDateTime")),
                ],
                &[],
            )),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/acceptConsent",
            tag: CONSENTS,
            summary: "同意授权 Accepts a consent's text (recorded as evidence)",
            access: Session,
            paged: false,
            request: object(
                &[("consentType", codes("", &["sensitive", "carrier", "contacts"])), ("version", number_text("the version shown"))],
                &[],
            ),
            result: empty(),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/withdrawConsent",
            tag: CONSENTS,
            summary: "撤回授权 Withdraws a consent: no further collection for it",
            access: Session,
            paged: false,
            request: object(&[("consentType", codes("", &["sensitive", "carrier", "contacts"]))], &[]),
            result: empty(),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/confirmLoanTerms",
            tag: CONSENTS,
            summary: "确认借款条件 Accepts the terms a review changed (stores the new agreement)",
            access: Session,
            paged: false,
            request: object(&[("loanProductApplyId", text("the application's id"))], &[]),
            result: empty(),
            codes: &["0000", "20008001", "99990004"],
        },
    ]
}
