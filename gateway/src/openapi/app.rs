//! The app API (API.md §6) as OpenAPI 3.1: every path of the route table, its request fields with
//! their formats and limits, the codes it answers and its `resultSet`.

use serde_json::{json, Map, Value};

use super::schema::{
    bounded, codes, common_components, enveloped, list, number_text, object, r, text, COMMON_APP_CODES,
};
use crate::routes::Access;

/// One signed call.
struct Op {
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    access: Access,
    paged: bool,
    /// The request's own fields (the §2 system fields are added).
    request: Value,
    /// `resultSet` on success.
    result: Value,
    /// The codes besides §5's.
    codes: &'static [&'static str],
}

const ACCOUNT: &str = "6.1 账户 Account";
const CUSTOMER: &str = "6.2 认证与资料 Verification and profile";
const PRODUCTS: &str = "6.3 产品 Products";
const LOANS: &str = "6.4 借款与还款 Loans and repayments";
const MESSAGES: &str = "6.5 消息 Messages";
const CONSENTS: &str = "6.6 授权与合同 Consents and contracts";

fn none() -> Value {
    object(&[], &[])
}

fn empty() -> Value {
    json!({"const": "", "description": "nothing: \"\""})
}

fn password(description: &str) -> Value {
    json!({"type": "string", "description": format!("{description}: DES-CBC encrypted and Base64-encoded (API.md §4); 6–20 characters before encryption")})
}

fn captcha() -> Value {
    json!({"type": "string", "pattern": "^[2-9a-zA-Z]{4}$", "description": "the captcha text from /openApi/getCode"})
}

fn sms_code() -> Value {
    json!({"type": "string", "pattern": "^[0-9]{6}$", "description": "the 6-digit SMS code"})
}

fn app_type() -> Value {
    codes("1 Android, 2 iOS, 3 other", &["1", "2", "3"])
}

fn region() -> Value {
    json!({"type": ["string", "integer"], "description": "a 6-digit region code", "examples": ["110105"]})
}

fn profile_fields() -> Vec<(&'static str, Value)> {
    let code = |d: &str| json!({"type": ["string", "integer"], "description": d});
    let words = || bounded("1–100 characters", 100);
    vec![
        ("education", code("1–7")),
        ("martialStatus", code("1–4")),
        ("registry_province", region()),
        ("registry_city", region()),
        ("registry_detail", words()),
        ("house_address_province", region()),
        ("house_address_city", region()),
        ("house_address_county", region()),
        ("house_address_detail", words()),
        ("residenceLength", code("01–05")),
        ("industryType", code("1–14")),
        ("work_address_province", region()),
        ("work_address_city", region()),
        ("work_address_county", region()),
        ("work_address_detail", words()),
        ("workingHours", code("01–05")),
        ("currentWorkInfo", words()),
        ("currentPosition", words()),
        (
            "monthIncome",
            json!({"type": ["string", "integer"], "description": "yuan, a non-negative integer"}),
        ),
    ]
}

fn terms() -> Vec<(&'static str, Value)> {
    let with_example = |mut schema: Value, example: &str| {
        schema["examples"] = json!([example]);
        schema
    };
    let unit = |d: &str| json!({"type": ["string", "integer"], "description": d});
    vec![
        ("productId", text("the product's id")),
        (
            "amount",
            with_example(
                number_text("positive, at most 2 decimals, within the product's limits"),
                "500.00",
            ),
        ),
        ("termCount", with_example(number_text("a positive integer"), "14")),
        ("termUnit", with_example(unit("1 days, 2 months"), "1")),
        (
            "repayTermCount",
            with_example(number_text("a positive integer dividing the term"), "14"),
        ),
        ("repayTermUnit", with_example(unit("1 days, 2 months"), "1")),
        (
            "repayType",
            with_example(
                unit("1 一次性还本付息, 2 按期还息到期还本, 3 等额本息, 4 等本等息"),
                "1",
            ),
        ),
        (
            "interestRate",
            with_example(
                number_text("yearly, e.g. 0.3600, within the product's rates"),
                "0.3600",
            ),
        ),
    ]
}

