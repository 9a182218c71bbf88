//! auth-service's queries.

use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError, DbPool};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::AuthError;
use crate::mobile::Mobile;
use crate::schema::users;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    pub(crate) clock: Clock,
}

#[derive(Clone, Debug, Queryable)]
pub struct Account {
    pub id: String,
    pub mobile: String,
    pub password_hash: String,
}

impl Store {
    pub fn new(pool: DbPool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub async fn find_by_mobile(&self, mobile: &Mobile) -> Result<Option<Account>, AuthError> {
        let mobile = mobile.as_str().to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(users::table
                .filter(users::mobile.eq(mobile))
                .select((users::id, users::mobile, users::password_hash))
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    /// Creates the account; a mobile registered concurrently is `MobileRegistered`.
    pub async fn insert(&self, mobile: &Mobile, password_hash: String) -> Result<String, AuthError> {
        let now = self.clock.now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        let row = (
            users::id.eq(id.clone()),
            users::mobile.eq(mobile.as_str().to_owned()),
            users::password_hash.eq(password_hash),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        );
        let inserted = db::run(&self.pool, move |conn| {
            Ok(diesel::insert_into(users::table).values(row).execute(conn))
        })
        .await?;
        match inserted {
            Ok(_) => Ok(id),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                Err(AuthError::MobileRegistered)
            }
            Err(e) => Err(DbError::Query(e).into()),
        }
    }

    pub async fn set_password(&self, user_id: &str, password_hash: String) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let user_id = user_id.to_owned();
        db::run(&self.pool, move |conn| {
            diesel::update(users::table.find(user_id))
                .set((users::password_hash.eq(password_hash), users::updated_at.eq(now)))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn record_login(
        &self,
        user_id: &str,
        app_type: &str,
        device_token: &str,
    ) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let (user_id, app_type, device_token) =
            (user_id.to_owned(), app_type.to_owned(), device_token.to_owned());
        db::run(&self.pool, move |conn| {
            diesel::update(users::table.find(user_id))
                .set((
                    users::app_type.eq(app_type),
                    users::device_token.eq(device_token),
                    users::last_login_at.eq(Some(now)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}
