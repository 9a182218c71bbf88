//! Queries of the customer data: identity, bank card, flags, profile, contacts. Values that are
//! personal numbers arrive here already encrypted.

use cashloan_runtime::db::{self, DbConn, DbError};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::AuthError;
use crate::profile::Profile;
use crate::schema::{bank_cards, contacts, identities, profiles, users};
use crate::store::Store;

/// At most this many contacts per user (API.md §6.2).
pub const MAX_CONTACTS: i64 = 5;

#[derive(Clone, Debug, Queryable)]
pub struct StoredIdentity {
    /// Sealed by the PII vault (issue 28, finding 6): `name` opens it.
    pub real_name_cipher: String,
    pub id_card_cipher: String,
    pub id_card_hash: String,
}

impl StoredIdentity {
    /// The verified name, opened; an identity verified before names were sealed reads as stored.
    pub fn name(&self, vault: &cashloan_runtime::pii::Vault) -> String {
        vault.open_or_stored(&self.real_name_cipher)
    }
}

#[derive(Clone, Debug, Queryable)]
pub struct StoredBankCard {
    pub card_cipher: String,
    pub reserved_mobile_cipher: String,
}

#[derive(Clone, Debug, Queryable)]
pub struct UserFlags {
    pub mobile: String,
    pub blacklisted: bool,
    pub risk: bool,
    pub mobile_verified: Option<i64>,
}

#[derive(Clone, Debug, Queryable)]
pub struct StoredContact {
    pub id: String,
    pub rel_type: String,
    pub real_name: String,
    pub phone_cipher: String,
}

#[derive(Queryable)]
struct ProfileRow {
    education: String,
    martial_status: String,
    registry_province: String,
    registry_city: String,
    registry_detail: String,
    house_address_province: String,
    house_address_city: String,
    house_address_county: String,
    house_address_detail: String,
    residence_length: String,
    industry_type: String,
    work_address_province: String,
    work_address_city: String,
    work_address_county: String,
    work_address_detail: String,
    working_hours: String,
    current_work_info: String,
    current_position: String,
    month_income: i64,
    payroll_day: Option<i32>,
}

impl From<ProfileRow> for Profile {
    fn from(r: ProfileRow) -> Self {
        Profile {
            education: r.education,
            martial_status: r.martial_status,
            registry_province: r.registry_province,
            registry_city: r.registry_city,
            registry_detail: r.registry_detail,
            house_address_province: r.house_address_province,
            house_address_city: r.house_address_city,
            house_address_county: r.house_address_county,
            house_address_detail: r.house_address_detail,
            residence_length: r.residence_length,
            industry_type: r.industry_type,
            work_address_province: r.work_address_province,
            work_address_city: r.work_address_city,
            work_address_county: r.work_address_county,
            work_address_detail: r.work_address_detail,
            working_hours: r.working_hours,
            current_work_info: r.current_work_info,
            current_position: r.current_position,
            month_income: r.month_income,
            payroll_day: r.payroll_day,
        }
    }
}

type RecordRow = (
    UserFlags,
    Option<StoredIdentity>,
    Option<StoredBankCard>,
    Option<String>,
    Option<String>,
);

/// Everything the status and the summary are derived from, read in one go.
pub struct CustomerRecord {
    pub flags: UserFlags,
    pub identity: Option<StoredIdentity>,
    pub bank_card: Option<StoredBankCard>,
    pub has_profile: bool,
    pub contact_count: i64,
}

impl Store {
    /// The flags with the account's mobile opened.
    fn opened(&self, flags: UserFlags) -> UserFlags {
        UserFlags {
            mobile: self.open_mobile(&flags.mobile),
            ..flags
        }
    }

    pub async fn user_flags(&self, user_id: &str) -> Result<UserFlags, AuthError> {
        let user_id = user_id.to_owned();
        let flags = db::run(self.pool(), move |conn| Ok(load_user_flags(conn, &user_id)?))
            .await?
            .ok_or(AuthError::AccountNotFound)?;
        Ok(self.opened(flags))
    }

