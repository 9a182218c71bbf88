//! Operator accounts and their console sessions (API.md §7). An account starts without a
//! password: its holder sets one, and enrols a second factor where the roles need it, through
//! the link `enrolment` mails them. Logins lock as app users' do; an operator with a second
//! factor gives a TOTP code too. A session is a random token in the
//! key-value store (30 minutes idle, 12 hours at most) carrying its CSRF token; each use reads
//! the operator again, so new roles and disabling take effect at once.

use std::time::Duration;

use cashloan_proto::auth::v1 as pb;
use cashloan_runtime::db::{self, DbError};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::AuthError;
use crate::operator_rules as rules;
use crate::schema::{approvals, operators};
use crate::sessions::{is_well_formed, new_token};
use crate::{password, totp, AuthCore};

const IDLE: Duration = Duration::from_secs(30 * 60);
const LONGEST_MS: i64 = 12 * 3600 * 1000;
/// How long wrong passwords are remembered while they are not yet a lock.
const FAILURE_MEMORY: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone, Debug, Queryable)]
pub(crate) struct Row {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// Empty until the operator sets one through their link, and again after a reset.
    pub password_hash: String,
    pub roles: String,
    pub totp_secret: Option<String>,
    pub totp_last_step: i64,
    pub disabled: bool,
    pub session_epoch: i64,
    pub created_by: String,
    pub created_at: i64,
    #[allow(dead_code)]
    pub updated_at: i64,
    pub email: String,
    pub changed_by: String,
    pub totp_required: bool,
    #[allow(dead_code)]
    pub enrolment_hash: Option<String>,
    pub enrolment_expires_at: Option<i64>,
    pub enrolment_totp: Option<String>,
}

impl Row {
    fn proto(&self) -> pb::Operator {
        pb::Operator {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            roles: rules::split(&self.roles),
            totp_enrolled: self.totp_secret.is_some(),
            disabled: self.disabled,
            created_by: self.created_by.clone(),
            created_at: self.created_at,
            email: cashloan_runtime::mask::email(&self.email),
            enrolled: !self.password_hash.is_empty(),
            changed_by: self.changed_by.clone(),
        }
    }
}

fn session_key(token: &str) -> String {
    format!("console:session:{token}")
}

pub(crate) fn failures_key(username: &str) -> String {
    format!("console:failures:{username}")
}

pub(crate) fn lock_key(username: &str) -> String {
    format!("console:lock:{username}")
}

/// Stored value: `operator_id csrf created_ms epoch`.
struct Stored {
    operator_id: String,
    csrf: String,
    created_ms: i64,
    epoch: i64,
}

impl Stored {
    fn encode(&self) -> String {
        format!(
            "{} {} {} {}",
            self.operator_id, self.csrf, self.created_ms, self.epoch
        )
    }

    fn decode(value: &str) -> Option<Self> {
        let mut parts = value.split(' ');
        Some(Self {
            operator_id: parts.next()?.to_owned(),
            csrf: parts.next()?.to_owned(),
            created_ms: parts.next()?.parse().ok()?,
            epoch: parts.next()?.parse().ok()?,
        })
    }
}

/// Verified against when the username is unknown, so a wrong name costs the time a wrong
/// password does.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lzYWx0ZGVjb3k$7Rm5w9cAKkbY7xq2yCwq0o6b0h4i7F3bX8e1s2VwK9U";

impl AuthCore {
    pub(crate) async fn operator(&self, id: &str) -> Result<Row, AuthError> {
        let id = id.to_owned();
        db::run(self.store.pool(), move |conn| {
            Ok(operators::table.find(id).first::<Row>(conn).optional()?)
        })
        .await?
        .ok_or(AuthError::OperatorNotFound)
    }

    async fn operator_named(&self, username: &str) -> Result<Option<Row>, AuthError> {
        let username = username.to_owned();
        Ok(db::run(self.store.pool(), move |conn| {
            Ok(operators::table
                .filter(operators::username.eq(username))
                .first::<Row>(conn)
                .optional()?)
        })
        .await?)
    }