const TERM_CODES: &[&str] = &[
    "0000", "20004000", "20004001", "20004002", "20004003", "20004004", "20004005", "20004006", "20004007",
    "20004008", "20004009", "20004010", "20004011", "20004012", "20004013", "20004014", "20004015",
    "20004016", "99990004",
];

fn ops() -> Vec<Op> {
    use Access::*;
    let mobile = || r("Mobile");
    let s = |n: &str| r(n);
    vec![
        Op {
            path: "/security/login",
            tag: ACCOUNT,
            summary: "登录 Log in; resultSet is the session token (also set as the JSESSIONID cookie)",
            access: Open,
            paged: false,
            request: object(
                &[("username", mobile()), ("password", password("the password")), ("appType", app_type())],
                &[("token", text("the device's push token; may be \"\""))],
            ),
            result: json!({"type": "string", "pattern": "^[0-9A-F]{32}$", "description": "the session token"}),
            codes: &["90000000", "90001000", "90002000", "90003000", "90009000"],
        },
        Op {
            path: "/openApi/getCode",
            tag: ACCOUNT,
            summary: "图形验证码 A captcha: valid 120 s, used once by the SMS request that presents it",
            access: Open,
            paged: false,
            request: none(),
            result: json!({"type": "string", "pattern": "^[23456789abcdefghjkmnpqrstuvwxyz]{4}$"}),
            codes: &["0000"],
        },
        Op {
            path: "/openApi/getSmsCode",
            tag: ACCOUNT,
            summary: "注册短信验证码 Sends the registration SMS code (a mobile not yet registered)",
            access: Open,
            paged: false,
            request: object(&[("mobile", mobile()), ("code", captcha())], &[]),
            result: empty(),
            codes: &["20001000", "20001001", "10002001", "10002002"],
        },
        Op {
            path: "/openApi/checkSmsCode",
            tag: ACCOUNT,
            summary: "校验注册短信验证码 Checks the registration SMS code; marks the mobile verified for 15 minutes",
            access: Open,
            paged: false,
            request: object(&[("mobile", mobile()), ("smscode", sms_code())], &[]),
            result: empty(),
            codes: &["20002004", "20002005", "20002006"],
        },
        Op {
            path: "/openApi/userRegister",
            tag: ACCOUNT,
            summary: "注册 Registers the verified mobile with a password",
            access: Open,
            paged: false,
            request: object(
                &[("mobile", mobile()), ("password", password("the password")), ("confirmPassword", password("the same password"))],
                &[],
            ),
            result: empty(),
            codes: &["20003000", "20003001"],
        },
        Op {
            path: "/openApi/forgetPwdGetSmsCode",
            tag: ACCOUNT,
            summary: "找回密码短信验证码 Sends the password-reset SMS code (a registered mobile)",
            access: Open,
            paged: false,
            request: object(&[("mobile", mobile()), ("code", captcha())], &[]),
            result: empty(),
            codes: &["20001000", "20001001", "10002001", "10002002"],
        },
        Op {
            path: "/openApi/forgetPwdCheckSmsCode",
            tag: ACCOUNT,
            summary: "校验找回密码短信验证码 Checks the password-reset SMS code",
            access: Open,
            paged: false,
            request: object(&[("mobile", mobile()), ("smscode", sms_code())], &[]),
            result: empty(),
            codes: &["20002004", "20002005", "20002006"],
        },
        Op {
            path: "/openApi/forgetPwdIdentityAuth",
            tag: ACCOUNT,
            summary: "找回密码身份认证 Confirms the identity of a real-name verified account before a reset",
            access: Open,
            paged: false,
            request: object(
                &[("mobile", mobile()), ("realname", text("the verified real name")), ("identitycode", text("the verified ID card number"))],
                &[],
            ),
            result: empty(),
            codes: &["20004000", "20004001"],
        },
        Op {
            path: "/openApi/userResetPwd",
            tag: ACCOUNT,
            summary: "重置密码 Resets the password; every session of the user ends",
            access: Open,
            paged: false,
            request: object(
                &[("mobile", mobile()), ("password", password("the new password")), ("confirmPassword", password("the same password"))],
                &[],
            ),
            result: empty(),
            codes: &["20003002", "20003003"],
        },
        Op {
            path: "/appApi/modifyPwd",
            tag: ACCOUNT,
            summary: "修改密码 Changes the password; a session, if sent, must be the mobile's",
            access: OptionalSession,
            paged: false,
            request: object(
                &[("mobile", mobile()), ("oldPassword", password("the current password")), ("newPassword", password("the new password"))],
                &[],
            ),
            result: empty(),
            codes: &["20003004", "20003005", "20003015", "99990004"],
        },
        Op {
            path: "/appApi/commitSuggestion",
            tag: ACCOUNT,
            summary: "意见反馈 Feedback from a registered mobile",
            access: Open,
            paged: false,
            request: object(&[("mobile", mobile()), ("suggestion", bounded("the feedback", 500))], &[("source", text("where it was sent from"))]),
            result: empty(),
            codes: &["20003006", "20003007"],
        },
        Op {
            path: "/appApi/appVersionDetection",
            tag: ACCOUNT,
            summary: "版本检测 The newest version of the app; forceUpdate when the sent version is below the minimum",
            access: Open,
            paged: false,
            request: object(&[("appType", app_type())], &[("appVersion", text("e.g. 1.2.0"))]),
            result: object(
                &[
                    ("appType", text("1 Android, 2 iOS, 3 other")),
                    ("latestVersion", text("e.g. 1.3.0")),
                    ("minSupportedVersion", text("e.g. 1.1.0")),
                    ("downloadUrl", text("")),
                    ("releaseNotes", text("")),
                    ("forceUpdate", s("Flag")),
                ],
                &[],
            ),
            codes: &["20003008", "20003009"],
        },
        Op {
            path: "/appApi/quitMobileLogin",
            tag: ACCOUNT,
            summary: "退出登录 Ends the session (an unknown or ended one too)",
            access: Open,
            paged: false,
            request: object(&[("sessionId", text("the session token"))], &[]),
            result: empty(),
            codes: &["20003010"],
        },
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
                    ("bankCardNo", json!({"type": "string", "pattern": "^[0-9]{15,19}$", "description": "15–19 digits passing the Luhn check"})),
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
                    ("realName", json!({"type": "string", "minLength": 2, "maxLength": 30, "description": "CJK, ·, or Latin letters and spaces"})),
                    ("idCardNo", json!({"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$", "description": "GB 11643, checksum and birth date valid, age 18–65"})),
                ],
                &[],
            ),
            result: json!({"allOf": [r("Flag")], "description": "mobileAuthStatus: whether the carrier check is done"}),
            codes: &["0000", "20007001", "20007002", "20007003", "20007004", "20007005", "20007030", "99990004"],
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
                    &[("id", text("")), ("relType", text("")), ("realName", text("")), ("phoneNum", text(""))],
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
                &[("payrollDay", json!({"type": ["string", "integer"], "description": "1–31"}))],
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
                    ("relType", json!({"type": ["string", "integer"], "description": "1 父母, 2 子女, 3 兄弟姐妹, 4 同事, 6 朋友, 7 配偶, 8 其他亲属, 9 祖父母"})),
                    ("realName", json!({"type": "string", "minLength": 2, "maxLength": 30})),
                    ("phoneNum", r("Mobile")),
                ],
                &[("id", text("the contact to update (update only)"))],
            ),
            result: json!({"type": "string", "description": "add: the new contact's id; update: \"\""}),
            codes: &["0000", "20007020", "20007021", "20007030", "99990004"],
        },
        Op {
            path: "/openCommonApi/getLoanProductList",
            tag: PRODUCTS,
            summary: "产品列表 The products on sale, in their order",
            access: Open,
            paged: false,
            request: none(),
            result: list(r("ProductSummary")),
            codes: &["0000"],
        },
        Op {
            path: "/openCommonApi/getLoanProductDetails",
            tag: PRODUCTS,
            summary: "产品详情 One product on sale (unknown or off sale: 10001000 产品不存在)",
            access: Open,
            paged: false,
            request: object(&[("productId", text("the product's id"))], &[]),
            result: r("ProductDetail"),
            codes: &["0000"],
        },
        Op {
            path: "/appCommonApi/getLoanApplyConfirmInfo",
            tag: LOANS,
            summary: "借款试算 A quote with its full schedule and the documents to preview",
            access: Session,
            paged: false,
            request: object(&terms(), &[]),
            result: r("Quote"),
            codes: TERM_CODES,
        },
        Op {
            path: "/appCommonApi/loanProductApply",
            tag: LOANS,
            summary: "借款申请 Applies on the quoted terms; success is 20005000 with resultSet \"20005000\"",
            access: Session,
            paged: false,
            request: {
                let mut required = terms();
                let contact = object(&[("contactName", text("")), ("contactPhone", text(""))], &[]);
                required.extend([
                    ("longitude", number_text("")),
                    ("latitude", number_text("")),
                    ("orderId", text("the client's own reference")),
                    ("purpose", json!({"type": ["string", "integer"], "description": "a key of purposeData: 15–22"})),
                    ("otherChannels", json!({"type": "string", "description": "01 无借款, 02 有,已结清, 03 有,未结清"})),
                    ("phonebookList", list(contact)),
                ]);
                object(&required, &[("remark", text(""))])
            },
            result: json!({"const": "20005000"}),
            codes: {
                const APPLY: &[&str] = &[
                    "20005000", "20005002", "20005003", "20005004", "20005005", "20004000", "20004001", "20004002",
                    "20004003", "20004004", "20004005", "20004006", "20004007", "20004008", "20004009", "20004010",
                    "20004011", "20004012", "20004013", "20004014", "20004015", "20004016", "99990004",
                ];
                APPLY
            },
        },
        Op {
            path: "/appCommonApi/getRepayInfoList",
            tag: LOANS,
            summary: "还款列表 The caller's repayment periods across loans, by due date",
            access: Session,
            paged: true,
            request: object(
                &[],
                &[("condition", json!({"type": ["string", "integer"], "description": "1 paid, 2 unpaid not overdue, 3 overdue, 4 paid early; 0 or absent all"}))],
            ),
            result: list(r("RepayInfo")),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/getUserCenterInfo",
            tag: LOANS,
            summary: "个人中心 Credit and what is owed",
            access: Session,
            paged: false,
            request: none(),
            result: object(
                &[
                    ("realName", text("masked")),
                    ("mobile", s("MaskedMobile")),
                    ("availableCredit", s("Money")),
                    ("totalCredit", s("Money")),
                    ("totalApplyAmount", s("Money")),
                    ("totalNeedPayAmount", s("Money")),
                ],
                &[],
            ),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/getLoanApplyInfoList",
            tag: LOANS,
            summary: "借款记录 The caller's applications, newest first",
            access: Session,
            paged: true,
            request: none(),
            result: list(r("Application")),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/getLoanApplyRepayList",
            tag: LOANS,
            summary: "还款计划 The plan of one of the caller's applications (another's: an empty page)",
            access: Session,
            paged: true,
            request: object(&[("loanProductApplyId", text("the application's id"))], &[]),
            result: list(r("PlanPeriod")),
            codes: &["0000", "99990004"],
        },
        Op {
            path: "/appCommonApi/gotoRepayment",
            tag: LOANS,
            summary: "还款 Repays a period (current) or the whole loan (all) from the verified card",
            access: Session,
            paged: false,
            request: object(
                &[("id", text("the period's repayId")), ("repayType", codes("current or all", &["current", "all"]))],
                &[],
            ),
            result: empty(),
            codes: &["0000", "20006001", "20006002", "20006003", "20006004", "20006005", "20006006", "20008001", "99990004"],
        },
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