    /// When the account was registered, and the appType and device token of its latest login.
    pub async fn login_facts(&self, user_id: &str) -> Result<(i64, String, String), AuthError> {
        let user_id = user_id.to_owned();
        db::run(self.pool(), move |conn| {
            Ok(users::table
                .find(user_id)
                .select((users::created_at, users::app_type, users::device_token))
                .first(conn)
                .optional()?)
        })
        .await?
        .ok_or(AuthError::AccountNotFound)
    }

    pub async fn identity(&self, user_id: &str) -> Result<Option<StoredIdentity>, AuthError> {
        let user_id = user_id.to_owned();
        Ok(db::run(self.pool(), move |conn| Ok(load_identity(conn, &user_id)?)).await?)
    }

    pub async fn id_card_hash_taken(&self, hash: &str) -> Result<bool, AuthError> {
        let hash = hash.to_owned();
        let count: i64 = db::run(self.pool(), move |conn| {
            Ok(identities::table
                .filter(identities::id_card_hash.eq(hash))
                .count()
                .get_result(conn)?)
        })
        .await?;
        Ok(count > 0)
    }

    /// Binds an identity; the unique index decides between two accounts racing for one ID.
    pub async fn insert_identity(
        &self,
        user_id: &str,
        real_name_cipher: String,
        cipher: String,
        hash: String,
    ) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let row = (
            identities::user_id.eq(user_id.to_owned()),
            identities::real_name.eq(real_name_cipher),
            identities::id_card_cipher.eq(cipher),
            identities::id_card_hash.eq(hash),
            identities::verified_at.eq(now),
        );
        let inserted = db::run(self.pool(), move |conn| {
            Ok(diesel::insert_into(identities::table).values(row).execute(conn))
        })
        .await?;
        match inserted {
            Ok(_) => Ok(()),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                if self.identity(user_id).await?.is_some() {
                    Err(AuthError::RealNameAlreadyVerified)
                } else {
                    Err(AuthError::IdCardTaken)
                }
            }
            Err(e) => Err(DbError::Query(e).into()),
        }
    }

    pub async fn bank_card(&self, user_id: &str) -> Result<Option<StoredBankCard>, AuthError> {
        let user_id = user_id.to_owned();
        Ok(db::run(self.pool(), move |conn| Ok(load_bank_card(conn, &user_id)?)).await?)
    }

    /// Sets the user's card, replacing any earlier one.
    pub async fn replace_bank_card(
        &self,
        user_id: &str,
        card_cipher: String,
        mobile_cipher: String,
    ) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let user_id = user_id.to_owned();
        db::run(self.pool(), move |conn| {
            conn.transaction(|conn| {
                diesel::delete(bank_cards::table.find(user_id.clone())).execute(conn)?;
                diesel::insert_into(bank_cards::table)
                    .values((
                        bank_cards::user_id.eq(user_id),
                        bank_cards::card_cipher.eq(card_cipher),
                        bank_cards::reserved_mobile_cipher.eq(mobile_cipher),
                        bank_cards::verified_at.eq(now),
                    ))
                    .execute(conn)
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn mark_mobile_verified(&self, user_id: &str) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let user_id = user_id.to_owned();
        db::run(self.pool(), move |conn| {
            diesel::update(users::table.find(user_id))
                .set(users::mobile_verified_at.eq(Some(now)))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Sets the flags that are given; false when no account has the mobile.
    pub async fn update_flags(
        &self,
        mobile: &str,
        blacklisted: Option<bool>,
        risk: Option<bool>,
    ) -> Result<bool, AuthError> {
        let now = self.clock.now_ms();
        let hash = self.mobile_hash(mobile);
        let updated = db::run(self.pool(), move |conn| {
            conn.transaction(|conn| {
                let target = users::table.filter(users::mobile_hash.eq(hash));
                let mut n = diesel::update(target.clone())
                    .set(users::updated_at.eq(now))
                    .execute(conn)?;
                if let Some(b) = blacklisted {
                    n = diesel::update(target.clone())
                        .set(users::is_blacklisted.eq(b))
                        .execute(conn)?;
                }
                if let Some(r) = risk {
                    n = diesel::update(target).set(users::is_risk.eq(r)).execute(conn)?;
                }
                Ok::<_, DieselError>(n)
            })
            .map_err(DbError::Query)
        })
        .await?;
        Ok(updated > 0)
    }

    /// Everything verification rules look at, read in one trip to the database (this is the
    /// busiest read of a logged-in app).
    pub async fn customer_record(&self, user_id: &str) -> Result<CustomerRecord, AuthError> {
        let id = user_id.to_owned();
        let rows: Vec<RecordRow> = db::run(self.pool(), move |conn| {
            // One statement, so one round trip to PostgreSQL, built with the DSL so that its
            // prepared form is cached per connection. One row per contact (at most five).
            Ok(users::table
                .left_join(identities::table)
                .left_join(bank_cards::table)
                .left_join(profiles::table)
                .left_join(contacts::table)
                .filter(users::id.eq(id))
                .select((
                    (
                        users::mobile,
                        users::is_blacklisted,
                        users::is_risk,
                        users::mobile_verified_at,
                    ),
                    (
                        identities::real_name,
                        identities::id_card_cipher,
                        identities::id_card_hash,
                    )
                        .nullable(),
                    (bank_cards::card_cipher, bank_cards::reserved_mobile_cipher).nullable(),
                    profiles::user_id.nullable(),
                    contacts::id.nullable(),
                ))
                .load(conn)?)
        })
        .await?;
        let contact_count = rows.iter().filter(|row| row.4.is_some()).count() as i64;
        let (flags, identity, bank_card, profile, _) =
            rows.into_iter().next().ok_or(AuthError::AccountNotFound)?;
        Ok(CustomerRecord {
            flags: self.opened(flags),
            identity,
            bank_card,
            has_profile: profile.is_some(),
            contact_count,
        })
    }

    pub async fn profile(&self, user_id: &str) -> Result<Option<Profile>, AuthError> {
        let user_id = user_id.to_owned();
        let row: Option<ProfileRow> = db::run(self.pool(), move |conn| {
            Ok(profiles::table
                .find(user_id)
                .select((
                    profiles::education,
                    profiles::martial_status,
                    profiles::registry_province,
                    profiles::registry_city,
                    profiles::registry_detail,
                    profiles::house_address_province,
                    profiles::house_address_city,
                    profiles::house_address_county,
                    profiles::house_address_detail,
                    profiles::residence_length,
                    profiles::industry_type,
                    profiles::work_address_province,
                    profiles::work_address_city,
                    profiles::work_address_county,
                    profiles::work_address_detail,
                    profiles::working_hours,
                    profiles::current_work_info,
                    profiles::current_position,
                    profiles::month_income,
                    profiles::payroll_day,
                ))
                .first(conn)
                .optional()?)
        })
        .await?;
        Ok(row.map(Profile::from))
    }

    /// Saves the profile, replacing the earlier one.
    pub async fn save_profile(&self, user_id: &str, p: Profile) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let user_id = user_id.to_owned();
        db::run(self.pool(), move |conn| {
            conn.transaction(|conn| {
                diesel::delete(profiles::table.find(user_id.clone())).execute(conn)?;
                diesel::insert_into(profiles::table)
                    .values((
                        profiles::user_id.eq(user_id),
                        profiles::education.eq(p.education),
                        profiles::martial_status.eq(p.martial_status),
                        profiles::registry_province.eq(p.registry_province),
                        profiles::registry_city.eq(p.registry_city),
                        profiles::registry_detail.eq(p.registry_detail),
                        profiles::house_address_province.eq(p.house_address_province),
                        profiles::house_address_city.eq(p.house_address_city),
                        profiles::house_address_county.eq(p.house_address_county),
                        profiles::house_address_detail.eq(p.house_address_detail),
                        profiles::residence_length.eq(p.residence_length),
                        profiles::industry_type.eq(p.industry_type),
                        profiles::work_address_province.eq(p.work_address_province),
                        profiles::work_address_city.eq(p.work_address_city),
                        profiles::work_address_county.eq(p.work_address_county),
                        profiles::work_address_detail.eq(p.work_address_detail),
                        profiles::working_hours.eq(p.working_hours),
                        profiles::current_work_info.eq(p.current_work_info),
                        profiles::current_position.eq(p.current_position),
                        profiles::month_income.eq(p.month_income),
                        profiles::payroll_day.eq(p.payroll_day),
                        profiles::updated_at.eq(now),
                    ))
                    .execute(conn)
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn contacts(&self, user_id: &str) -> Result<Vec<StoredContact>, AuthError> {
        let user_id = user_id.to_owned();
        Ok(db::run(self.pool(), move |conn| {
            Ok(contacts::table
                .filter(contacts::user_id.eq(user_id))
                .order((contacts::created_at.asc(), contacts::id.asc()))
                .select((
                    contacts::id,
                    contacts::rel_type,
                    contacts::real_name,
                    contacts::phone_cipher,
                ))
                .load(conn)?)
        })
        .await?)
    }

    /// Adds a contact unless the user has the maximum already. The user row is touched first so
    /// that concurrent adds of one user queue up (a row lock on PostgreSQL; SQLite has one writer).
    pub async fn add_contact(
        &self,
        user_id: &str,
        rel_type: String,
        real_name: String,
        phone_cipher: String,
    ) -> Result<String, AuthError> {
        let now = self.clock.now_ms();
        let user_id = user_id.to_owned();
        let id = uuid::Uuid::new_v4().to_string();
        let new_id = id.clone();
        let added = db::run(self.pool(), move |conn| {
            conn.transaction(|conn| {
                diesel::update(users::table.find(user_id.clone()))
                    .set(users::updated_at.eq(now))
                    .execute(conn)?;
                let count: i64 = contacts::table
                    .filter(contacts::user_id.eq(user_id.clone()))
                    .count()
                    .get_result(conn)?;
                if count >= MAX_CONTACTS {
                    return Ok(false);
                }
                diesel::insert_into(contacts::table)
                    .values((
                        contacts::id.eq(new_id),
                        contacts::user_id.eq(user_id),
                        contacts::rel_type.eq(rel_type),
                        contacts::real_name.eq(real_name),
                        contacts::phone_cipher.eq(phone_cipher),
                        contacts::created_at.eq(now),
                        contacts::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok::<_, DieselError>(true)
            })
            .map_err(DbError::Query)
        })
        .await?;
        if added {
            Ok(id)
        } else {
            Err(AuthError::ContactLimit)
        }
    }

    /// Changes one of the user's own contacts; another user's id is "not found".
    pub async fn update_contact(
        &self,
        user_id: &str,
        id: &str,
        rel_type: String,
        real_name: String,
        phone_cipher: String,
    ) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        let updated = db::run(self.pool(), move |conn| {
            Ok(diesel::update(
                contacts::table
                    .filter(contacts::id.eq(id))
                    .filter(contacts::user_id.eq(user_id)),
            )
            .set((
                contacts::rel_type.eq(rel_type),
                contacts::real_name.eq(real_name),
                contacts::phone_cipher.eq(phone_cipher),
                contacts::updated_at.eq(now),
            ))
            .execute(conn)?)
        })
        .await?;
        if updated == 1 {
            Ok(())
        } else {
            Err(AuthError::ContactNotFound)
        }
    }
}

fn load_user_flags(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<UserFlags>> {
    users::table
        .find(user_id)
        .select((
            users::mobile,
            users::is_blacklisted,
            users::is_risk,
            users::mobile_verified_at,
        ))
        .first(conn)
        .optional()
}

fn load_identity(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<StoredIdentity>> {
    identities::table
        .find(user_id)
        .select((
            identities::real_name,
            identities::id_card_cipher,
            identities::id_card_hash,
        ))
        .first(conn)
        .optional()
}

fn load_bank_card(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<StoredBankCard>> {
    bank_cards::table
        .find(user_id)
        .select((bank_cards::card_cipher, bank_cards::reserved_mobile_cipher))
        .first(conn)
        .optional()
}
