//! The one error type of product-service.

use cashloan_proto::Reason;
use cashloan_runtime::db::DbError;
use cashloan_runtime::grpc::{failure, unavailable};
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum ProductError {
    #[error("product not found")]
    NotFound,
    #[error("{0}")]
    Invalid(&'static str),
    #[error("a stored product does not decode")]
    Corrupt,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<ProductError> for Status {
    fn from(err: ProductError) -> Status {
        match err {
            ProductError::NotFound => failure(Code::NotFound, Reason::ProductNotFound, "product not found"),
            ProductError::Invalid(field) => failure(Code::InvalidArgument, Reason::ProductInvalid, field),
            ProductError::Corrupt => {
                tracing::error!("a stored product does not decode");
                Status::internal("internal error")
            }
            ProductError::Database(e) => unavailable(e),
        }
    }
}
