//! Applications: the row, its number of the day, status moves with their history.

use cashloan_runtime::db::{self, DbConn, DbError};
use cashloan_runtime::evidence::Origin;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::error::LoanError;
use crate::loan::lifecycle::{Move, Status};
use crate::schema::{application_history, application_mobiles, applications, outbox, terms_confirmations};
use crate::store::OutboxEvent;
use crate::store::{is_unique_violation, new_id, Store};

#[derive(Clone, Debug, Queryable)]
pub struct ApplicationRow {
    pub id: String,
    pub code: String,
    pub user_id: String,
    pub mobile: String,
    pub product_id: String,
    pub product_name: String,
    pub amount_fen: i64,
    pub rate_ppm: i64,
    pub penalty_rate_ppm: i64,
    pub fee_rate_ppm: i64,
    pub term_count: i32,
    pub term_unit: i32,
    pub repay_term_count: i32,
    pub repay_term_unit: i32,
    pub repay_type: i32,
    pub purpose: String,
    pub other_channels: String,
    pub status: i32,
    pub reply_amount_fen: Option<i64>,
    pub auth_term_count: Option<i32>,
    pub auth_term_unit: Option<i32>,
    pub release_date: Option<String>,
    pub released_at: Option<i64>,
    pub applied_at: i64,
    /// Its payout came back: the plan is frozen until an operator resolves it.
    pub frozen: bool,
}

macro_rules! application_columns {
    () => {
        (
            applications::id,
            applications::code,
            applications::user_id,
            applications::mobile,
            applications::product_id,
            applications::product_name,
            applications::amount_fen,
            applications::rate_ppm,
            applications::penalty_rate_ppm,
            applications::fee_rate_ppm,
            applications::term_count,
            applications::term_unit,
            applications::repay_term_count,
            applications::repay_term_unit,
            applications::repay_type,
            applications::purpose,
            applications::other_channels,
            applications::status,
            applications::reply_amount_fen,
            applications::auth_term_count,
            applications::auth_term_unit,
            applications::release_date,
            applications::released_at,
            applications::applied_at,
            applications::frozen,
        )
    };
}

/// A new application as it is stored.
#[derive(Clone, Insertable)]
#[diesel(table_name = applications)]
pub struct NewApplication {
    pub id: String,
    pub code: String,
    pub user_id: String,
    pub mobile: String,
    pub product_id: String,
    pub product_name: String,
    pub amount_fen: i64,
    pub rate_ppm: i64,
    pub penalty_rate_ppm: i64,
    pub fee_rate_ppm: i64,
    pub term_count: i32,
    pub term_unit: i32,
    pub repay_term_count: i32,
    pub repay_term_unit: i32,
    pub repay_type: i32,
    pub purpose: String,
    pub other_channels: String,
    pub longitude: String,
    pub latitude: String,
    pub order_id: String,
    pub remark: String,
    pub phonebook: String,
    pub status: i32,
    pub applied_at: i64,
    pub updated_at: i64,
    pub open_slot: Option<String>,
}

/// The terms an approval grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Approval {
    pub amount_fen: i64,
    pub term_count: i32,
    pub term_unit: i32,
    /// Other than applied for: the borrower confirms them before the payout.
    pub needs_confirmation: bool,
}

/// Which applications a list shows; every filter is optional.
#[derive(Default)]
pub struct ApplicationFilter {
    pub user_id: Option<String>,
    pub status: Option<i32>,
    pub statuses: Vec<i32>,
    /// The applications of the mobile asked for (`applications_of_mobile`).
    pub of_mobile: Option<Vec<String>>,
    pub id: Option<String>,
    pub oldest_first: bool,
}

/// One move of an application's status, by whom and why.
pub struct StatusChange {
    pub step: Move,
    pub actor: String,
    pub remark: String,
    pub approval: Option<Approval>,
    /// What the customer is told of the move, if anything.
    pub event: Option<OutboxEvent>,
    /// The decision task the move applies: closed with it, and the move made only while it is open.
    pub decision: Option<super::decisions::TaskClose>,
}

