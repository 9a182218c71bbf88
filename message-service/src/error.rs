//! The one error type of message-service; each variant has a stable reason for the gateway.

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
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidField(_) => "INVALID_FIELD",
            Self::SuggestionInvalid => "SUGGESTION_INVALID",
            Self::AppTypeInvalid => "APP_TYPE_INVALID",
            Self::AppVersionNotPublished => "APP_VERSION_NOT_PUBLISHED",
            Self::SmsSendFailed(_) => "SMS_SEND_FAILED",
            Self::Database(_) => cashloan_runtime::grpc::UNAVAILABLE,
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
