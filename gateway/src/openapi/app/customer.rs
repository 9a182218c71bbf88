//! The app API's operations of §6.2: real name, bank card, carrier, profile and contacts.

use super::fields::*;
use super::*;

pub(super) fn ops() -> Vec<Op> {
    use Access::*;
    let s = |n: &str| r(n);
    vec![
        Op {
            path: "/appCommonApi/getAuthenticationStatus",
            tag: CUSTOMER,
            summary: "认证状态 The four verifications and the customer's flags; identity values masked",
            access: Session,
            paged: false,
            request: none(),
            result: object(
                &[
                    ("realNameAuthStatus", s("Flag")),
                    ("bankCardAuthStatus", s("Flag")),
                    ("customerInfoStatus", s("Flag")),
                    ("mobileAuthStatus", s("Flag")),
                    ("isBlackList", s("Flag")),
                    ("isRisk", s("Flag")),
                    ("authRealName", text("masked: 张*某; \"\" until verified")),
                    ("authNumber", text("masked: 110105********002X")),
                    ("bankCardNumber", text("masked: 6217 **** **** 1531")),
                    ("bankCardMobile", s("MaskedMobile")),
                ],
                &[],
            ),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/authUserBankCard",
            tag: CUSTOMER,
            summary: "银行卡认证 Verifies a bank card (after real name); a new card replaces the old",
            access: Session,
            paged: false,
            request: object(
                &[
                    (
                        "bankCardNo",
                        json!({"type": "string", "pattern": "^[0-9]{15,19}$", "description": "15–19 digits passing the Luhn check"}),
                    ),
                    ("mobile", r("Mobile")),
                ],
                &[],
            ),
            result: empty(),
            codes: &["0000", "20007010", "20007011", "20007030", "99990004"],
        },
        Op {
            path: "/appCommonApi/authUserMobile",
            tag: CUSTOMER,
            summary: "手机运营商认证 The carrier check of the account's mobile (after real name)",
            access: Session,
            paged: false,
            request: none(),
            result: empty(),
            codes: &["0000", "20007010", "20007030", "99990004"],
        },
        Op {
            path: "/appCommonApi/authRealNameInfo",
            tag: CUSTOMER,
            summary: "实名认证 Real-name verification; one ID card verifies one account",
            access: Session,
            paged: false,
            request: object(
                &[
                    (
                        "realName",
                        json!({"type": "string", "minLength": 2, "maxLength": 30, "description": "CJK, ·, or Latin letters and spaces"}),
                    ),
                    (
                        "idCardNo",
                        json!({"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$", "description": "GB 11643, checksum and birth date valid, age 18–65"}),
                    ),
                ],
                &[],
            ),
            result: json!({"allOf": [r("Flag")], "description": "mobileAuthStatus: whether the carrier check is done"}),
            codes: &[
                "0000", "20007001", "20007002", "20007003", "20007004", "20007005", "20007030", "99990004",
            ],
        },
        Op {
            path: "/appCommonApi/getPerfectUserInfo",
            tag: CUSTOMER,
            summary: "个人资料 The profile as saved (\"\" before) and the contacts",
            access: Session,
            paged: false,
            request: none(),
            result: {
                let mut profile: Vec<(&str, Value)> = profile_fields()
                    .into_iter()
                    .map(|(name, _)| (name, json!({"type": ["string", "integer"]})))
                    .collect();
                profile.push(("payrollDay", json!({"type": ["string", "integer"]})));
                let contact = object(
                    &[
                        ("id", text("")),
                        ("relType", text("")),
                        ("realName", text("")),
                        ("phoneNum", text("")),
                    ],
                    &[],
                );
                profile.push(("relShipList", list(contact)));
                object(&profile, &[])
            },
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/savePerfectUserInfo",
            tag: CUSTOMER,
            summary: "完善个人信息 Saves the profile; a bad field is 20007020 with the field named",
            access: Session,
            paged: false,
            request: object(
                &profile_fields(),
                &[(
                    "payrollDay",
                    json!({"type": ["string", "integer"], "description": "1–31"}),
                )],
            ),
            result: empty(),
            codes: &["0000", "20007020", "99990004"],
        },
        Op {
            path: "/appCommonApi/saveOrUpdateRelShip",
            tag: CUSTOMER,
            summary: "联系人 Adds a contact (resultSet its id) or updates one of the caller's; at most 5",
            access: Session,
            paged: false,
            request: object(
                &[
                    ("operType", codes("add or update", &["add", "update"])),
                    (
                        "relType",
                        json!({"type": ["string", "integer"], "description": "1 父母, 2 子女, 3 兄弟姐妹, 4 同事, 6 朋友, 7 配偶, 8 其他亲属, 9 祖父母"}),
                    ),
                    (
                        "realName",
                        json!({"type": "string", "minLength": 2, "maxLength": 30}),
                    ),
                    ("phoneNum", r("Mobile")),
                ],
                &[("id", text("the contact to update (update only)"))],
            ),
            result: json!({"type": "string", "description": "add: the new contact's id; update: \"\""}),
            codes: &["0000", "20007020", "20007021", "20007030", "99990004"],
        },
    ]
}
