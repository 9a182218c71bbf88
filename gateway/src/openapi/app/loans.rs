//! The app API's operations of §6.3 and §6.4: products, quotes, applications, plans and repayments.

use super::fields::*;
use super::*;

pub(super) fn ops() -> Vec<Op> {
    use Access::*;
    let s = |n: &str| r(n);
    vec![
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
                    (
                        "purpose",
                        json!({"type": ["string", "integer"], "description": "a key of purposeData: 15–22"}),
                    ),
                    (
                        "otherChannels",
                        json!({"type": "string", "description": "01 无借款, 02 有,已结清, 03 有,未结清"}),
                    ),
                    ("phonebookList", list(contact)),
                ]);
                object(&required, &[("remark", text(""))])
            },
            result: json!({"const": "20005000"}),
            codes: {
                const APPLY: &[&str] = &[
                    "20005000", "20005002", "20005003", "20005004", "20005005", "20004000", "20004001",
                    "20004002", "20004003", "20004004", "20004005", "20004006", "20004007", "20004008",
                    "20004009", "20004010", "20004011", "20004012", "20004013", "20004014", "20004015",
                    "20004016", "99990004",
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
                &[(
                    "condition",
                    json!({"type": ["string", "integer"], "description": "1 paid, 2 unpaid not overdue, 3 overdue, 4 paid early; 0 or absent all"}),
                )],
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
                &[
                    ("id", text("the period's repayId")),
                    ("repayType", codes("current or all", &["current", "all"])),
                ],
                &[],
            ),
            result: empty(),
            codes: &[
                "0000", "20006001", "20006002", "20006003", "20006004", "20006005", "20006006", "20008001",
                "99990004",
            ],
        },
    ]
}