/// The application, quote, plan and product shapes shared by several operations.
fn components() -> Map<String, Value> {
    let mut c = common_components();
    let money = || r("Money");
    let limit_type = || text("0 range, 1 fixed values; \"\" where it does not apply");
    let number = || text("a count or amount as text; \"\" where it does not apply");
    let summary_fields = vec![
        ("id", text("")),
        ("name", text("")),
        ("amountLimitType", limit_type()),
        ("singleMinAmount", number()),
        ("singleMaxAmount", number()),
        ("singleAmounts", text("fixed amounts, comma-separated")),
        (
            "termUnit",
            text("the units offered, comma-separated: 1 days, 2 months"),
        ),
        ("daysLimitType", limit_type()),
        ("singleMinDays", number()),
        ("singleMaxDays", number()),
        ("singleDays", number()),
        ("monthsLimitType", limit_type()),
        ("singleMinMonths", number()),
        ("singleMaxMonths", number()),
        ("singleMonths", number()),
    ];
    c.insert("ProductSummary".into(), object(&summary_fields, &[]));
    let mut detail_fields = summary_fields;
    let dictionary = || json!({"type": "object", "additionalProperties": {"type": "string"}});
    detail_fields.extend([
        ("detailDescription", text("`;`-separated")),
        ("thirdServiceCode", text("")),
        ("singleDefaultAmount", money()),
        ("interestRateLimitType", limit_type()),
        ("minInterestRate", number()),
        ("maxInterestRate", number()),
        ("interestRates", text("fixed rates, comma-separated")),
        ("defaultInterestRate", r("Rate")),
        ("singleDefaultDays", number()),
        ("singleDefaultMonths", number()),
        ("repayType", text("comma-separated codes")),
        ("defaultRepayTermCount", number()),
        ("defaultRepayTermUnit", number()),
        ("repayTermUnit", text("comma-separated codes")),
        ("penaltyRate", r("Rate")),
        ("termUnitData", dictionary()),
        ("repayTermUnitData", dictionary()),
        ("repayTypeData", dictionary()),
        ("purposeData", dictionary()),
        ("otherChannelsData", dictionary()),
    ]);
    c.insert("ProductDetail".into(), object(&detail_fields, &[]));
    let period = object(
        &[
            ("periodNum", json!({"type": "integer", "minimum": 1})),
            ("dueRepayDate", r("Date")),
            ("duePrincipal", money()),
            ("dueInterest", money()),
            ("fee", money()),
            ("dueAmount", money()),
        ],
        &[],
    );
    c.insert(
        "Quote".into(),
        object(
            &[
                ("applyAmount", money()),
                ("replyAmount", money()),
                ("totalAmount", money()),
                ("totalDuePrincipal", money()),
                ("totalDueInterest", money()),
                ("totalDueFee", money()),
                ("repayTime", r("Date")),
                ("apr", r("Rate")),
                ("schedule", list(period)),
                (
                    "contractPreviewUrl",
                    text("the agreement and the collection authorisation with these terms"),
                ),
            ],
            &[],
        ),
    );
    c.insert(
        "PlanPeriod".into(),
        object(
            &[
                ("repayId", text("the period's id (gotoRepayment's id)")),
                ("periodNum", json!({"type": "integer", "minimum": 1})),
                ("dueRepayDate", r("EpochMs")),
                ("duePrincipal", money()),
                ("dueInterest", money()),
                ("fee", money()),
                ("dueAmount", money()),
                ("loanProductApplyId", text("")),
                ("repayStatus", r("RepayStatus")),
            ],
            &[],
        ),
    );
    c.insert(
        "RepayInfo".into(),
        object(
            &[
                ("id", text("the period's id")),
                ("productName", text("")),
                ("code", text("the application's number")),
                ("periodNum", json!({"type": "integer", "minimum": 1})),
                ("dueRepayDate", r("DateTime")),
                ("repayStatus", r("RepayStatus")),
                ("applyAmount", money()),
                ("duePrincipal", money()),
                ("dueInterest", money()),
                ("duePenalty", money()),
                ("dueFeeAmount", money()),
                ("dueTotalAmount", money()),
                ("needPayTotalAmount", money()),
                ("contractUrl", text("the loan agreement's link, or \"\"")),
            ],
            &[],
        ),
    );
    c.insert(
        "Envelope".into(),
        object(
            &[
                ("exceptionFlag", codes("0000 succeeded, 9999 failed", &["0000", "9999"])),
                ("responseCode", text("the outcome code")),
                ("responseMessage", text("Chinese text for the code")),
                ("timestamp", json!({"type": "string", "pattern": "^[0-9]+$"})),
                ("nonce", json!({"type": "string", "pattern": "^[0-9]{8}$"})),
                ("sign", json!({"type": "string", "pattern": "^[0-9a-f]{40}$", "description": "the server's signature (API.md §3)"})),
                ("resultSet", json!({"description": "the payload: each operation says its shape; \"\" on failure"})),
            ],
            &[],
        ),
    );
    c
}

