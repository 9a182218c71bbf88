//! The one error type of loan-service.

use cashloan_proto::Reason;
use cashloan_runtime::grpc::{failure, unavailable};
use tonic::{Code, Status};

use crate::loan::terms::TermError;

#[derive(Debug, thiserror::Error)]
pub enum LoanError {
    #[error("product not found")]
    ProductNotFound,
    #[error("terms refused: {0:?}")]
    Terms(TermError),
    #[error("the all-in annual cost exceeds the cap")]
    AprAboveCap,
    #[error("all four verifications are required")]
    VerificationIncomplete,
    #[error("not eligible to borrow")]
    NotEligible,
    #[error("another application is still open")]
    OpenApplication,
    #[error("amount above the available credit")]
    CreditInsufficient,
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    #[error("application not found")]
    ApplicationNotFound,
    #[error("the application's status does not allow this")]
    IllegalTransition,
    #[error("repayment period not found")]
    RepaymentNotFound,
    #[error("the period is already paid")]
    AlreadyPaid,
    #[error("an earlier period is unpaid")]
    EarlierPeriodUnpaid,
    #[error("the deduction was declined")]
    DeductionFailed,
    #[error("the repayment has no outcome yet")]
    RepayPending,
    #[error("a repayment of the period is in progress")]
    RepayInProgress,
    #[error("a payout of the application is in progress")]
    PayoutInProgress,
    #[error("the borrower has not confirmed the approved terms")]
    TermsUnconfirmed,
    #[error("the operator who approved the loan cannot start its payout")]
    SameOperator,
    #[error("a person's review cannot be asked for this application")]
    ReviewNotRequestable,
    #[error("a resolution needs a checker other than its maker")]
    CheckerIsMaker,
    #[error("the payment order waits for no operator")]
    NotAwaitingResolution,
    #[error("the resolution does not fit the payment order")]
    ResolutionNotAllowed,
    #[error("not a notification of the payment channel")]
    NotificationRefused,
    /// The channel's reason, shown to the operator.
    #[error("the payout was declined: {0}")]
    PayoutFailed(String),
    /// A stored code or date that means nothing: the row is wrong, never guessed at.
    #[error("corrupt stored value: {0}")]
    Corrupt(&'static str),
    #[error(transparent)]
    Database(#[from] cashloan_runtime::db::DbError),
    #[error("downstream service failed: {0}")]
    Downstream(String),
}

impl From<LoanError> for Status {
    fn from(err: LoanError) -> Status {
        match err {
            LoanError::ProductNotFound => {
                failure(Code::NotFound, Reason::ProductNotFound, "product not found")
            }
            LoanError::Terms(e) => failure(Code::InvalidArgument, e.reason(), format!("{e:?}")),
            LoanError::AprAboveCap => failure(Code::FailedPrecondition, Reason::AprAboveCap, "apr above cap"),
            LoanError::VerificationIncomplete => failure(
                Code::FailedPrecondition,
                Reason::VerificationIncomplete,
                "verifications incomplete",
            ),
            LoanError::NotEligible => failure(Code::FailedPrecondition, Reason::NotEligible, "not eligible"),
            LoanError::OpenApplication => failure(
                Code::AlreadyExists,
                Reason::OpenApplication,
                "open application exists",
            ),
            LoanError::CreditInsufficient => failure(
                Code::FailedPrecondition,
                Reason::CreditInsufficient,
                "credit insufficient",
            ),
            LoanError::InvalidField(field) => failure(Code::InvalidArgument, Reason::InvalidField, field),
            LoanError::ApplicationNotFound => {
                failure(Code::NotFound, Reason::ApplicationNotFound, "not found")
            }
            LoanError::IllegalTransition => failure(
                Code::FailedPrecondition,
                Reason::IllegalTransition,
                "status does not allow this",
            ),
            LoanError::RepaymentNotFound => failure(Code::NotFound, Reason::RepaymentNotFound, "not found"),
            LoanError::AlreadyPaid => failure(Code::FailedPrecondition, Reason::AlreadyPaid, "already paid"),
            LoanError::EarlierPeriodUnpaid => failure(
                Code::FailedPrecondition,
                Reason::EarlierPeriodUnpaid,
                "earlier period unpaid",
            ),
            LoanError::DeductionFailed => failure(
                Code::FailedPrecondition,
                Reason::DeductionFailed,
                "deduction declined",
            ),
            LoanError::RepayPending => failure(Code::FailedPrecondition, Reason::RepayPending, "processing"),
            LoanError::RepayInProgress => failure(
                Code::FailedPrecondition,
                Reason::RepayInProgress,
                "period reserved by an order",
            ),
            LoanError::PayoutInProgress => failure(
                Code::FailedPrecondition,
                Reason::PayoutInProgress,
                "payout in progress",
            ),
            LoanError::TermsUnconfirmed => failure(
                Code::FailedPrecondition,
                Reason::TermsUnconfirmed,
                "terms not confirmed",
            ),
            LoanError::SameOperator => failure(
                Code::PermissionDenied,
                Reason::SameOperator,
                "approved by the same operator",
            ),
            LoanError::ReviewNotRequestable => failure(
                Code::FailedPrecondition,
                Reason::ReviewNotRequestable,
                "review not requestable",
            ),
            LoanError::CheckerIsMaker => failure(
                Code::PermissionDenied,
                Reason::ApprovalSameOperator,
                "checker is the maker",
            ),
            LoanError::NotAwaitingResolution => failure(
                Code::FailedPrecondition,
                Reason::NotAwaitingResolution,
                "not awaiting resolution",
            ),
            LoanError::ResolutionNotAllowed => failure(
                Code::FailedPrecondition,
                Reason::ResolutionNotAllowed,
                "resolution not allowed",
            ),
            LoanError::NotificationRefused => failure(
                Code::InvalidArgument,
                Reason::ChannelSignatureInvalid,
                "notification refused",
            ),
            LoanError::PayoutFailed(why) => failure(Code::FailedPrecondition, Reason::PayoutFailed, why),
            LoanError::Corrupt(what) => {
                tracing::error!(what, "corrupt stored value");
                Status::internal("internal error")
            }
            LoanError::Downstream(e) => unavailable(e),
            LoanError::Database(e) => unavailable(e),
        }
    }
}
