//! message-service's queries.

use cashloan_runtime::clock::now_ms;
use cashloan_runtime::db::{self, DbPool};
use diesel::prelude::*;

use crate::app_version::Publication;
use crate::error::MessageError;
use crate::schema::{app_versions, feedback, sms_outbox};

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub async fn record_sms(pool: &DbPool, mobile: &str, content: &str) -> Result<(), MessageError> {
    let row = (
        sms_outbox::id.eq(new_id()),
        sms_outbox::mobile.eq(mobile.to_owned()),
        sms_outbox::content.eq(content.to_owned()),
        sms_outbox::sent_at.eq(now_ms()),
    );
    db::run(pool, move |conn| {
        diesel::insert_into(sms_outbox::table).values(row).execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// `(mobile, content, sent_at)`, newest first.
pub async fn list_sms(
    pool: &DbPool,
    mobile: &str,
    limit: i64,
) -> Result<Vec<(String, String, i64)>, MessageError> {
    let mobile = mobile.to_owned();
    Ok(db::run(pool, move |conn| {
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
    pool: &DbPool,
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
        feedback::created_at.eq(now_ms()),
    );
    db::run(pool, move |conn| {
        diesel::insert_into(feedback::table).values(row).execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(())
}

pub async fn publish_version(pool: &DbPool, publication: Publication) -> Result<(), MessageError> {
    let row = (
        app_versions::id.eq(new_id()),
        app_versions::app_type.eq(publication.app_type),
        app_versions::latest_version.eq(publication.latest),
        app_versions::min_supported_version.eq(publication.min_supported),
        app_versions::download_url.eq(publication.download_url),
        app_versions::release_notes.eq(publication.release_notes),
        app_versions::published_at.eq(now_ms()),
    );
    db::run(pool, move |conn| {
        diesel::insert_into(app_versions::table)
            .values(row)
            .execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(())
}

#[derive(Queryable)]
pub struct CurrentVersion {
    pub latest_version: String,
    pub min_supported_version: String,
    pub download_url: String,
    pub release_notes: String,
}

/// The newest publication for an app type.
pub async fn current_version(pool: &DbPool, app_type: &str) -> Result<Option<CurrentVersion>, MessageError> {
    let app_type = app_type.to_owned();
    Ok(db::run(pool, move |conn| {
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
