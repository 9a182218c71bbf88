//! Real-name, bank-card and carrier verification and the status built from them (API.md §6.2,
//! #19 #30–#32), plus the summary and identity calls for loan-service.

use cashloan_proto::auth::v1 as pb;

use crate::bank_card::{self, BankCardNo};
use crate::consent::ConsentType;
use crate::customer_store::{CustomerRecord, StoredIdentity};
use crate::error::AuthError;
use crate::id_card::{self, IdCardError, IdCardNo};
use crate::mobile::{self, Mobile};
use crate::person_name::{self, RealName};
use crate::AuthCore;

impl CustomerRecord {
    /// "1" once the profile is saved and at least one contact exists.
    pub fn customer_info_complete(&self) -> bool {
        self.has_profile && self.contact_count > 0
    }

    fn summary(&self) -> pb::VerificationSummary {
        pb::VerificationSummary {
            real_name_verified: self.identity.is_some(),
            bank_card_verified: self.bank_card.is_some(),
            customer_info_complete: self.customer_info_complete(),
            mobile_verified: self.flags.mobile_verified.is_some(),
            blacklisted: self.flags.blacklisted,
            risk: self.flags.risk,
            contacts_consented: false,
        }
    }
}

impl AuthCore {
    async fn require_identity(&self, user_id: &str) -> Result<StoredIdentity, AuthError> {
        self.store
            .identity(user_id)
            .await?
            .ok_or(AuthError::RealNameRequired)
    }

    pub async fn verify_real_name(
        &self,
        user_id: &str,
        name: &str,
        id_card_no: &str,
    ) -> Result<bool, AuthError> {
        self.require_consent(user_id, ConsentType::Sensitive).await?;
        let flags = self.store.user_flags(user_id).await?;
        if self.store.identity(user_id).await?.is_some() {
            return Err(AuthError::RealNameAlreadyVerified);
        }
        let name = RealName::parse(name).ok_or(AuthError::RealNameInvalid)?;
        let id = IdCardNo::parse(id_card_no, self.clock.today()).map_err(|e| match e {
            IdCardError::Format => AuthError::IdCardInvalid,
            IdCardError::Age => AuthError::AgeNotAllowed,
        })?;
        let hash = self.vault.keyed_hash(id.as_str());
        if self.store.id_card_hash_taken(&hash).await? {
            return Err(AuthError::IdCardTaken);
        }
        self.providers
            .call("identity.verify", self.providers.identity.verify(&name, &id))
            .await?;
        let cipher = self.vault.encrypt(id.as_str());
        self.store
            .insert_identity(user_id, self.vault.encrypt(name.as_str()), cipher, hash)
            .await?;
        tracing::info!(user_id, "real name verified");
        Ok(flags.mobile_verified.is_some())
    }

    pub async fn verify_bank_card(
        &self,
        user_id: &str,
        card_no: &str,
        reserved_mobile: &str,
    ) -> Result<(), AuthError> {
        self.require_consent(user_id, ConsentType::Sensitive).await?;
        let identity = self.require_identity(user_id).await?;
        let card = BankCardNo::parse(card_no).ok_or(AuthError::BankCardInvalid)?;
        let reserved = Mobile::parse(reserved_mobile)?;
        let id = self.decrypt(&identity.id_card_cipher)?;
        let name = identity.name(&self.vault);
        let check = self
            .providers
            .bank_card
            .verify(&name, &id, &card, reserved.as_str());
        self.providers.call("bank_card.verify", check).await?;
        let (card_cipher, mobile_cipher) = (
            self.vault.encrypt(card.as_str()),
            self.vault.encrypt(reserved.as_str()),
        );
        self.store
            .replace_bank_card(user_id, card_cipher, mobile_cipher)
            .await?;
        tracing::info!(user_id, "bank card verified");
        Ok(())
    }

