//! The admin API's calls of customers and products: users, their flags and credit lines, products, messages.

use super::*;

pub(super) fn calls() -> Vec<Call> {
    vec![
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
    ]
}