const SIGNING: &str = "Every request body carries `timestamp` (ms, within ±300 s), `nonce` (1–32 printable \
ASCII characters) and `sign`: remove `sign` from the body, serialise the rest canonically (object keys sorted \
by code point at every level, no insignificant whitespace, minimal escaping, non-ASCII as UTF-8), then \
`sign = lowercase hex(SHA-1(appKey + timestamp + nonce + canonicalJson))`. The signature travels in the body, \
not in a header: the header named here is not read. A signature accepted once is refused again within the \
window (99990003). Responses are signed the same way. The test app key is `12345678`. Vector: \
`{\"timestamp\":\"1511758907184\",\"nonce\":\"12345678\",\"pageSize\":10,\"pageNum\":1}` signs to \
`d520c2f151b29c8da5380e9157949349e54f9de6`.";

const SESSION: &str = "The token `/security/login` returns: `Authorization: Bearer <token>`, else the \
`JSESSIONID` cookie, else the body field `sessionId`. 30 days without use ends it (99990004).";

fn operation(op: &Op) -> Value {
    let mut required: Vec<(&str, Value)> = vec![
        (
            "timestamp",
            json!({"type": "string", "pattern": "^[0-9]+$", "description": "ms since the epoch, within ±300 s", "examples": ["1511758907184"]}),
        ),
        (
            "nonce",
            json!({"type": "string", "minLength": 1, "maxLength": 32, "examples": ["12345678"]}),
        ),
        (
            "sign",
            json!({"type": "string", "pattern": "^[0-9a-fA-F]{40}$", "description": "see the appSignature scheme", "examples": ["d520c2f151b29c8da5380e9157949349e54f9de6"]}),
        ),
    ];
    let mut optional: Vec<(&str, Value)> = Vec::new();
    if op.access != Access::Open {
        optional.push((
            "sessionId",
            text("the session token, when sent neither as a header nor as a cookie"),
        ));
    }
    if op.paged {
        optional.push((
            "pageNum",
            json!({"type": ["integer", "string"], "description": "≥ 1, default 1"}),
        ));
        optional.push((
            "pageSize",
            json!({"type": ["integer", "string"], "description": "1–100, default 10"}),
        ));
    }
    let own = &op.request;
    let mut properties = own["properties"].as_object().cloned().unwrap_or_default();
    for (name, schema) in required.iter().chain(&optional) {
        properties.insert((*name).to_owned(), schema.clone());
    }
    let mut names: Vec<Value> = required.drain(..).map(|(n, _)| json!(n)).collect();
    names.extend(own["required"].as_array().cloned().unwrap_or_default());
    let body = json!({"type": "object", "properties": properties, "required": names});
    let mut all: Vec<&str> = COMMON_APP_CODES.to_vec();
    all.extend(op.codes);
    all.sort_unstable();
    all.dedup();
    let security = match op.access {
        Access::Open => json!([{"appSignature": []}]),
        Access::Session => json!([{"appSignature": [], "session": []}]),
        Access::OptionalSession => json!([{"appSignature": []}, {"appSignature": [], "session": []}]),
    };
    json!({"post": {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": op.path.rsplit('/').next().unwrap_or(op.path),
        "security": security,
        "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
        "responses": enveloped("Envelope", &all, op.result.clone(), op.paged),
    }})
}