    /// A new second factor, sealed for storage; with its enrolment URI.
    pub(crate) fn new_second_factor(&self, username: &str) -> (String, String) {
        let secret = totp::new_secret();
        (
            self.vault.encrypt(&totp::base32(&secret)),
            totp::uri(username, &secret),
        )
    }

    /// A new account without a password: its link goes to the operator's address, never to the
    /// creator. Admin and finance accounts (and those asked for) enrol a second factor with it.
    pub async fn create_operator(
        &self,
        r: pb::CreateOperatorRequest,
    ) -> Result<pb::CreatedOperator, AuthError> {
        let username = rules::username(&r.username)?;
        let display_name = rules::display_name(&r.display_name, &username)?;
        let roles = rules::roles(&r.roles)?;
        let email = rules::email(&r.email)?;
        let created_by = self.actor_name(&r.actor_id).await?;
        if self.operator_named(&username).await?.is_some() {
            return Err(AuthError::OperatorExists);
        }
        if r.check_only {
            return Ok(pb::CreatedOperator::default());
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.clock.now_ms();
        let row = (
            operators::id.eq(id.clone()),
            operators::username.eq(username.clone()),
            operators::display_name.eq(display_name),
            operators::password_hash.eq(String::new()),
            operators::roles.eq(rules::joined(&roles)),
            operators::totp_required.eq(r.with_totp || rules::needs_second_factor(&roles)),
            operators::email.eq(email.clone()),
            operators::created_by.eq(created_by),
            operators::created_at.eq(now),
            operators::updated_at.eq(now),
        );
        let inserted = db::run(self.store.pool(), move |conn| {
            Ok(diesel::insert_into(operators::table).values(row).execute(conn))
        })
        .await?;
        match inserted {
            Ok(_) => {}
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(AuthError::OperatorExists)
            }
            Err(e) => return Err(DbError::Query(e).into()),
        }
        tracing::info!(%username, roles = %rules::joined(&roles), "operator created");
        let enrolment_sent = self.send_enrolment(&id, &username, &email).await?;
        Ok(pb::CreatedOperator { id, enrolment_sent })
    }

    /// An operator's username for `created_by` / `changed_by`; `token` for the bearer token.
    async fn actor_name(&self, actor_id: &str) -> Result<String, AuthError> {
        match actor_id {
            "" => Ok("token".to_owned()),
            actor => Ok(self.operator(actor).await?.username),
        }
    }

