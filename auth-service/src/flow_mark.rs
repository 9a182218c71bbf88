//! Flow marks: proof, kept on the server for 15 minutes, that a mobile passed a step (an SMS check,
//! an identity check). The next step consumes it, so no step can be skipped or replayed.

use crate::error::AuthError;
use crate::mobile::Mobile;
use crate::AuthCore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Registration SMS checked (#9), consumed by #10.
    Register,
    /// Forgot-password SMS checked (#12), consumed by #14.
    ResetSms,
    /// Forgot-password identity checked (#13), consumed by #14.
    ResetIdentity,
}

impl Mark {
    fn key(self, mobile: &Mobile) -> String {
        let name = match self {
            Mark::Register => "register",
            Mark::ResetSms => "reset-sms",
            Mark::ResetIdentity => "reset-identity",
        };
        format!("mark:{name}:{}", mobile.as_str())
    }
}

impl AuthCore {
    pub async fn set_mark(&self, mark: Mark, mobile: &Mobile) -> Result<(), AuthError> {
        Ok(self
            .kv
            .set_ex(&mark.key(mobile), "1", self.policy.flow_mark_ttl())
            .await?)
    }

    pub async fn has_mark(&self, mark: Mark, mobile: &Mobile) -> Result<bool, AuthError> {
        Ok(self.kv.get(&mark.key(mobile)).await?.is_some())
    }

    /// Takes the mark away; fails when there was none.
    pub async fn consume_mark(&self, mark: Mark, mobile: &Mobile) -> Result<(), AuthError> {
        match self.kv.get_del(&mark.key(mobile)).await? {
            Some(_) => Ok(()),
            None => Err(AuthError::FlowNotVerified),
        }
    }

    /// Gives a consumed mark back when the step that consumed it failed for a reason of ours.
    pub async fn restore_mark(&self, mark: Mark, mobile: &Mobile) {
        if let Err(e) = self.set_mark(mark, mobile).await {
            tracing::warn!(error = %e, "could not restore a flow mark");
        }
    }
}