#[derive(Insertable)]
#[diesel(table_name = application_history)]
pub(in crate::store) struct HistoryRow {
    id: String,
    application_id: String,
    from_status: Option<i32>,
    to_status: i32,
    actor: String,
    remark: String,
    at: i64,
}

pub(in crate::store) fn history(
    application_id: &str,
    from: Option<i32>,
    to: i32,
    actor: &str,
    remark: &str,
    at: i64,
) -> HistoryRow {
    HistoryRow {
        id: new_id(),
        application_id: application_id.to_owned(),
        from_status: from,
        to_status: to,
        actor: actor.to_owned(),
        remark: remark.to_owned(),
        at,
    }
}

/// The next number of a prefix (`CL20261128`, `RO20261201`, …). Updating the prefix's counter
/// row locks it until the transaction ends, so concurrent callers take consecutive numbers. A
/// prefix's first number continues from the `numbered_before` it had before the counter existed;
/// two first callers racing to create the row meet the unique key, and the caller's retry takes
/// the next.
pub(in crate::store) fn next_number(
    conn: &mut DbConn,
    prefix: &str,
    numbered_before: impl FnOnce(&mut DbConn) -> QueryResult<i64>,
) -> QueryResult<i64> {
    use crate::schema::application_counters::dsl::{application_counters, day, last};
    let taken = diesel::update(application_counters.find(prefix))
        .set(last.eq(last + 1))
        .execute(conn)?;
    if taken == 0 {
        let before = numbered_before(conn)?;
        diesel::insert_into(application_counters)
            .values((day.eq(prefix), last.eq(before + 1)))
            .execute(conn)?;
    }
    application_counters.find(prefix).select(last).first(conn)
}

impl Store {
    pub async fn has_open_application(&self, user_id: &str) -> Result<bool, LoanError> {
        let user_id = user_id.to_owned();
        let count: i64 = db::run(&self.pool, move |conn| {
            Ok(applications::table
                .filter(applications::open_slot.eq(user_id))
                .count()
                .get_result(conn)?)
        })
        .await?;
        Ok(count > 0)
    }

