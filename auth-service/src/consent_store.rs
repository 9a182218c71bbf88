//! Consent rows and their evidence: a change of a user's consent and its evidence record are
//! written in one transaction, after taking the user's row, so two calls of one user take turns.

use cashloan_runtime::db::{self, DbConn};
use cashloan_runtime::evidence::{self, Record};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::consent::{self, ConsentType, Grant};
use crate::error::AuthError;
use crate::schema::{consents, users};
use crate::store::Store;

fn lock_user(conn: &mut DbConn, user_id: &str) -> Result<(), DieselError> {
    diesel::update(users::table.find(user_id))
        .set(users::updated_at.eq(users::updated_at))
        .execute(conn)?;
    Ok(())
}

fn load_grant(conn: &mut DbConn, user_id: &str, kind: &str) -> Result<Option<Grant>, DieselError> {
    let row: Option<(String, i64, Option<i64>)> = consents::table
        .find((user_id, kind))
        .select((consents::version, consents::accepted_at, consents::withdrawn_at))
        .first(conn)
        .optional()?;
    Ok(row.map(|(version, accepted_at, withdrawn_at)| Grant {
        version,
        accepted_at,
        withdrawn: withdrawn_at.is_some(),
    }))
}

impl Store {
    /// The user's standing acceptance of each type they ever accepted.
    pub async fn grants(&self, user_id: &str) -> Result<Vec<(String, Grant)>, AuthError> {
        let user_id = user_id.to_owned();
        Ok(db::run(self.pool(), move |conn| {
            let rows: Vec<(String, String, i64, Option<i64>)> = consents::table
                .filter(consents::user_id.eq(&user_id))
                .select((
                    consents::consent_type,
                    consents::version,
                    consents::accepted_at,
                    consents::withdrawn_at,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(kind, version, accepted_at, withdrawn_at)| {
                    let withdrawn = withdrawn_at.is_some();
                    (
                        kind,
                        Grant {
                            version,
                            accepted_at,
                            withdrawn,
                        },
                    )
                })
                .collect())
        })
        .await?)
    }

    pub async fn grant(&self, user_id: &str, kind: ConsentType) -> Result<Option<Grant>, AuthError> {
        let user_id = user_id.to_owned();
        Ok(db::run(self.pool(), move |conn| {
            Ok(load_grant(conn, &user_id, kind.code())?)
        })
        .await?)
    }

    /// Records the acceptance of `record.document`'s version unless it is already held;
    /// whether anything changed.
    pub async fn accept_consent(
        &self,
        kind: ConsentType,
        version: &str,
        record: Record,
    ) -> Result<bool, AuthError> {
        let version = version.to_owned();
        Ok(db::run(self.pool(), move |conn| {
            conn.transaction(|conn| {
                let user_id = record.user_id.clone();
                lock_user(conn, &user_id)?;
                let held = load_grant(conn, &user_id, kind.code())?;
                if held
                    .as_ref()
                    .is_some_and(|g| !g.withdrawn && g.version == version)
                {
                    return Ok(false);
                }
                if held.is_some() {
                    diesel::update(consents::table.find((&user_id, kind.code())))
                        .set((
                            consents::version.eq(&version),
                            consents::accepted_at.eq(record.at),
                            consents::withdrawn_at.eq(None::<i64>),
                        ))
                        .execute(conn)?;
                } else {
                    diesel::insert_into(consents::table)
                        .values((
                            consents::user_id.eq(&user_id),
                            consents::consent_type.eq(kind.code()),
                            consents::version.eq(&version),
                            consents::accepted_at.eq(record.at),
                        ))
                        .execute(conn)?;
                }
                evidence::append(conn, vec![record])?;
                Ok(true)
            })
        })
        .await?)
    }

    /// Withdraws a held consent; whether one was held. The evidence names the version withdrawn.
    pub async fn withdraw_consent(&self, kind: ConsentType, record: Record) -> Result<bool, AuthError> {
        Ok(db::run(self.pool(), move |conn| {
            conn.transaction(|conn| {
                let user_id = record.user_id.clone();
                lock_user(conn, &user_id)?;
                let Some(held) = load_grant(conn, &user_id, kind.code())?.filter(|g| !g.withdrawn) else {
                    return Ok(false);
                };
                diesel::update(consents::table.find((&user_id, kind.code())))
                    .set(consents::withdrawn_at.eq(record.at))
                    .execute(conn)?;
                let (document, shown_sha256) = match consent::text(kind.code(), &held.version) {
                    Some(text) => (text.name(), text.sha256()),
                    None => (format!("{}.v{}", kind.code(), held.version), String::new()),
                };
                evidence::append(
                    conn,
                    vec![Record {
                        document,
                        shown_sha256,
                        ..record
                    }],
                )?;
                Ok(true)
            })
        })
        .await?)
    }
}
