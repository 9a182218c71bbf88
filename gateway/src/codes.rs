//! The legacy numeric response codes (API.md §5, §6.1). Services fail with a gRPC status and a
//! reason; this is the one place that turns reasons into codes and Chinese messages.

use cashloan_proto::Reason;
use cashloan_runtime::grpc::reason_of;
use tonic::{Code, Status};

/// A failed call as the app sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

pub fn bad_request() -> Failure {
    Failure::new("10001000", "请求报文传输信息有误")
}

/// A required field missing or of the wrong type, named for the developer reading the response.
pub fn bad_field(field: &str) -> Failure {
    Failure::new("10001000", format!("请求报文传输信息有误: {field}"))
}

pub fn bad_sign() -> Failure {
    Failure::new("99990001", "签名验证失败")
}

pub fn bad_timestamp() -> Failure {
    Failure::new("99990002", "请求时间戳无效")
}

pub fn replayed() -> Failure {
    Failure::new("99990003", "重复的请求")
}

pub fn not_logged_in() -> Failure {
    Failure::new("99990004", "未登录或登录已失效")
}

pub fn busy() -> Failure {
    Failure::new("99990005", "服务繁忙,请稍后重试")
}

pub fn rate_limited() -> Failure {
    Failure::new("99990006", "操作过于频繁,请稍后再试")
}

/// The operator's roles do not allow the call (admin API).
pub fn forbidden() -> Failure {
    Failure::new("99990007", "无权执行此操作")
}

/// A console change without its session's CSRF token, or from another site (admin API).
pub fn forged() -> Failure {
    Failure::new("99990008", "请求来源校验失败")
}

pub fn system_error() -> Failure {
    Failure::new("99999999", "系统错误")
}

/// How one endpoint words the reasons it can meet: its own table first, then the common one,
/// then its generic failure.
pub struct Failures {
    pub specific: &'static [(Reason, &'static str, &'static str)],
    pub fallback: (&'static str, &'static str),
}

