//! Forgot password (#11–#14) and change password (#15), API.md §6.1.

use crate::error::AuthError;
use crate::flow_mark::Mark;
use crate::mobile::Mobile;
use crate::password::NewPassword;
use crate::store::Account;
use crate::AuthCore;

impl AuthCore {
    async fn account(&self, mobile: &Mobile) -> Result<Account, AuthError> {
        self.store
            .find_by_mobile(mobile)
            .await?
            .ok_or(AuthError::MobileNotRegistered)
    }

    /// Step 3: after the SMS step, the account's verified name and ID number.
    pub async fn verify_reset_identity(
        &self,
        mobile: &str,
        real_name: &str,
        id_card_no: &str,
    ) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        let account = self.account(&mobile).await?;
        if !self.has_mark(Mark::ResetSms, &mobile).await? {
            return Err(AuthError::FlowNotVerified);
        }
        let presented_hash = self.vault.keyed_hash(&id_card_no.trim().to_ascii_uppercase());
        match self.store.identity(&account.id).await? {
            Some(identity)
                if identity.name(&self.vault) == real_name.trim()
                    && identity.id_card_hash == presented_hash =>
            {
                self.set_mark(Mark::ResetIdentity, &mobile).await
            }
            _ => Err(AuthError::IdentityMismatch),
        }
    }

    /// Step 4: needs the SMS mark and, for a verified account, the identity mark; consumes both.
    pub async fn reset_password(
        &self,
        mobile: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        let account = self.account(&mobile).await?;
        let password = NewPassword::confirmed(password, confirmation)?;
        let hash = password.hash().await?;
        let needs_identity = self.store.identity(&account.id).await?.is_some();
        if needs_identity {
            self.consume_mark(Mark::ResetIdentity, &mobile).await?;
        }
        if let Err(e) = self.consume_mark(Mark::ResetSms, &mobile).await {
            if needs_identity {
                self.restore_mark(Mark::ResetIdentity, &mobile).await;
            }
            return Err(e);
        }
        self.store.set_password(&account.id, hash).await?;
        self.end_all_sessions(&account.id).await?;
        self.clear_lock(&mobile).await?;
        tracing::info!(%mobile, "password reset");
        Ok(())
    }

    /// Change with the old password; a session sent along must be this account's.
    pub async fn change_password(
        &self,
        mobile: &str,
        old_password: &str,
        new_password: &str,
        session_user_id: &str,
    ) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        let account = self.existing_account(&mobile).await?;
        if !session_user_id.is_empty() && session_user_id != account.id {
            return Err(AuthError::SessionMismatch);
        }
        self.ensure_not_locked(&mobile).await?;
        let new_password = NewPassword::parse(new_password)?;
        self.check_password(&account, &mobile, old_password).await?;
        self.store
            .set_password(&account.id, new_password.hash().await?)
            .await?;
        self.end_all_sessions(&account.id).await?;
        tracing::info!(%mobile, "password changed");
        Ok(())
    }
}
