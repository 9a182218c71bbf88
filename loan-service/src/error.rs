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
    #[error("downstream service failed: {0}")]
    Downstream(String),
}

impl From<LoanError> for Status {
    fn from(err: LoanError) -> Status {
        match err {
            LoanError::ProductNotFound => failure(Code::NotFound, "PRODUCT_NOT_FOUND", "product not found"),
            LoanError::Terms(e) => failure(Code::InvalidArgument, e.reason(), format!("{e:?}")),
            LoanError::AprAboveCap => failure(Code::FailedPrecondition, "APR_ABOVE_CAP", "apr above cap"),
            LoanError::Downstream(e) => unavailable(e),
        }
    }
}