/// Reasons that read the same on every endpoint.
const COMMON: &[(Reason, &str, &str)] = &[
    (Reason::MobileInvalid, "10001000", "手机号码格式错误"),
    (Reason::MobileRegistered, "10001000", "该手机号码已注册"),
    (Reason::MobileNotRegistered, "10001000", "该手机号码未注册"),
    (Reason::AccountNotFound, "10001000", "账号不存在"),
    (Reason::InvalidField, "10001000", "请求报文传输信息有误"),
    (Reason::CaptchaWrong, "10002001", "验证码错误"),
    (Reason::CaptchaExpired, "10002002", "验证码过期"),
    (Reason::RateLimited, "99990006", "操作过于频繁,请稍后再试"),
    (Reason::SmsSendFailed, "20001001", "短信发送失败"),
    (Reason::SmsCodeExpired, "20002004", "手机短信验证码超时"),
    (Reason::SmsCodeWrong, "20002005", "手机短信验证码错误"),
    (Reason::SessionInvalid, "99990004", "未登录或登录已失效"),
    (Reason::RealNameAlreadyVerified, "20007005", "已完成实名认证"),
    (Reason::RealNameInvalid, "20007001", "姓名格式错误"),
    (Reason::IdCardInvalid, "20007002", "身份证号码格式错误"),
    (Reason::AgeNotAllowed, "20007003", "年龄不符合要求"),
    (Reason::IdCardTaken, "20007004", "该身份证已被其他账号认证"),
    (Reason::RealNameRequired, "20007010", "请先完成实名认证"),
    (Reason::BankCardInvalid, "20007011", "银行卡号格式错误"),
    (Reason::ProfileFieldInvalid, "20007020", "个人信息格式错误"),
    (Reason::ContactNotFound, "20007021", "联系人不存在"),
    (Reason::ContactLimit, "20007020", "联系人最多5个"),
    (Reason::ContactIsSelf, "20007020", "联系人手机号不能是本人手机号"),
    (Reason::ConsentRequired, "20007030", "请先阅读并同意相关授权"),
    (Reason::ProductNotFound, "10001000", "产品不存在"),
    (Reason::ProductInvalid, "20008002", "产品配置错误"),
    (Reason::AmountInvalid, "20004000", "借款金额格式错误"),
    (Reason::AmountNotAllowed, "20004001", "借款金额不在产品允许范围内"),
    (Reason::RateInvalid, "20004002", "利率格式错误"),
    (Reason::RateNotAllowed, "20004003", "利率不在产品允许范围内"),
    (Reason::TermCountInvalid, "20004004", "借款期限格式错误"),
    (
        Reason::TermCountNotAllowed,
        "20004005",
        "借款期限不在产品允许范围内",
    ),
    (Reason::TermUnitInvalid, "20004006", "借款期限单位错误"),
    (Reason::TermUnitNotOffered, "20004007", "产品不支持该借款期限单位"),
    (Reason::RepayTermCountInvalid, "20004008", "还款间隔格式错误"),
    (
        Reason::RepayTermCountIndivisible,
        "20004009",
        "还款间隔不能整除借款期限",
    ),
    (Reason::RepayTermUnitInvalid, "20004010", "还款间隔单位错误"),
    (
        Reason::RepayTermUnitNotOffered,
        "20004011",
        "产品不支持该还款间隔单位",
    ),
    (Reason::DayIntervalOnMonthTerm, "20004012", "按月借款不能按日还款"),
    (Reason::RepayTypeInvalid, "20004013", "还款方式错误"),
    (Reason::RepayTypeNotOffered, "20004014", "产品不支持该还款方式"),
    (Reason::AnnuityOnDayTerm, "20004015", "按日借款不支持等额本息"),
    (Reason::AprAboveCap, "20004016", "综合年化成本超过上限"),
    (Reason::VerificationIncomplete, "20005002", "请先完成全部认证"),
    (Reason::OpenApplication, "20005003", "存在未结清的借款"),
    (Reason::CreditInsufficient, "20005004", "可用额度不足"),
    (Reason::NotEligible, "20005005", "暂不符合借款条件"),
    (Reason::ReviewNotRequestable, "20005007", "该申请不可人工复核"),
    (Reason::DecisionNotFound, "10001000", "决策记录不存在"),
    (Reason::RulesetInvalid, "20009020", "规则集无效"),
    (Reason::RulesetNotFound, "10001000", "规则集不存在"),
    (Reason::IllegalTransition, "20008001", "状态不允许此操作"),
    (Reason::ApplicationNotFound, "10001000", "借款申请不存在"),
    (Reason::RepaymentNotFound, "20006001", "还款计划不存在"),
    (Reason::AlreadyPaid, "20006002", "该期已还款"),
    (Reason::EarlierPeriodUnpaid, "20006003", "请先偿还更早的期次"),
    (Reason::DeductionFailed, "20006004", "扣款失败,请稍后重试"),
    (Reason::RepayPending, "20006005", "还款处理中,请稍后查看"),
    (Reason::RepayInProgress, "20006006", "该期还款处理中"),
    (Reason::PayoutInProgress, "20008003", "放款处理中"),
    (Reason::PayoutFailed, "20008004", "放款失败"),
    (Reason::TermsUnconfirmed, "20008005", "待借款人确认借款条件"),
    (Reason::SameOperator, "20008006", "审批人不能发起同一笔放款"),
    // Operators of the console (API.md §7).
    (Reason::SecondFactorRequired, "20009003", "请输入动态口令"),
    (Reason::SecondFactorWrong, "20009004", "动态口令错误"),
    (Reason::RolesNotAllowed, "20009005", "角色组合或操作不被允许"),
    (Reason::OperatorExists, "20009006", "用户名已存在"),
    (
        Reason::OperatorPasswordWeak,
        "20009007",
        "密码需10-64位且包含至少两类字符",
    ),
    (Reason::OperatorNotFound, "20009008", "操作员不存在"),
    (Reason::ApprovalSameOperator, "20009009", "复核人不能是发起人"),
    (Reason::ApprovalClosed, "20009010", "该复核已处理"),
    (Reason::ApprovalNotFound, "20009011", "复核请求不存在"),
    (
        Reason::ApprovalMakersOwn,
        "20009014",
        "复核人账号由发起人创建或修改",
    ),
    (Reason::EnrolmentInvalid, "20009015", "链接无效或已过期"),
    (Reason::NotAwaitingResolution, "20009012", "该付款单无需人工处理"),
    (
        Reason::ResolutionNotAllowed,
        "20009013",
        "该处理方式不适用于此付款单",
    ),
    (Reason::ChannelSignatureInvalid, "99990001", "签名验证失败"),
];

