//! The one error type of loan-service.

use cashloan_runtime::grpc::{failure, unavailable};
use tonic::{Code, Status};

use crate::terms::TermError;

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
    #[error(transparent)]
    Database(#[from] cashloan_runtime::db::DbError),
    #[error("downstream service failed: {0}")]
    Downstream(String),
}

impl From<LoanError> for Status {
    fn from(err: LoanError) -> Status {
        match err {
            LoanError::ProductNotFound => failure(Code::NotFound, "PRODUCT_NOT_FOUND", "product not found"),
            LoanError::Terms(e) => failure(Code::InvalidArgument, e.reason(), format!("{e:?}")),
            LoanError::AprAboveCap => failure(Code::FailedPrecondition, "APR_ABOVE_CAP", "apr above cap"),
            LoanError::VerificationIncomplete => failure(
                Code::FailedPrecondition,
                "VERIFICATION_INCOMPLETE",
                "verifications incomplete",
            ),
            LoanError::NotEligible => failure(Code::FailedPrecondition, "NOT_ELIGIBLE", "not eligible"),
            LoanError::OpenApplication => {
                failure(Code::AlreadyExists, "OPEN_APPLICATION", "open application exists")
            }
            LoanError::CreditInsufficient => failure(
                Code::FailedPrecondition,
                "CREDIT_INSUFFICIENT",
                "credit insufficient",
            ),
            LoanError::InvalidField(field) => failure(Code::InvalidArgument, "INVALID_FIELD", field),
            LoanError::ApplicationNotFound => failure(Code::NotFound, "APPLICATION_NOT_FOUND", "not found"),
            LoanError::IllegalTransition => failure(
                Code::FailedPrecondition,
                "ILLEGAL_TRANSITION",
                "status does not allow this",
            ),
            LoanError::RepaymentNotFound => failure(Code::NotFound, "REPAYMENT_NOT_FOUND", "not found"),
            LoanError::AlreadyPaid => failure(Code::FailedPrecondition, "ALREADY_PAID", "already paid"),
            LoanError::EarlierPeriodUnpaid => failure(
                Code::FailedPrecondition,
                "EARLIER_PERIOD_UNPAID",
                "earlier period unpaid",
            ),
            LoanError::DeductionFailed => {
                failure(Code::FailedPrecondition, "DEDUCTION_FAILED", "deduction declined")
            }
            LoanError::Downstream(e) => unavailable(e),
            LoanError::Database(e) => unavailable(e),
        }
    }
}
