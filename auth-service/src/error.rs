//! The one error type of auth-service; each variant has a stable reason that the gateway maps to a
//! response code (API.md §6.1).

use cashloan_proto::Reason;
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
    #[error("the consent this collection needs is not held")]
    ConsentRequired,
    #[error("an operator with this username exists")]
    OperatorExists,
    #[error("these roles are not allowed together, or not by this operator")]
    RolesNotAllowed,
    #[error("a second factor code is required")]
    SecondFactorRequired,
    #[error("the second factor code is wrong")]
    SecondFactorWrong,
    #[error("operator not found")]
    OperatorNotFound,
    #[error("operator passwords are 10-64 characters of at least two kinds")]
    OperatorPasswordWeak,
    #[error("the checker of a request cannot be its maker")]
    ApprovalSameOperator,
    #[error("the request was already decided")]
    ApprovalClosed,
    #[error("no such request")]
    ApprovalNotFound,
    #[error("the checker's account was created or last changed by the maker")]
    ApprovalMakersOwn,
    #[error("the enrolment link is unknown, spent or expired")]
    EnrolmentInvalid,
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Kv(#[from] KvError),
    #[error("downstream service failed: {0}")]
    Downstream(String),
}

impl AuthError {
    pub fn reason(&self) -> Reason {
        match self {
            Self::MobileInvalid => Reason::MobileInvalid,
            Self::MobileRegistered => Reason::MobileRegistered,
            Self::MobileNotRegistered => Reason::MobileNotRegistered,
            Self::AccountNotFound => Reason::AccountNotFound,
            Self::CaptchaWrong => Reason::CaptchaWrong,
            Self::CaptchaExpired => Reason::CaptchaExpired,
            Self::RateLimited => Reason::RateLimited,
            Self::SmsSendFailed => Reason::SmsSendFailed,
            Self::SmsCodeExpired => Reason::SmsCodeExpired,
            Self::SmsCodeWrong => Reason::SmsCodeWrong,
            Self::PasswordMismatch => Reason::PasswordMismatch,
            Self::PasswordLength => Reason::PasswordLength,
            Self::FlowNotVerified => Reason::FlowNotVerified,
            Self::IdentityMismatch => Reason::IdentityMismatch,
            Self::WrongPassword => Reason::WrongPassword,
            Self::AccountLocked => Reason::AccountLocked,
            Self::SessionMismatch => Reason::SessionMismatch,
            Self::SessionInvalid => Reason::SessionInvalid,
            Self::InvalidField(_) => Reason::InvalidField,
            Self::RealNameAlreadyVerified => Reason::RealNameAlreadyVerified,
            Self::RealNameInvalid => Reason::RealNameInvalid,
            Self::IdCardInvalid => Reason::IdCardInvalid,
            Self::AgeNotAllowed => Reason::AgeNotAllowed,
            Self::IdCardTaken => Reason::IdCardTaken,
            Self::RealNameRequired => Reason::RealNameRequired,
            Self::BankCardInvalid => Reason::BankCardInvalid,
            Self::VerificationRejected => Reason::VerificationRejected,
            Self::ProfileFieldInvalid(_) => Reason::ProfileFieldInvalid,
            Self::ContactNotFound => Reason::ContactNotFound,
            Self::ContactLimit => Reason::ContactLimit,
            Self::ContactIsSelf => Reason::ContactIsSelf,
            Self::ConsentRequired => Reason::ConsentRequired,
            Self::OperatorExists => Reason::OperatorExists,
            Self::RolesNotAllowed => Reason::RolesNotAllowed,
            Self::SecondFactorRequired => Reason::SecondFactorRequired,
            Self::SecondFactorWrong => Reason::SecondFactorWrong,
            Self::OperatorNotFound => Reason::OperatorNotFound,
            Self::OperatorPasswordWeak => Reason::OperatorPasswordWeak,
            Self::ApprovalSameOperator => Reason::ApprovalSameOperator,
            Self::ApprovalClosed => Reason::ApprovalClosed,
            Self::ApprovalNotFound => Reason::ApprovalNotFound,
            Self::ApprovalMakersOwn => Reason::ApprovalMakersOwn,
            Self::EnrolmentInvalid => Reason::EnrolmentInvalid,
            Self::Database(_) | Self::Kv(_) | Self::Downstream(_) => Reason::DependencyUnavailable,
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
            | Self::ProfileFieldInvalid(_)
            | Self::OperatorPasswordWeak => Code::InvalidArgument,
            Self::OperatorExists => Code::AlreadyExists,
            Self::OperatorNotFound | Self::ApprovalNotFound => Code::NotFound,
            Self::ApprovalSameOperator | Self::ApprovalMakersOwn => Code::PermissionDenied,
            Self::EnrolmentInvalid => Code::NotFound,
            Self::SecondFactorWrong => Code::PermissionDenied,
            Self::SecondFactorRequired => Code::Unauthenticated,
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
