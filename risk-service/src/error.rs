//! The one error type of risk-service; each variant has a stable reason for the gateway.

use cashloan_proto::Reason;
use cashloan_runtime::db::DbError;
use cashloan_runtime::grpc::{failure, unavailable};
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    #[error("no decision for this application")]
    DecisionNotFound,
    #[error("{0}")]
    RulesetInvalid(String),
    #[error("no ruleset of this version")]
    RulesetNotFound,
    /// auth-service (the customer's facts) did not answer: the decision waits, never guesses.
    #[error("customer facts unavailable: {0}")]
    Downstream(String),
    #[error("stored record unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for RiskError {
    fn from(e: diesel::result::Error) -> Self {
        RiskError::Database(DbError::Query(e))
    }
}

impl RiskError {
    pub fn reason(&self) -> Reason {
        match self {
            Self::InvalidField(_) => Reason::InvalidField,
            Self::DecisionNotFound => Reason::DecisionNotFound,
            Self::RulesetInvalid(_) => Reason::RulesetInvalid,
            Self::RulesetNotFound => Reason::RulesetNotFound,
            Self::Downstream(_) | Self::Corrupt(_) | Self::Database(_) => Reason::DependencyUnavailable,
        }
    }
}

impl From<RiskError> for Status {
    fn from(err: RiskError) -> Status {
        let code = match &err {
            RiskError::Database(e) => return unavailable(e),
            RiskError::Downstream(_) | RiskError::Corrupt(_) => Code::Unavailable,
            RiskError::DecisionNotFound | RiskError::RulesetNotFound => Code::NotFound,
            RiskError::InvalidField(_) | RiskError::RulesetInvalid(_) => Code::InvalidArgument,
        };
        // The message names the field or the ruleset's first error, never internals.
        let message = match &err {
            RiskError::InvalidField(field) => (*field).to_owned(),
            RiskError::RulesetInvalid(why) => why.clone(),
            RiskError::Downstream(_) | RiskError::Corrupt(_) => "risk data unavailable".to_owned(),
            other => other.to_string(),
        };
        failure(code, err.reason(), message)
    }
}