    /// The applications of the mobile whose keyed hash this is (the operators' filters).
    pub async fn applications_of_mobile(&self, hash: &str) -> Result<Vec<String>, LoanError> {
        let hash = hash.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(application_mobiles::table
                .filter(application_mobiles::mobile_hash.eq(hash))
                .select(application_mobiles::application_id)
                .load(conn)?)
        })
        .await?)
    }

    /// The applications (and their events) stored before mobiles were sealed: `(id, mobile)`.
    pub async fn unsealed_mobiles(&self) -> Result<Vec<(String, String)>, LoanError> {
        Ok(db::run(&self.pool, |conn| {
            Ok(applications::table
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    application_mobiles::table
                        .filter(application_mobiles::application_id.eq(applications::id)),
                )))
                .select((applications::id, applications::mobile))
                .load(conn)?)
        })
        .await?)
    }

    /// Seals one application's mobile (and its events'), with the hash operators find it by.
    pub async fn seal_mobile(
        &self,
        id: String,
        plain: String,
        sealed: String,
        hash: String,
    ) -> Result<(), LoanError> {
        db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                diesel::update(
                    applications::table
                        .find(&id)
                        .filter(applications::mobile.eq(&plain)),
                )
                .set(applications::mobile.eq(&sealed))
                .execute(conn)?;
                diesel::update(outbox::table.filter(outbox::mobile.eq(&plain)))
                    .set(outbox::mobile.eq(&sealed))
                    .execute(conn)?;
                diesel::insert_into(application_mobiles::table)
                    .values((
                        application_mobiles::application_id.eq(&id),
                        application_mobiles::mobile_hash.eq(&hash),
                    ))
                    .execute(conn)?;
                diesel::QueryResult::Ok(())
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Stores a new application; the open-slot unique index refuses a second open one. The
    /// number is `CL` + date + the day's next sequence number (`next_number`).
    pub async fn insert_application(
        &self,
        mut row: NewApplication,
        (day, mobile_hash): (String, String),
        (event, task): (OutboxEvent, super::decisions::DecisionTask),
        documents: crate::store::RenderDocuments,
        origin: Origin,
    ) -> Result<String, LoanError> {
        let prefix = format!("CL{day}");
        for _ in 0..8 {
            let (candidate, prefix, event, task, documents, origin, mobile_hash) = (
                row.clone(),
                prefix.clone(),
                event.clone(),
                task.clone(),
                documents.clone(),
                origin.clone(),
                mobile_hash.clone(),
            );
            let attempt = db::run(&self.pool, move |conn| {
                conn.transaction(|conn| {
                    let code = format!(
                        "{prefix}{:06}",
                        next_number(conn, &prefix, |conn| {
                            applications::table
                                .filter(applications::code.like(format!("{prefix}%")))
                                .count()
                                .get_result(conn)
                        })?
                    );
                    let (id, user_id, at) = (
                        candidate.id.clone(),
                        candidate.user_id.clone(),
                        candidate.applied_at,
                    );
                    diesel::insert_into(applications::table)
                        .values(NewApplication {
                            code: code.clone(),
                            ..candidate
                        })
                        .execute(conn)?;
                    diesel::insert_into(application_mobiles::table)
                        .values((
                            application_mobiles::application_id.eq(&id),
                            application_mobiles::mobile_hash.eq(mobile_hash),
                        ))
                        .execute(conn)?;
                    diesel::insert_into(application_history::table)
                        .values(history(
                            &id,
                            None,
                            Status::Pending.code(),
                            &user_id,
                            "submitted",
                            at,
                        ))
                        .execute(conn)?;
                    let event = OutboxEvent {
                        application_code: code.clone(),
                        ..event
                    };
                    diesel::insert_into(outbox::table).values(event).execute(conn)?;
                    // Decided by the rules with the application, or by nobody (DECISIONS.md).
                    diesel::insert_into(crate::schema::decision_tasks::table)
                        .values(task)
                        .execute(conn)?;
                    // The documents as the borrower accepts them, numbered like the application.
                    let rendered = documents(&code).map_err(|e| {
                        tracing::error!(error = %e, "contract documents did not render");
                        DieselError::RollbackTransaction
                    })?;
                    crate::store::contracts::insert(
                        conn,
                        (&id, &user_id, at),
                        crate::store::contracts::APPLY,
                        &origin,
                        rendered,
                    )?;
                    Ok::<_, DieselError>(code)
                })
                .map_err(DbError::Query)
            })
            .await;
            match attempt {
                Ok(code) => return Ok(code),
                // Either this user already has an open application, or the number was taken.
                Err(DbError::Query(e)) if is_unique_violation(&e) => {
                    if self.has_open_application(&row.user_id).await? {
                        return Err(LoanError::OpenApplication);
                    }
                    row.id = new_id();
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(LoanError::Downstream("could not number the application".into()))
    }

    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRow>, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(applications::table
                .find(id)
                .select(application_columns!())
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    /// Every move of the application, oldest first.
    pub async fn history(&self, id: &str) -> Result<Vec<(Option<i32>, i32, String, String, i64)>, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(application_history::table
                .filter(application_history::application_id.eq(id))
                .order(application_history::at)
                .select((
                    application_history::from_status,
                    application_history::to_status,
                    application_history::actor,
                    application_history::remark,
                    application_history::at,
                ))
                .load(conn)?)
        })
        .await?)
    }

    /// Who moved the application to approved, most recently.
    pub async fn approver(&self, id: &str) -> Result<Option<String>, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(application_history::table
                .filter(application_history::application_id.eq(id))
                .filter(application_history::to_status.eq(Status::Approved.code()))
                .order(application_history::at.desc())
                .select(application_history::actor)
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    /// A page of applications, newest first unless asked otherwise, and the total.
    pub async fn applications(
        &self,
        filter: ApplicationFilter,
        page: (i64, i64),
    ) -> Result<(Vec<ApplicationRow>, i64), LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let mut q = applications::table.into_boxed();
                if let Some(u) = &filter.user_id {
                    q = q.filter(applications::user_id.eq(u.clone()));
                }
                if let Some(s) = filter.status {
                    q = q.filter(applications::status.eq(s));
                }
                if !filter.statuses.is_empty() {
                    q = q.filter(applications::status.eq_any(filter.statuses.clone()));
                }
                if let Some(ids) = &filter.of_mobile {
                    q = q.filter(applications::id.eq_any(ids.clone()));
                }
                if let Some(id) = &filter.id {
                    q = q.filter(applications::id.eq(id.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let ordered = match filter.oldest_first {
                true => filtered().order((applications::applied_at.asc(), applications::code.asc())),
                false => filtered().order((applications::applied_at.desc(), applications::code.desc())),
            };
            let rows = ordered
                .offset(page.0)
                .limit(page.1)
                .select(application_columns!())
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }

    /// Moves an application from `from` to `to` if it is still in `from`; false when another
    /// caller moved it first. An approval also records the approved amount and term.
    pub async fn move_status(&self, id: &str, change: StatusChange, now: i64) -> Result<bool, LoanError> {
        let StatusChange {
            step,
            actor,
            remark,
            approval,
            event,
            decision,
        } = change;
        let (id, from, to) = (id.to_owned(), step.from(), step.to());
        Ok(db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                if let Some(close) = &decision {
                    if !super::decisions::close(conn, &id, close, now)? {
                        return Ok(false);
                    }
                }
                let target = applications::table
                    .filter(applications::id.eq(id.clone()))
                    .filter(applications::status.eq(from.code()));
                let moved = if let Some(a) = approval {
                    diesel::update(target)
                        .set((
                            applications::status.eq(to.code()),
                            applications::reply_amount_fen.eq(Some(a.amount_fen)),
                            applications::auth_term_count.eq(Some(a.term_count)),
                            applications::auth_term_unit.eq(Some(a.term_unit)),
                            applications::updated_at.eq(now),
                        ))
                        .execute(conn)?
                } else if to.is_open() {
                    diesel::update(target)
                        .set((
                            applications::status.eq(to.code()),
                            applications::updated_at.eq(now),
                        ))
                        .execute(conn)?
                } else {
                    // A closed application frees the user's open slot.
                    diesel::update(target)
                        .set((
                            applications::status.eq(to.code()),
                            applications::open_slot.eq(None::<String>),
                            applications::updated_at.eq(now),
                        ))
                        .execute(conn)?
                };
                if moved == 1 && approval.is_some_and(|a| a.needs_confirmation) {
                    diesel::insert_into(terms_confirmations::table)
                        .values((
                            terms_confirmations::application_id.eq(&id),
                            terms_confirmations::approved_at.eq(now),
                        ))
                        .execute(conn)?;
                }
                if moved == 1 {
                    diesel::insert_into(application_history::table)
                        .values(history(&id, Some(from.code()), to.code(), &actor, &remark, now))
                        .execute(conn)?;
                    if let Some(event) = event {
                        diesel::insert_into(outbox::table).values(event).execute(conn)?;
                    }
                }
                if moved != 1 && decision.is_some() {
                    // The application moved meanwhile: the task stays open for what it is now.
                    return Err(DieselError::RollbackTransaction);
                }
                Ok::<_, DieselError>(moved == 1)
            })
            .or_else(|e| match e {
                DieselError::RollbackTransaction => Ok(false),
                other => Err(other),
            })
            .map_err(DbError::Query)
        })
        .await?)
    }
}
