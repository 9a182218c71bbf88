//! Registration (API.md §6.1, #10): needs the mark of a correct registration SMS check.

use crate::error::AuthError;
use crate::flow_mark::Mark;
use crate::mobile::Mobile;
use crate::password::NewPassword;
use crate::AuthCore;

impl AuthCore {
    pub async fn register(&self, mobile: &str, password: &str, confirmation: &str) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        if self.store.find_by_mobile(&mobile).await?.is_some() {
            return Err(AuthError::MobileRegistered);
        }
        let password = NewPassword::confirmed(password, confirmation)?;
        let hash = password.hash().await?;
        self.consume_mark(Mark::Register, &mobile).await?;
        if let Err(e) = self.store.insert(&mobile, hash).await {
            if !matches!(e, AuthError::MobileRegistered) {
                self.restore_mark(Mark::Register, &mobile).await;
            }
            return Err(e);
        }
        tracing::info!(%mobile, "registered");
        cashloan_runtime::metrics::global().count(
            "cashloan_registrations_total",
            "Accounts registered.",
            &[],
            1,
        );
        Ok(())
    }
}
