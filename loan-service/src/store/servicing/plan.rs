//! The repayment plan, read by period (it is written when its payout settles, `store::payments`).

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;

use crate::error::LoanError;
use crate::schema::{applications, outbox, repayment_periods};
use crate::store::OutboxEvent;
use crate::store::{is_unique_violation, Store};

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = repayment_periods)]
pub struct PeriodRow {
    pub id: String,
    pub application_id: String,
    pub user_id: String,
    pub period_num: i32,
    pub due_date: String,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub fee_fen: i64,
    pub status: i32,
    pub paid_at: Option<i64>,
    pub paid_date: Option<String>,
    pub paid_principal_fen: Option<i64>,
    pub paid_interest_fen: Option<i64>,
    pub paid_fee_fen: Option<i64>,
    pub paid_penalty_fen: Option<i64>,
    pub repayment_id: Option<String>,
    pub reminder_sent: bool,
    pub overdue_sent: bool,
    /// Overdue days not charged (held by an order the channel never had).
    pub waived_penalty_days: i32,
}

impl Store {
    /// A page of one application's periods (only the owner's), by period number.
    pub async fn plan(
        &self,
        user_id: &str,
        application_id: &str,
        page: (i64, i64),
    ) -> Result<(Vec<PeriodRow>, i64), LoanError> {
        let (user_id, application_id) = (user_id.to_owned(), application_id.to_owned());
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                repayment_periods::table
                    .filter(repayment_periods::application_id.eq(application_id.clone()))
                    .filter(repayment_periods::user_id.eq(user_id.clone()))
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order(repayment_periods::period_num.asc())
                .offset(page.0)
                .limit(page.1)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }

    /// One period, only if it is the user's.
    pub async fn period(&self, user_id: &str, id: &str) -> Result<Option<PeriodRow>, LoanError> {
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        Ok(db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .filter(repayment_periods::id.eq(id))
                .filter(repayment_periods::user_id.eq(user_id))
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    pub async fn periods_of(&self, application_id: &str) -> Result<Vec<PeriodRow>, LoanError> {
        let application_id = application_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .filter(repayment_periods::application_id.eq(application_id))
                .order(repayment_periods::period_num.asc())
                .load(conn)?)
        })
        .await?)
    }

    /// The user's unpaid periods, each with its loan's penalty rate (millionths).
    pub async fn unpaid_periods(&self, user_id: &str) -> Result<Vec<(PeriodRow, i64)>, LoanError> {
        let user_id = user_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .inner_join(applications::table.on(applications::id.eq(repayment_periods::application_id)))
                .filter(repayment_periods::user_id.eq(user_id))
                .filter(repayment_periods::status.eq(0))
                .select((repayment_periods::all_columns, applications::penalty_rate_ppm))
                .load(conn)?)
        })
        .await?)
    }

    /// Principal paid out to the user over all time.
    pub async fn disbursed_principal(&self, user_id: &str) -> Result<i64, LoanError> {
        let user_id = user_id.to_owned();
        let values: Vec<i64> = db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .filter(repayment_periods::user_id.eq(user_id))
                .select(repayment_periods::principal_fen)
                .load(conn)?)
        })
        .await?;
        Ok(values.iter().sum())
    }

    /// Unpaid periods due by `tomorrow` still lacking the notice their date calls for (a
    /// reminder from the day before the due date, an overdue notice after it), oldest first.
    pub async fn periods_awaiting_notice(
        &self,
        today: &str,
        tomorrow: &str,
        limit: i64,
    ) -> Result<Vec<NoticePeriod>, LoanError> {
        let (today, tomorrow) = (today.to_owned(), tomorrow.to_owned());
        Ok(db::run(&self.pool, move |conn| {
            use repayment_periods::dsl as p;
            Ok(repayment_periods::table
                .inner_join(applications::table.on(applications::id.eq(p::application_id)))
                .filter(p::status.eq(0))
                .filter(applications::frozen.eq(false))
                .filter(p::due_date.le(tomorrow))
                .filter(
                    (p::due_date.ge(today.clone()).and(p::reminder_sent.eq(false)))
                        .or(p::due_date.lt(today).and(p::overdue_sent.eq(false))),
                )
                .select((
                    p::id,
                    p::user_id,
                    p::due_date,
                    p::principal_fen,
                    p::interest_fen,
                    p::fee_fen,
                    applications::mobile,
                    applications::product_name,
                    applications::code,
                ))
                .order(p::due_date.asc())
                .limit(limit)
                .load(conn)?)
        })
        .await?)
    }

    /// Writes a notice's event and marks the period as having had it; false when the event
    /// already existed (another replica wrote it first, or a flag was lost).
    pub async fn queue_notice(
        &self,
        event: OutboxEvent,
        period_id: String,
        reminder: bool,
    ) -> Result<bool, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let written = conn.transaction(|conn| {
                diesel::insert_into(outbox::table).values(event).execute(conn)?;
                mark_notified(conn, &period_id, reminder)
            });
            match written {
                Ok(()) => Ok(true),
                Err(e) if is_unique_violation(&e) => {
                    mark_notified(conn, &period_id, reminder)?;
                    Ok(false)
                }
                Err(e) => Err(e.into()),
            }
        })
        .await?)
    }
}

/// A period that needs a notice, with what the notice says.
#[derive(Queryable)]
pub struct NoticePeriod {
    pub id: String,
    pub user_id: String,
    pub due_date: String,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub fee_fen: i64,
    pub mobile: String,
    pub product_name: String,
    pub code: String,
}

fn mark_notified(conn: &mut DbConn, period_id: &str, reminder: bool) -> QueryResult<()> {
    let period = repayment_periods::table.find(period_id);
    if reminder {
        diesel::update(period)
            .set(repayment_periods::reminder_sent.eq(true))
            .execute(conn)?;
    } else {
        diesel::update(period)
            .set(repayment_periods::overdue_sent.eq(true))
            .execute(conn)?;
    }
    Ok(())
}
