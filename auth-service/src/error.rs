//! The one error type of auth-service; each variant has a stable reason that the gateway maps to a
//! response code (API.md §6.1).

use cashloan_runtime::db::DbError;
use cashloan_runtime::grpc::{failure, unavailable};
use cashloan_runtime::KvError;
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("mobile number format is invalid")]
    MobileInvalid,
    #[error("mobile is already registered")]
    MobileRegistered,
    #[error("mobile is not registered")]
    MobileNotRegistered,
    #[error("account does not exist")]
    AccountNotFound,
    #[error("captcha is wrong")]
    CaptchaWrong,
    #[error("captcha has expired")]
    CaptchaExpired,
    #[error("too many requests")]
    RateLimited,
    #[error("SMS could not be delivered")]
    SmsSendFailed,
    #[error("SMS code has expired or was never sent")]
    SmsCodeExpired,
    #[error("SMS code is wrong")]
    SmsCodeWrong,
    #[error("passwords do not match")]
    PasswordMismatch,
    #[error("password must be 6-20 characters")]
    PasswordLength,
    #[error("the previous step of this flow was not completed")]
    FlowNotVerified,
    #[error("identity does not match")]
    IdentityMismatch,
    #[error("password is wrong")]
    WrongPassword,
    #[error("account locked after repeated wrong passwords")]
    AccountLocked,
    #[error("session does not belong to this account")]
    SessionMismatch,
    #[error("session is missing, unknown or expired")]
    SessionInvalid,
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    #[error("real name already verified")]
    RealNameAlreadyVerified,
    #[error("real name format is invalid")]
    RealNameInvalid,
    #[error("ID card number is invalid")]
    IdCardInvalid,
    #[error("age outside 18-65")]
    AgeNotAllowed,
    #[error("ID card verified by another account")]
    IdCardTaken,
    #[error("real-name verification required first")]
    RealNameRequired,
    #[error("bank card number is invalid")]
    BankCardInvalid,
    #[error("the verification vendor rejected the data")]
    VerificationRejected,
    #[error("{0}")]
    ProfileFieldInvalid(&'static str),
    #[error("contact not found")]
    ContactNotFound,
    #[error("at most 5 contacts")]
    ContactLimit,
    #[error("a contact cannot be the user's own mobile")]
    ContactIsSelf,
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Kv(#[from] KvError),
    #[error("downstream service failed: {0}")]
    Downstream(String),
}

impl AuthError {
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MobileInvalid => "MOBILE_INVALID",
            Self::MobileRegistered => "MOBILE_REGISTERED",
            Self::MobileNotRegistered => "MOBILE_NOT_REGISTERED",
            Self::AccountNotFound => "ACCOUNT_NOT_FOUND",
            Self::CaptchaWrong => "CAPTCHA_WRONG",
            Self::CaptchaExpired => "CAPTCHA_EXPIRED",
            Self::RateLimited => "RATE_LIMITED",
            Self::SmsSendFailed => "SMS_SEND_FAILED",
            Self::SmsCodeExpired => "SMS_CODE_EXPIRED",
            Self::SmsCodeWrong => "SMS_CODE_WRONG",
            Self::PasswordMismatch => "PASSWORD_MISMATCH",
            Self::PasswordLength => "PASSWORD_LENGTH",
            Self::FlowNotVerified => "FLOW_NOT_VERIFIED",
            Self::IdentityMismatch => "IDENTITY_MISMATCH",
            Self::WrongPassword => "WRONG_PASSWORD",
            Self::AccountLocked => "ACCOUNT_LOCKED",
            Self::SessionMismatch => "SESSION_MISMATCH",
            Self::SessionInvalid => "SESSION_INVALID",
            Self::InvalidField(_) => "INVALID_FIELD",
            Self::RealNameAlreadyVerified => "REAL_NAME_ALREADY_VERIFIED",
            Self::RealNameInvalid => "REAL_NAME_INVALID",
            Self::IdCardInvalid => "ID_CARD_INVALID",
            Self::AgeNotAllowed => "AGE_NOT_ALLOWED",
            Self::IdCardTaken => "ID_CARD_TAKEN",
            Self::RealNameRequired => "REAL_NAME_REQUIRED",
            Self::BankCardInvalid => "BANK_CARD_INVALID",
            Self::VerificationRejected => "VERIFICATION_REJECTED",
            Self::ProfileFieldInvalid(_) => "PROFILE_FIELD_INVALID",
            Self::ContactNotFound => "CONTACT_NOT_FOUND",
            Self::ContactLimit => "CONTACT_LIMIT",
            Self::ContactIsSelf => "CONTACT_IS_SELF",
            Self::Database(_) | Self::Kv(_) | Self::Downstream(_) => cashloan_runtime::grpc::UNAVAILABLE,
        }
    }

    fn code(&self) -> Code {
        match self {
            Self::MobileInvalid
            | Self::PasswordMismatch
            | Self::PasswordLength
            | Self::InvalidField(_)
            | Self::RealNameInvalid
            | Self::IdCardInvalid
            | Self::BankCardInvalid
            | Self::ProfileFieldInvalid(_) => Code::InvalidArgument,
            Self::IdCardTaken => Code::AlreadyExists,
            Self::ContactNotFound => Code::NotFound,
            Self::MobileRegistered => Code::AlreadyExists,
            Self::MobileNotRegistered | Self::AccountNotFound => Code::NotFound,
            Self::RateLimited => Code::ResourceExhausted,
            Self::SessionInvalid => Code::Unauthenticated,
            Self::WrongPassword | Self::SessionMismatch => Code::PermissionDenied,
            Self::SmsSendFailed => Code::Unavailable,
            _ => Code::FailedPrecondition,
        }
    }
}

impl From<AuthError> for Status {
    fn from(err: AuthError) -> Status {
        match &err {
            AuthError::Database(e) => unavailable(e),
            AuthError::Kv(e) => unavailable(e),
            AuthError::Downstream(e) => unavailable(e),
            AuthError::InvalidField(field) | AuthError::ProfileFieldInvalid(field) => {
                failure(err.code(), err.reason(), *field)
            }
            _ => failure(err.code(), err.reason(), err.to_string()),
        }
    }
}