    /// New roles, disabling, or a forced reset. No one changes their own roles or disables
    /// themselves; a reset or disabling ends the operator's sessions, and disabling withdraws the
    /// operator's requests still waiting for a second operator. A grant that needs a second
    /// factor the operator has not enrolled is a reset: they enrol one through a new link.
    pub async fn update_operator(
        &self,
        r: pb::UpdateOperatorRequest,
    ) -> Result<pb::CreatedOperator, AuthError> {
        let current = self.operator(&r.id).await?;
        let own = !r.actor_id.is_empty() && r.actor_id == current.id;
        if own && (!r.roles.is_empty() || r.disabled == Some(true)) {
            return Err(AuthError::RolesNotAllowed);
        }
        let roles = match r.roles.is_empty() {
            true => None,
            false => Some(rules::roles(&r.roles)?),
        };
        let totp_required = current.totp_required || roles.as_deref().is_some_and(rules::needs_second_factor);
        let reset =
            r.reset || (totp_required && current.totp_secret.is_none() && !current.password_hash.is_empty());
        if reset && current.email.is_empty() {
            // An account from before enrolment links: nowhere to send one.
            return Err(AuthError::InvalidField("email"));
        }
        let changed_by = self.actor_name(&r.actor_id).await?;
        if r.check_only {
            return Ok(pb::CreatedOperator::default());
        }
        let ends_sessions = reset || r.disabled == Some(true);
        let now = self.clock.now_ms();
        let id = current.id.clone();
        let withdraws = r.disabled == Some(true) && !current.disabled;
        let (password_hash, totp_secret) = match reset {
            true => (String::new(), None),
            false => (current.password_hash.clone(), current.totp_secret.clone()),
        };
        db::run(self.store.pool(), move |conn| {
            conn.transaction(|conn| {
                if withdraws {
                    // A disabled operator's requests no longer speak for anyone: none can be confirmed.
                    diesel::update(
                        approvals::table
                            .filter(approvals::made_by_id.eq(&id))
                            .filter(approvals::status.eq("pending")),
                    )
                    .set(approvals::status.eq("withdrawn"))
                    .execute(conn)?;
                }
                diesel::update(operators::table.find(&id))
                    .set((
                        operators::roles.eq(roles.as_deref().map(rules::joined).unwrap_or(current.roles)),
                        operators::password_hash.eq(password_hash),
                        operators::disabled.eq(r.disabled.unwrap_or(current.disabled)),
                        operators::totp_secret.eq(totp_secret),
                        operators::totp_required.eq(totp_required),
                        operators::session_epoch.eq(current.session_epoch + i64::from(ends_sessions)),
                        operators::changed_by.eq(changed_by),
                        operators::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                diesel::QueryResult::Ok(())
            })?;
            Ok(())
        })
        .await?;
        tracing::info!(username = %current.username, reset, "operator updated");
        let enrolment_sent = match reset {
            true => {
                self.send_enrolment(&current.id, &current.username, &current.email)
                    .await?
            }
            false => false,
        };
        Ok(pb::CreatedOperator {
            id: current.id,
            enrolment_sent,
        })
    }

    pub async fn list_operators(&self) -> Result<pb::OperatorList, AuthError> {
        let rows: Vec<Row> = db::run(self.store.pool(), |conn| {
            Ok(operators::table.order(operators::created_at).load(conn)?)
        })
        .await?;
        Ok(pb::OperatorList {
            items: rows.iter().map(Row::proto).collect(),
        })
    }

    async fn count_console_failure(&self, username: &str) -> Result<AuthError, AuthError> {
        let failures = self.kv.incr_ex(&failures_key(username), FAILURE_MEMORY).await?;
        if failures >= self.policy.login_max_failures {
            self.kv
                .set_ex(&lock_key(username), "1", self.policy.login_lock())
                .await?;
            self.kv.del(&failures_key(username)).await?;
            tracing::warn!(%username, "operator locked after repeated failed logins");
            return Ok(AuthError::AccountLocked);
        }
        Ok(AuthError::WrongPassword)
    }

    pub async fn operator_login(
        &self,
        r: pb::OperatorLoginRequest,
    ) -> Result<pb::OperatorSession, AuthError> {
        let outcome = self.check_operator(&r).await;
        let label = match &outcome {
            Ok(_) => "ok",
            Err(AuthError::AccountLocked) => "locked",
            Err(AuthError::SecondFactorRequired) => "second_factor",
            Err(AuthError::WrongPassword | AuthError::SecondFactorWrong) => "failed",
            Err(_) => "error",
        };
        cashloan_runtime::metrics::global().count(
            "cashloan_console_logins_total",
            "Operator console logins by outcome.",
            &[("outcome", label)],
            1,
        );
        let row = outcome?;
        let (token, csrf) = (new_token(), new_token());
        let stored = Stored {
            operator_id: row.id.clone(),
            csrf: csrf.clone(),
            created_ms: self.clock.now_ms(),
            epoch: row.session_epoch,
        };
        self.kv
            .set_ex(&session_key(&token), &stored.encode(), IDLE)
            .await?;
        tracing::info!(username = %row.username, client_ip = %r.client_ip, "operator logged in");
        Ok(pb::OperatorSession {
            token,
            csrf,
            operator: Some(row.proto()),
        })
    }

    /// The operator whose password (and code, when enrolled) these are; failures count to the lock.
    async fn check_operator(&self, r: &pb::OperatorLoginRequest) -> Result<Row, AuthError> {
        let username = rules::username(&r.username).map_err(|_| AuthError::WrongPassword)?;
        if self.kv.get(&lock_key(&username)).await?.is_some() {
            return Err(AuthError::AccountLocked);
        }
        let row = self.operator_named(&username).await?;
        let hash = row.as_ref().map_or(DECOY_HASH, |r| r.password_hash.as_str());
        let matches = password::verify(&r.password, hash).await.unwrap_or(false);
        let row = match row {
            Some(row) if matches && !row.disabled => row,
            _ => return Err(self.count_console_failure(&username).await?),
        };
        let Some(sealed) = &row.totp_secret else {
            self.kv.del(&failures_key(&username)).await?;
            return Ok(row);
        };
        if r.totp.is_empty() {
            return Err(AuthError::SecondFactorRequired);
        }
        let secret = totp::decode_base32(&self.decrypt(sealed)?)
            .ok_or_else(|| AuthError::Downstream("stored second factor unreadable".into()))?;
        let now_step = totp::step_at(self.clock.now_ms().div_euclid(1000));
        let Some(step) = totp::accepted_step(&secret, r.totp.trim(), now_step, row.totp_last_step) else {
            return match self.count_console_failure(&username).await? {
                AuthError::WrongPassword => Err(AuthError::SecondFactorWrong),
                locked => Err(locked),
            };
        };
        // Conditional, so the same code sent twice at once logs in once.
        let id = row.id.clone();
        let used = db::run(self.store.pool(), move |conn| {
            Ok(diesel::update(
                operators::table
                    .find(id)
                    .filter(operators::totp_last_step.lt(step)),
            )
            .set(operators::totp_last_step.eq(step))
            .execute(conn)?)
        })
        .await?;
        if used == 0 {
            return Err(AuthError::SecondFactorWrong);
        }
        self.kv.del(&failures_key(&username)).await?;
        Ok(row)
    }

    pub async fn resolve_operator_session(&self, token: &str) -> Result<pb::OperatorSession, AuthError> {
        if !is_well_formed(token) {
            return Err(AuthError::SessionInvalid);
        }
        let key = session_key(token);
        let stored = self
            .kv
            .get_ex(&key, IDLE)
            .await?
            .and_then(|v| Stored::decode(&v))
            .ok_or(AuthError::SessionInvalid)?;
        let row = match self.operator(&stored.operator_id).await {
            Ok(row) => row,
            Err(AuthError::OperatorNotFound) => return Err(AuthError::SessionInvalid),
            Err(e) => return Err(e),
        };
        let expired = self.clock.now_ms() - stored.created_ms > LONGEST_MS;
        if expired || row.disabled || row.session_epoch != stored.epoch {
            self.kv.del(&key).await?;
            return Err(AuthError::SessionInvalid);
        }
        Ok(pb::OperatorSession {
            token: String::new(),
            csrf: stored.csrf,
            operator: Some(row.proto()),
        })
    }

    pub async fn end_operator_session(&self, token: &str) -> Result<(), AuthError> {
        if is_well_formed(token) {
            self.kv.del(&session_key(token)).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_sessions_round_trip() {
        let s = Stored {
            operator_id: "op-1".into(),
            csrf: "ABC".into(),
            created_ms: 42,
            epoch: 3,
        };
        let back = Stored::decode(&s.encode()).unwrap();
        assert_eq!(
            (
                back.operator_id.as_str(),
                back.csrf.as_str(),
                back.created_ms,
                back.epoch
            ),
            ("op-1", "ABC", 42, 3)
        );
        assert!(Stored::decode("op-1 ABC").is_none());
    }

    #[tokio::test]
    async fn the_decoy_hash_parses_and_matches_nothing() {
        assert!(!password::verify("anything", DECOY_HASH).await.unwrap());
    }
}
