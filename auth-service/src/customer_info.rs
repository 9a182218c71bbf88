//! Profile and contacts (API.md §6.2, #33–#35).

use cashloan_proto::auth::v1 as pb;

use crate::consent::ConsentType;
use crate::error::AuthError;
use crate::mobile::{self, Mobile};
use crate::profile::{self, BadField, Profile};
use crate::AuthCore;

fn bad(field: BadField) -> AuthError {
    AuthError::ProfileFieldInvalid(field.0)
}

impl AuthCore {
    pub async fn save_profile(&self, user_id: &str, input: &pb::Profile) -> Result<(), AuthError> {
        let profile = Profile::parse(input).map_err(bad)?;
        self.store.user_flags(user_id).await?;
        self.store.save_profile(user_id, profile).await
    }

    /// The saved profile (none before the first save) and the contacts, phones masked.
    pub async fn profile(&self, user_id: &str) -> Result<pb::ProfileReply, AuthError> {
        let profile = self.store.profile(user_id).await?.map(|p| p.to_proto());
        let mut contacts = Vec::new();
        for c in self.store.contacts(user_id).await? {
            let phone = mobile::mask(&self.decrypt(&c.phone_cipher)?);
            contacts.push(pb::Contact {
                id: c.id,
                rel_type: c.rel_type,
                // Sealed since issue 28; a contact saved before reads as stored.
                real_name: self.vault.open_or_stored(&c.real_name),
                phone,
            });
        }
        Ok(pb::ProfileReply { profile, contacts })
    }

    /// Adds a contact (returns its id) or updates one of the user's own.
    pub async fn save_contact(
        &self,
        user_id: &str,
        oper_type: &str,
        contact: &pb::Contact,
    ) -> Result<String, AuthError> {
        self.require_consent(user_id, ConsentType::Contacts).await?;
        let rel_type = profile::relation(&contact.rel_type).map_err(bad)?;
        let real_name = self
            .vault
            .encrypt(&profile::contact_name(&contact.real_name).map_err(bad)?);
        let phone = Mobile::parse(&contact.phone).map_err(|_| AuthError::ProfileFieldInvalid("phoneNum"))?;
        let own = self.store.user_flags(user_id).await?.mobile;
        if phone.as_str() == own {
            return Err(AuthError::ContactIsSelf);
        }
        let phone_cipher = self.vault.encrypt(phone.as_str());
        match oper_type {
            "add" => {
                self.store
                    .add_contact(user_id, rel_type, real_name, phone_cipher)
                    .await
            }
            "update" => {
                if contact.id.is_empty() {
                    return Err(AuthError::ContactNotFound);
                }
                self.store
                    .update_contact(user_id, &contact.id, rel_type, real_name, phone_cipher)
                    .await?;
                Ok(String::new())
            }
            _ => Err(AuthError::InvalidField("operType")),
        }
    }
}
