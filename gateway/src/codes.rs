//! The legacy numeric response codes (API.md §5, §6.1). Services fail with a gRPC status and a
//! reason; this is the one place that turns reasons into codes and Chinese messages.

use cashloan_runtime::grpc::{reason_of, UNAVAILABLE};
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

pub fn system_error() -> Failure {
    Failure::new("99999999", "系统错误")
}

/// How one endpoint words the reasons it can meet: its own table first, then the common one,
/// then its generic failure.
pub struct Failures {
    pub specific: &'static [(&'static str, &'static str, &'static str)],
    pub fallback: (&'static str, &'static str),
}

/// Reasons that read the same on every endpoint.
const COMMON: &[(&str, &str, &str)] = &[
    ("MOBILE_INVALID", "10001000", "手机号码格式错误"),
    ("MOBILE_REGISTERED", "10001000", "该手机号码已注册"),
    ("MOBILE_NOT_REGISTERED", "10001000", "该手机号码未注册"),
    ("ACCOUNT_NOT_FOUND", "10001000", "账号不存在"),
    ("INVALID_FIELD", "10001000", "请求报文传输信息有误"),
    ("CAPTCHA_WRONG", "10002001", "验证码错误"),
    ("CAPTCHA_EXPIRED", "10002002", "验证码过期"),
    ("RATE_LIMITED", "99990006", "操作过于频繁,请稍后再试"),
    ("SMS_SEND_FAILED", "20001001", "短信发送失败"),
    ("SMS_CODE_EXPIRED", "20002004", "手机短信验证码超时"),
    ("SMS_CODE_WRONG", "20002005", "手机短信验证码错误"),
    ("SESSION_INVALID", "99990004", "未登录或登录已失效"),
    ("REAL_NAME_ALREADY_VERIFIED", "20007005", "已完成实名认证"),
    ("REAL_NAME_INVALID", "20007001", "姓名格式错误"),
    ("ID_CARD_INVALID", "20007002", "身份证号码格式错误"),
    ("AGE_NOT_ALLOWED", "20007003", "年龄不符合要求"),
    ("ID_CARD_TAKEN", "20007004", "该身份证已被其他账号认证"),
    ("REAL_NAME_REQUIRED", "20007010", "请先完成实名认证"),
    ("BANK_CARD_INVALID", "20007011", "银行卡号格式错误"),
    ("PROFILE_FIELD_INVALID", "20007020", "个人信息格式错误"),
    ("CONTACT_NOT_FOUND", "20007021", "联系人不存在"),
    ("CONTACT_LIMIT", "20007020", "联系人最多5个"),
    ("CONTACT_IS_SELF", "20007020", "联系人手机号不能是本人手机号"),
    ("PRODUCT_NOT_FOUND", "10001000", "产品不存在"),
    ("PRODUCT_INVALID", "20008002", "产品配置错误"),
    ("AMOUNT_INVALID", "20004000", "借款金额格式错误"),
    ("AMOUNT_NOT_ALLOWED", "20004001", "借款金额不在产品允许范围内"),
    ("RATE_INVALID", "20004002", "利率格式错误"),
    ("RATE_NOT_ALLOWED", "20004003", "利率不在产品允许范围内"),
    ("TERM_COUNT_INVALID", "20004004", "借款期限格式错误"),
    ("TERM_COUNT_NOT_ALLOWED", "20004005", "借款期限不在产品允许范围内"),
    ("TERM_UNIT_INVALID", "20004006", "借款期限单位错误"),
    ("TERM_UNIT_NOT_OFFERED", "20004007", "产品不支持该借款期限单位"),
    ("REPAY_TERM_COUNT_INVALID", "20004008", "还款间隔格式错误"),
    (
        "REPAY_TERM_COUNT_INDIVISIBLE",
        "20004009",
        "还款间隔不能整除借款期限",
    ),
    ("REPAY_TERM_UNIT_INVALID", "20004010", "还款间隔单位错误"),
    (
        "REPAY_TERM_UNIT_NOT_OFFERED",
        "20004011",
        "产品不支持该还款间隔单位",
    ),
    ("DAY_INTERVAL_ON_MONTH_TERM", "20004012", "按月借款不能按日还款"),
    ("REPAY_TYPE_INVALID", "20004013", "还款方式错误"),
    ("REPAY_TYPE_NOT_OFFERED", "20004014", "产品不支持该还款方式"),
    ("ANNUITY_ON_DAY_TERM", "20004015", "按日借款不支持等额本息"),
    ("APR_ABOVE_CAP", "20004016", "综合年化成本超过上限"),
    ("VERIFICATION_INCOMPLETE", "20005002", "请先完成全部认证"),
    ("OPEN_APPLICATION", "20005003", "存在未结清的借款"),
    ("CREDIT_INSUFFICIENT", "20005004", "可用额度不足"),
    ("NOT_ELIGIBLE", "20005005", "暂不符合借款条件"),
    ("ILLEGAL_TRANSITION", "20008001", "状态不允许此操作"),
    ("APPLICATION_NOT_FOUND", "10001000", "借款申请不存在"),
    ("REPAYMENT_NOT_FOUND", "20006001", "还款计划不存在"),
    ("ALREADY_PAID", "20006002", "该期已还款"),
    ("EARLIER_PERIOD_UNPAID", "20006003", "请先偿还更早的期次"),
    ("DEDUCTION_FAILED", "20006004", "扣款失败,请稍后重试"),
];

/// Reasons whose status message is the name of the offending field.
const FIELD_REASONS: &[&str] = &["INVALID_FIELD", "PROFILE_FIELD_INVALID", "PRODUCT_INVALID"];

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
    if reason == UNAVAILABLE {
        return busy();
    }
    let lookup = |table: &[(&str, &'static str, &str)]| {
        table
            .iter()
            .find(|(r, _, _)| *r == reason)
            .map(|(_, code, message)| Failure::new(code, *message))
    };
    let found = lookup(failures.specific).or_else(|| lookup(COMMON));
    match found {
        // An invalid field names itself (services put the field name in the status message).
        Some(f) if FIELD_REASONS.contains(&reason.as_str()) => {
            Failure::new(f.code, format!("{}: {}", f.message, status.message()))
        }
        Some(f) => f,
        None => {
            tracing::warn!(%reason, "reason without a code; using the endpoint's generic failure");
            Failure::new(failures.fallback.0, failures.fallback.1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cashloan_runtime::grpc::failure;

    const LOGIN: Failures = Failures {
        specific: &[("ACCOUNT_NOT_FOUND", "90001000", "账号不存在")],
        fallback: ("90009000", "登陆授权失败"),
    };

    #[test]
    fn endpoint_table_wins_over_the_common_one() {
        let status = failure(Code::NotFound, "ACCOUNT_NOT_FOUND", "x");
        assert_eq!(from_status(&status, &LOGIN).code, "90001000");
    }

    #[test]
    fn common_reasons_and_fallback() {
        assert_eq!(
            from_status(&failure(Code::ResourceExhausted, "RATE_LIMITED", "x"), &LOGIN).code,
            "99990006"
        );
        assert_eq!(
            from_status(&failure(Code::Internal, "SOMETHING_NEW", "x"), &LOGIN).code,
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
        assert_eq!(
            from_status(&failure(Code::Unavailable, UNAVAILABLE, "db"), &LOGIN).code,
            "99990005"
        );
        let internal = from_status(&Status::internal("panic at store.rs:12"), &LOGIN);
        assert_eq!(internal.code, "99999999");
        assert!(!internal.message.contains("store.rs"), "no internals in messages");
    }
}
