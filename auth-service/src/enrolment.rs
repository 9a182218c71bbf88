//! Enrolment links (issue 28): a new or reset operator sets their own password — and their second
//! factor where the roles need one — through a link mailed to them. Only the link's SHA-256 is
//! stored; a link expires (`ENROLMENT_TTL_SECS`), is spent by its first completion, is replaced by
//! a newer one, and is dead once the account is disabled. Whoever created or reset the account
//! never sees it.

use cashloan_proto::auth::v1 as pb;
use cashloan_runtime::db;
use cashloan_runtime::digest::sha256_hex;
use diesel::prelude::*;

use crate::error::AuthError;
use crate::operator_mail::Letter;
use crate::operator_rules as rules;
use crate::operators::{failures_key, lock_key, Row};
use crate::schema::operators;
use crate::sessions::new_token;
use crate::{password, totp, AuthCore};

/// The console route the link opens.
const PAGE: &str = "#/enrol/";

/// 256 random bits as 64 upper-case hex digits.
fn new_link_token() -> String {
    format!("{}{}", new_token(), new_token())
}

fn well_formed(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

fn letter_body(username: &str, link: &str, until: &str) -> String {
    format!(
        "{username}，您好：\r\n\r\n您的运营后台账号已开通或已重置。请在 {until}（北京时间）前打开以下链接，\
         设置密码（需要时同时绑定动态口令）：\r\n\r\n{link}\r\n\r\n链接只能使用一次。\
         如非您本人申请，请勿打开并告知安全负责人。"
    )
}

impl AuthCore {
    /// A new link for the operator, replacing any earlier one, mailed to them; whether the relay
    /// took it (the account stands either way; a reset sends another).
    pub(crate) async fn send_enrolment(
        &self,
        id: &str,
        username: &str,
        email: &str,
    ) -> Result<bool, AuthError> {
        let token = new_link_token();
        let expires =
            self.clock.now_ms() + i64::try_from(self.policy.enrolment_ttl_secs * 1000).unwrap_or(i64::MAX);
        let (owned, hash) = (id.to_owned(), sha256_hex(token.as_bytes()));
        db::run(self.store.pool(), move |conn| {
            diesel::update(operators::table.find(owned))
                .set((
                    operators::enrolment_hash.eq(Some(hash)),
                    operators::enrolment_expires_at.eq(Some(expires)),
                    operators::enrolment_totp.eq(None::<String>),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        let link = format!("{}{PAGE}{token}", self.console_url.trim_end_matches('/'));
        let until = cashloan_runtime::clock::format_datetime_cst(expires);
        let body = letter_body(username, &link, &until);
        let letter = Letter {
            to: email,
            subject: "运营后台账号：设置密码",
            body: &body,
        };
        match self.operator_mail.send(&letter).await {
            Ok(()) => Ok(true),
            Err(e) => {
                tracing::warn!(%username, error = %e, "the enrolment link was not handed to the mail relay");
                Ok(false)
            }
        }
    }

    /// The account a live link belongs to, with the link's stored hash.
    async fn enrolling(&self, token: &str) -> Result<(Row, String), AuthError> {
        if !well_formed(token) {
            return Err(AuthError::EnrolmentInvalid);
        }
        let hash = sha256_hex(token.as_bytes());
        let owned = hash.clone();
        let row: Option<Row> = db::run(self.store.pool(), move |conn| {
            Ok(operators::table
                .filter(operators::enrolment_hash.eq(owned))
                .first(conn)
                .optional()?)
        })
        .await?;
        let now = self.clock.now_ms();
        match row {
            Some(row) if !row.disabled && row.enrolment_expires_at.is_some_and(|at| at > now) => {
                Ok((row, hash))
            }
            _ => Err(AuthError::EnrolmentInvalid),
        }
    }

    /// Who the link is for and, when the roles need one, a new second factor to add (each open
    /// shows a new one; the last shown is the one completion checks).
    pub async fn open_enrolment(&self, token: &str) -> Result<pb::Enrolment, AuthError> {
        let (row, hash) = self.enrolling(token).await?;
        let mut totp_uri = String::new();
        if row.totp_required {
            let (sealed, uri) = self.new_second_factor(&row.username);
            let id = row.id.clone();
            let stored = db::run(self.store.pool(), move |conn| {
                Ok(diesel::update(
                    operators::table
                        .find(id)
                        .filter(operators::enrolment_hash.eq(Some(hash))),
                )
                .set(operators::enrolment_totp.eq(Some(sealed)))
                .execute(conn)?)
            })
            .await?;
            if stored == 0 {
                return Err(AuthError::EnrolmentInvalid);
            }
            totp_uri = uri;
        }
        Ok(pb::Enrolment {
            username: row.username,
            display_name: row.display_name,
            totp_uri,
            expires_at: row.enrolment_expires_at.unwrap_or_default(),
        })
    }

    /// Sets the password (and the second factor last shown, proved by a code) and spends the link;
    /// every session the account had ends, and a lock on it is lifted.
    pub async fn complete_enrolment(&self, r: pb::EnrolmentCompletion) -> Result<pb::Enrolment, AuthError> {
        let (row, hash) = self.enrolling(&r.token).await?;
        rules::password(&r.password)?;
        let (sealed, step) = match row.totp_required {
            false => (None, 0),
            true => {
                let sealed = row
                    .enrolment_totp
                    .clone()
                    .ok_or(AuthError::SecondFactorRequired)?;
                if r.totp.trim().is_empty() {
                    return Err(AuthError::SecondFactorRequired);
                }
                let secret = totp::decode_base32(&self.decrypt(&sealed)?)
                    .ok_or_else(|| AuthError::Downstream("stored second factor unreadable".into()))?;
                let now_step = totp::step_at(self.clock.now_ms().div_euclid(1000));
                let step = totp::accepted_step(&secret, r.totp.trim(), now_step, 0)
                    .ok_or(AuthError::SecondFactorWrong)?;
                (Some(sealed), step)
            }
        };
        let password_hash = password::NewPassword::for_operator(&r.password).hash().await?;
        let (id, epoch, now) = (row.id.clone(), row.session_epoch, self.clock.now_ms());
        // Conditional on the link, so two completions at once spend it once.
        let spent = db::run(self.store.pool(), move |conn| {
            Ok(diesel::update(
                operators::table
                    .find(id)
                    .filter(operators::enrolment_hash.eq(Some(hash))),
            )
            .set((
                operators::password_hash.eq(password_hash),
                operators::totp_secret.eq(sealed),
                operators::totp_last_step.eq(step),
                operators::enrolment_hash.eq(None::<String>),
                operators::enrolment_expires_at.eq(None::<i64>),
                operators::enrolment_totp.eq(None::<String>),
                operators::session_epoch.eq(epoch + 1),
                operators::updated_at.eq(now),
            ))
            .execute(conn)?)
        })
        .await?;
        if spent == 0 {
            return Err(AuthError::EnrolmentInvalid);
        }
        self.kv.del(&lock_key(&row.username)).await?;
        self.kv.del(&failures_key(&row.username)).await?;
        tracing::info!(username = %row.username, "operator enrolled");
        Ok(pb::Enrolment {
            username: row.username,
            display_name: row.display_name,
            totp_uri: String::new(),
            expires_at: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_are_long_and_only_those_are_looked_up() {
        let token = new_link_token();
        assert!(well_formed(&token), "{token}");
        assert_ne!(token, new_link_token());
        assert!(!well_formed(&token[..32]) && !well_formed(&token.to_lowercase()));
    }
}
