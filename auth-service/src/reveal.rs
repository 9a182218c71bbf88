//! `/admin/reveal` (API.md §7): one personal value whole, for an operator who states why. The call
//! and its reason are in the audit log; the value is not.

use crate::error::AuthError;
use crate::AuthCore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Mobile,
    IdCardNo,
    BankCardNo,
    RealName,
}

impl Field {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "mobile" => Some(Self::Mobile),
            "idCardNo" => Some(Self::IdCardNo),
            "bankCardNo" => Some(Self::BankCardNo),
            "realName" => Some(Self::RealName),
            _ => None,
        }
    }
}

impl AuthCore {
    /// The value whole; empty when the user never gave it.
    pub async fn reveal(&self, user_id: &str, field: &str) -> Result<String, AuthError> {
        let field = Field::parse(field).ok_or(AuthError::InvalidField("field"))?;
        // Unknown users are refused before anything else is read.
        let flags = self.store.user_flags(user_id).await?;
        let value = match field {
            Field::Mobile => flags.mobile,
            Field::RealName => self
                .store
                .identity(user_id)
                .await?
                .map(|i| i.name(&self.vault))
                .unwrap_or_default(),
            Field::IdCardNo => match self.store.identity(user_id).await? {
                Some(i) => self.decrypt(&i.id_card_cipher)?,
                None => String::new(),
            },
            Field::BankCardNo => match self.store.bank_card(user_id).await? {
                Some(c) => self.decrypt(&c.card_cipher)?,
                None => String::new(),
            },
        };
        tracing::info!(user_id, ?field, "personal value revealed to an operator");
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn only_the_four_fields_of_the_api() {
        for (name, field) in [
            ("mobile", Field::Mobile),
            ("idCardNo", Field::IdCardNo),
            ("bankCardNo", Field::BankCardNo),
            ("realName", Field::RealName),
        ] {
            assert_eq!(Field::parse(name), Some(field));
        }
        assert_eq!(Field::parse("password"), None);
        assert_eq!(Field::parse("reservedMobile"), None);
    }
}