/// The pages of the public port: GET (or POST) without a signature, not the envelope.
fn pages(paths: &mut Map<String, Value>) {
    let html = |summary: &str, parameters: Value, missing: bool| {
        let mut responses = json!({"200": {"description": "the page", "content": {"text/html": {"schema": {"type": "string"}}}}});
        if missing {
            responses["404"] = json!({"description": "a link that is forged, altered, expired or unknown: nothing revealed"});
        }
        json!({"tags": [CONSENTS], "summary": summary, "parameters": parameters, "security": [], "responses": responses})
    };
    for (path, summary) in [
        (
            "/open/registrationProtocol",
            "注册协议 The registration agreement (GET or POST, unsigned)",
        ),
        (
            "/open/loanHelp",
            "借款帮助 Help on borrowing (GET or POST, unsigned)",
        ),
    ] {
        let page = html(summary, json!([]), false);
        let mut post = page.clone();
        post["operationId"] = json!(format!("{}Post", path.rsplit('/').next().unwrap_or_default()));
        let mut get = page;
        get["operationId"] = json!(path.rsplit('/').next().unwrap_or_default());
        get["tags"] = json!([ACCOUNT]);
        post["tags"] = json!([ACCOUNT]);
        paths.insert(path.into(), json!({"get": get, "post": post}));
    }
    let token = json!([{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let mut contract = html(
        "合同页 A stored contract document, numbers masked (the links of contractInfoList)",
        token,
        true,
    );
    contract["operationId"] = json!("contractPage");
    paths.insert("/h5/contract/{token}".into(), json!({"get": contract}));
    let consent_params = json!([
        {"name": "consentType", "in": "path", "required": true, "schema": {"type": "string", "enum": ["sensitive", "carrier", "contacts"]}},
        {"name": "version", "in": "path", "required": true, "schema": {"type": "string"}},
    ]);
    let mut consent = html("授权书 A consent's text (getConsents' url)", consent_params, true);
    consent["operationId"] = json!("consentPage");
    paths.insert(
        "/h5/consent/{consentType}/{version}".into(),
        json!({"get": consent}),
    );
}

/// The whole document; `server` is the public URL of the API.
pub fn document(server: &str) -> Value {
    let mut paths = Map::new();
    for op in ops() {
        paths.insert(op.path.to_owned(), operation(&op));
    }
    pages(&mut paths);
    let tags: Vec<Value> = [ACCOUNT, CUSTOMER, PRODUCTS, LOANS, MESSAGES, CONSENTS]
        .iter()
        .map(|t| json!({"name": t}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "现金贷 App API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The contract the mobile apps speak (API.md). Every call is an HTTP POST of a signed JSON \
    body, answered HTTP 200 with the envelope (`exceptionFlag`, `responseCode`, `responseMessage`, `timestamp`, `nonce`, \
    `sign`, `resultSet`); failures too. Money is a string with two decimals, rates four, dates and times UTC+8. \
    Password fields are DES-CBC encrypted (API.md §4).",
        },
        "servers": [{"url": server}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": components(),
            "securitySchemes": {
                "appSignature": {"type": "apiKey", "in": "header", "name": "X-Body-Sign", "description": SIGNING},
                "session": {"type": "http", "scheme": "bearer", "description": SESSION},
            },
        },
    })
}

/// Every path the document describes (for the test against the route table).
#[cfg(test)]
pub fn paths() -> Vec<String> {
    let doc = document("http://127.0.0.1:9999");
    doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}
