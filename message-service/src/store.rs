//! message-service's queries.

use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError, DbPool};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::app_version::Publication;
use crate::error::MessageError;
use crate::schema::{app_versions, customer_messages, feedback, sms_outbox, system_messages};

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    clock: Clock,
}

#[derive(Queryable)]
pub struct CurrentVersion {
    pub latest_version: String,
    pub min_supported_version: String,
    pub download_url: String,
    pub release_notes: String,
}

/// `(id, title, content, message_type, event_url, sent_at)` of a listed message.
pub type MessageRow = (String, String, String, String, String, i64);

impl Store {
    pub fn new(pool: DbPool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    pub async fn record_sms(&self, mobile: &str, content: &str) -> Result<(), MessageError> {
        let row = (
            sms_outbox::id.eq(new_id()),
            sms_outbox::mobile.eq(mobile.to_owned()),
            sms_outbox::content.eq(content.to_owned()),
            sms_outbox::sent_at.eq(self.clock.now_ms()),
        );
        db::run(&self.pool, move |conn| {
            diesel::insert_into(sms_outbox::table).values(row).execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// `(mobile, content, sent_at)`, newest first.
    pub async fn list_sms(
        &self,
        mobile: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, i64)>, MessageError> {
        let mobile = mobile.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(sms_outbox::table
                .filter(sms_outbox::mobile.eq(mobile))
                .order((sms_outbox::sent_at.desc(), sms_outbox::id.desc()))
                .limit(limit)
                .select((sms_outbox::mobile, sms_outbox::content, sms_outbox::sent_at))
                .load(conn)?)
        })
        .await?)
    }

    pub async fn insert_feedback(
        &self,
        user_id: &str,
        mobile: &str,
        suggestion: &str,
        source: &str,
    ) -> Result<(), MessageError> {
        let row = (
            feedback::id.eq(new_id()),
            feedback::user_id.eq(user_id.to_owned()),
            feedback::mobile.eq(mobile.to_owned()),
            feedback::suggestion.eq(suggestion.to_owned()),
            feedback::source.eq(source.to_owned()),
            feedback::created_at.eq(self.clock.now_ms()),
        );
        db::run(&self.pool, move |conn| {
            diesel::insert_into(feedback::table).values(row).execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn publish_version(&self, publication: Publication) -> Result<(), MessageError> {
        let row = (
            app_versions::id.eq(new_id()),
            app_versions::app_type.eq(publication.app_type),
            app_versions::latest_version.eq(publication.latest),
            app_versions::min_supported_version.eq(publication.min_supported),
            app_versions::download_url.eq(publication.download_url),
            app_versions::release_notes.eq(publication.release_notes),
            app_versions::published_at.eq(self.clock.now_ms()),
        );
        db::run(&self.pool, move |conn| {
            diesel::insert_into(app_versions::table)
                .values(row)
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// The newest publication for an app type.
    pub async fn current_version(&self, app_type: &str) -> Result<Option<CurrentVersion>, MessageError> {
        let app_type = app_type.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(app_versions::table
                .filter(app_versions::app_type.eq(app_type))
                .order((app_versions::published_at.desc(), app_versions::id.desc()))
                .select((
                    app_versions::latest_version,
                    app_versions::min_supported_version,
                    app_versions::download_url,
                    app_versions::release_notes,
                ))
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    /// Stores a customer message under its event id; false when the event was stored before.
    pub async fn insert_customer_message(
        &self,
        event_id: &str,
        user_id: &str,
        message: (&str, &str, String),
        sent_at: i64,
    ) -> Result<bool, MessageError> {
        let (message_type, title, content) = message;
        let row = (
            customer_messages::id.eq(new_id()),
            customer_messages::event_id.eq(event_id.to_owned()),
            customer_messages::user_id.eq(user_id.to_owned()),
            customer_messages::title.eq(title.to_owned()),
            customer_messages::content.eq(content),
            customer_messages::message_type.eq(message_type.to_owned()),
            customer_messages::sent_at.eq(sent_at),
        );
        let inserted = db::run(&self.pool, move |conn| {
            Ok(diesel::insert_into(customer_messages::table)
                .values(row)
                .execute(conn))
        })
        .await?;
        match inserted {
            Ok(_) => Ok(true),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(DbError::Query(e).into()),
        }
    }

    /// A page of a user's messages, newest first, and the total.
    pub async fn customer_messages(
        &self,
        user_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<MessageRow>, i64), MessageError> {
        let user_id = user_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            let total: i64 = customer_messages::table
                .filter(customer_messages::user_id.eq(user_id.clone()))
                .count()
                .get_result(conn)?;
            let rows: Vec<(String, String, String, String, i64)> = customer_messages::table
                .filter(customer_messages::user_id.eq(user_id))
                .order((customer_messages::sent_at.desc(), customer_messages::id.desc()))
                .offset(offset)
                .limit(limit)
                .select((
                    customer_messages::id,
                    customer_messages::title,
                    customer_messages::content,
                    customer_messages::message_type,
                    customer_messages::sent_at,
                ))
                .load(conn)?;
            let rows = rows
                .into_iter()
                .map(|(id, t, c, k, at)| (id, t, c, k, String::new(), at))
                .collect();
            Ok((rows, total))
        })
        .await?)
    }

    pub async fn insert_system_message(
        &self,
        message: [String; 4],
        sent_at: i64,
    ) -> Result<(), MessageError> {
        let [title, content, message_type, event_url] = message;
        let row = (
            system_messages::id.eq(new_id()),
            system_messages::title.eq(title),
            system_messages::content.eq(content),
            system_messages::message_type.eq(message_type),
            system_messages::event_url.eq(event_url),
            system_messages::sent_at.eq(sent_at),
        );
        db::run(&self.pool, move |conn| {
            diesel::insert_into(system_messages::table)
                .values(row)
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn system_messages(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<MessageRow>, i64), MessageError> {
        Ok(db::run(&self.pool, move |conn| {
            let total: i64 = system_messages::table.count().get_result(conn)?;
            let rows = system_messages::table
                .order((system_messages::sent_at.desc(), system_messages::id.desc()))
                .offset(offset)
                .limit(limit)
                .select((
                    system_messages::id,
                    system_messages::title,
                    system_messages::content,
                    system_messages::message_type,
                    system_messages::event_url,
                    system_messages::sent_at,
                ))
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }
}