    pub async fn verify_carrier(&self, user_id: &str) -> Result<(), AuthError> {
        self.require_consent(user_id, ConsentType::Carrier).await?;
        let identity = self.require_identity(user_id).await?;
        let flags = self.store.user_flags(user_id).await?;
        let id = self.decrypt(&identity.id_card_cipher)?;
        self.providers
            .call(
                "carrier.verify",
                self.providers
                    .carrier
                    .verify(&flags.mobile, &identity.name(&self.vault), &id),
            )
            .await?;
        self.store.mark_mobile_verified(user_id).await?;
        tracing::info!(user_id, "carrier check passed");
        Ok(())
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, AuthError> {
        self.vault
            .decrypt(stored)
            .map_err(|e| AuthError::Downstream(e.to_string()))
    }

    /// #19: statuses, flags and masked values.
    pub async fn authentication_status(&self, user_id: &str) -> Result<pb::AuthenticationStatus, AuthError> {
        let record = self.store.customer_record(user_id).await?;
        let summary = record.summary();
        let (masked_real_name, masked_id_card_no) = match &record.identity {
            Some(identity) => (
                person_name::mask(&identity.name(&self.vault)),
                id_card::mask(&self.decrypt(&identity.id_card_cipher)?),
            ),
            None => Default::default(),
        };
        let (masked_bank_card_no, masked_bank_card_mobile) = match &record.bank_card {
            Some(card) => (
                bank_card::mask(&self.decrypt(&card.card_cipher)?),
                mobile::mask(&self.decrypt(&card.reserved_mobile_cipher)?),
            ),
            None => Default::default(),
        };
        Ok(pb::AuthenticationStatus {
            real_name_verified: summary.real_name_verified,
            bank_card_verified: summary.bank_card_verified,
            customer_info_complete: summary.customer_info_complete,
            mobile_verified: summary.mobile_verified,
            blacklisted: summary.blacklisted,
            risk: summary.risk,
            masked_real_name,
            masked_id_card_no,
            masked_bank_card_no,
            masked_bank_card_mobile,
        })
    }

    pub async fn verification_summary(&self, user_id: &str) -> Result<pb::VerificationSummary, AuthError> {
        Ok(pb::VerificationSummary {
            contacts_consented: self.consented(user_id, ConsentType::Contacts).await?,
            ..self.store.customer_record(user_id).await?.summary()
        })
    }

    /// Full values, for loan-service only (contracts, disbursement to the card).
    pub async fn verified_identity(&self, user_id: &str) -> Result<pb::VerifiedIdentity, AuthError> {
        let identity = self.require_identity(user_id).await?;
        let card = self.store.bank_card(user_id).await?;
        let (bank_card_no, bank_card_mobile) = match card {
            Some(c) => (
                self.decrypt(&c.card_cipher)?,
                self.decrypt(&c.reserved_mobile_cipher)?,
            ),
            None => Default::default(),
        };
        Ok(pb::VerifiedIdentity {
            real_name: identity.name(&self.vault),
            id_card_no: self.decrypt(&identity.id_card_cipher)?,
            bank_card_no,
            bank_card_mobile,
        })
    }

    /// What a credit decision reads (risk-service only): the ID number for the bureau and the
    /// facts derived from it, the verifications, the latest login's device.
    pub async fn risk_facts(&self, user_id: &str) -> Result<pb::RiskFacts, AuthError> {
        let record = self.store.customer_record(user_id).await?;
        let summary = record.summary();
        let id_card_no = match &record.identity {
            Some(identity) => self.decrypt(&identity.id_card_cipher)?,
            None => String::new(),
        };
        let (registered_at, app_type, device_token) = self.store.login_facts(user_id).await?;
        let profile = self.store.profile(user_id).await?.unwrap_or_default();
        Ok(pb::RiskFacts {
            id_card_no,
            registered_at,
            real_name_verified: summary.real_name_verified,
            bank_card_verified: summary.bank_card_verified,
            carrier_verified: summary.mobile_verified,
            profile_complete: summary.customer_info_complete,
            is_risk: summary.risk,
            blacklisted: summary.blacklisted,
            emergency_contacts: i32::try_from(record.contact_count).unwrap_or(i32::MAX),
            device_token,
            app_type,
            education: profile.education,
            marital_status: profile.martial_status,
            month_income: profile.month_income,
            industry_type: profile.industry_type,
        })
    }

    pub async fn update_user_flags(
        &self,
        mobile: &str,
        blacklisted: Option<bool>,
        risk: Option<bool>,
    ) -> Result<(), AuthError> {
        let mobile = Mobile::parse(mobile)?;
        if !self
            .store
            .update_flags(mobile.as_str(), blacklisted, risk)
            .await?
        {
            return Err(AuthError::AccountNotFound);
        }
        tracing::info!(%mobile, ?blacklisted, ?risk, "user flags updated");
        Ok(())
    }
}