/// Reasons whose status message is shown after the code's: the name of the offending field, or
/// the payment channel's reason for a declined payout.
const FIELD_REASONS: &[Reason] = &[
    Reason::InvalidField,
    Reason::ProfileFieldInvalid,
    Reason::ProductInvalid,
    Reason::PayoutFailed,
    Reason::RulesetInvalid,
];

/// The failure an upstream status means for an endpoint.
pub fn from_status(status: &Status, failures: &Failures) -> Failure {
    let Some(reason) = reason_of(status) else {
        return match status.code() {
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => busy(),
            _ => {
                tracing::error!(code = ?status.code(), message = status.message(), "unexpected upstream failure");
                system_error()
            }
        };
    };
    if reason == Reason::DependencyUnavailable {
        return busy();
    }
    let lookup = |table: &[(Reason, &'static str, &str)]| {
        table
            .iter()
            .find(|(r, _, _)| *r == reason)
            .map(|(_, code, message)| Failure::new(code, *message))
    };
    let found = lookup(failures.specific).or_else(|| lookup(COMMON));
    match found {
        // An invalid field names itself (services put the field name in the status message).
        Some(f) if FIELD_REASONS.contains(&reason) => {
            Failure::new(f.code, format!("{}: {}", f.message, status.message()))
        }
        Some(f) => f,
        None => {
            tracing::warn!(
                reason = reason.as_str_name(),
                "reason without a code; using the endpoint's generic failure"
            );
            Failure::new(failures.fallback.0, failures.fallback.1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cashloan_runtime::grpc::{failure, unavailable};

    const LOGIN: Failures = Failures {
        specific: &[(Reason::AccountNotFound, "90001000", "账号不存在")],
        fallback: ("90009000", "登陆授权失败"),
    };

    #[test]
    fn endpoint_table_wins_over_the_common_one() {
        let status = failure(Code::NotFound, Reason::AccountNotFound, "x");
        assert_eq!(from_status(&status, &LOGIN).code, "90001000");
    }

    #[test]
    fn common_reasons_and_fallback() {
        assert_eq!(
            from_status(
                &failure(Code::ResourceExhausted, Reason::RateLimited, "x"),
                &LOGIN
            )
            .code,
            "99990006"
        );
        assert_eq!(
            from_status(&failure(Code::Internal, Reason::Unspecified, "x"), &LOGIN).code,
            "90009000"
        );
    }

    #[test]
    fn transport_failures_are_busy_and_the_rest_is_a_system_error() {
        assert_eq!(from_status(&Status::unavailable("down"), &LOGIN).code, "99990005");
        assert_eq!(
            from_status(&Status::deadline_exceeded("slow"), &LOGIN).code,
            "99990005"
        );
        assert_eq!(from_status(&unavailable("db"), &LOGIN).code, "99990005");
        let internal = from_status(&Status::internal("panic at store.rs:12"), &LOGIN);
        assert_eq!(internal.code, "99999999");
        assert!(!internal.message.contains("store.rs"), "no internals in messages");
    }

    /// Every endpoint's table of the gateway.
    fn every_table() -> Vec<&'static Failures> {
        use crate::handlers::{account, app, customer, loan};
        vec![
            &crate::console::LOGIN,
            &loan::PRODUCTS,
            &loan::QUOTE,
            &loan::APPLY,
            &app::FEEDBACK,
            &app::VERSION,
            &app::MESSAGES,
            &account::LOGIN,
            &account::PLAIN,
            &account::SEND_SMS,
            &account::CHECK_SMS,
            &account::REGISTER,
            &account::RESET_IDENTITY,
            &account::RESET,
            &account::MODIFY,
            &customer::PLAIN,
            &customer::REAL_NAME,
            &customer::BANK_CARD,
            &customer::CARRIER,
            &customer::PROFILE,
            &crate::pipeline::SESSION,
            &crate::admin::ADMIN,
            &crate::admin::USERS,
            &crate::admin::LOANS,
            &crate::admin::PRODUCT_UPSERT,
            &crate::admin::ledger::LEDGER,
            &crate::admin::payments::PAYMENTS,
        ]
    }

    /// The codes API.md §5–§7 define.
    const DOCUMENTED: &[&str] = &[
        "0000", "10001000", "10002001", "10002002", "20001000", "20001001", "20002004", "20002005",
        "20002006", "20003000", "20003001", "20003002", "20003003", "20003004", "20003005", "20003006",
        "20003007", "20003008", "20003009", "20003010", "20003015", "20004000", "20004001", "20004002",
        "20004003", "20004004", "20004005", "20004006", "20004007", "20004008", "20004009", "20004010",
        "20004011", "20004012", "20004013", "20004014", "20004015", "20004016", "20005000", "20005002",
        "20005003", "20005004", "20005005", "20005007", "20006001", "20006002", "20006003", "20006004",
        "20006005", "20006006", "20007001", "20007002", "20007003", "20007004", "20007005", "20007010",
        "20007011", "20007020", "20007021", "20007030", "20008001", "20008002", "20008003", "20008004",
        "20008005", "90000000", "90001000", "90002000", "90003000", "90009000", "99990001", "99990002",
        "99990003", "99990004", "99990005", "99990006", "99999999",
    ];

    fn every_reason() -> Vec<Reason> {
        (0..1000).filter_map(|n| Reason::try_from(n).ok()).collect()
    }

    /// The admin API's own codes (operators, roles, maker-checker), which CONSOLE.md lists.
    fn console_code(code: &str) -> bool {
        let documented = include_str!("../../CONSOLE.md");
        (code.starts_with("20009") || code == "20008006" || code == "99990007" || code == "99990008")
            && documented.contains(&format!("| {code} |"))
    }

    #[test]
    fn console_codes_are_in_console_md() {
        for (code, _) in [super::forbidden(), super::forged()].map(|f| (f.code, f.message)) {
            assert!(console_code(code), "{code}");
        }
    }

    #[test]
    fn every_reason_has_a_documented_code() {
        let tables = every_table();
        for reason in every_reason() {
            if matches!(reason, Reason::Unspecified | Reason::DependencyUnavailable) {
                continue;
            }
            let codes: Vec<&str> = COMMON
                .iter()
                .chain(tables.iter().flat_map(|t| t.specific.iter()))
                .filter(|(r, _, _)| *r == reason)
                .map(|(_, code, _)| *code)
                .collect();
            assert!(!codes.is_empty(), "{} has no code", reason.as_str_name());
            for code in codes {
                assert!(
                    DOCUMENTED.contains(&code) || console_code(code),
                    "{} maps to {code}, not in API.md or CONSOLE.md",
                    reason.as_str_name()
                );
            }
        }
        for table in tables {
            assert!(
                DOCUMENTED.contains(&table.fallback.0),
                "fallback {}",
                table.fallback.0
            );
        }
    }

    #[test]
    fn the_documented_codes_are_the_contracts() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/spec/API.md");
        // The contract sits beside every checkout of the project (and CI's); a lone copy of the
        // repository still checks the table against the list above.
        if let Ok(contract) = std::fs::read_to_string(path) {
            for code in DOCUMENTED {
                assert!(contract.contains(code), "{code} is not in API.md");
            }
        }
    }
}
