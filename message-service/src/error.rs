//! The one error type of message-service; each variant has a stable reason for the gateway.

use cashloan_proto::Reason;
use cashloan_runtime::db::DbError;
use cashloan_runtime::grpc::{failure, unavailable};
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    #[error("suggestion must be 1-500 characters")]
    SuggestionInvalid,
    #[error("unknown app type")]
    AppTypeInvalid,
    #[error("no version published for this app type")]
    AppVersionNotPublished,
    #[error("SMS delivery failed: {0}")]
    SmsSendFailed(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl MessageError {
    pub fn reason(&self) -> Reason {
        match self {
            Self::InvalidField(_) => Reason::InvalidField,
            Self::SuggestionInvalid => Reason::SuggestionInvalid,
            Self::AppTypeInvalid => Reason::AppTypeInvalid,
            Self::AppVersionNotPublished => Reason::AppVersionNotPublished,
            Self::SmsSendFailed(_) => Reason::SmsSendFailed,
            Self::Database(_) => Reason::DependencyUnavailable,
        }
    }
}

impl From<MessageError> for Status {
    fn from(err: MessageError) -> Status {
        let code = match &err {
            MessageError::Database(e) => return unavailable(e),
            MessageError::SmsSendFailed(_) => Code::Unavailable,
            MessageError::AppVersionNotPublished => Code::NotFound,
            _ => Code::InvalidArgument,
        };
        // The message names the field, never internals.
        let message = match &err {
            MessageError::InvalidField(field) => (*field).to_owned(),
            MessageError::SmsSendFailed(_) => "sms delivery failed".to_owned(),
            other => other.to_string(),
        };
        failure(code, err.reason(), message)
    }
}
