//! Periodic jobs (API.md §6.5): a repayment reminder (type 15) the day before a due date and an
//! overdue notice (type 17) the day after a missed one. Each becomes an outbox event whose id is
//! derived from the period and the type, so however often the job runs, and on however many
//! replicas, each period gets each notice once.

use std::time::Duration;

use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbPool};
use cashloan_runtime::money::format_amount;
use cashloan_runtime::Shutdown;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::LoanError;
use crate::outbox::OutboxEvent;
use crate::schema::{applications, outbox, repayment_periods};

/// (period id, user id, due date, principal, interest, fee, mobile, product, application code).
type DuePeriod = (String, String, String, i64, i64, i64, String, String, String);

pub const REMINDER: i32 = 15;
pub const OVERDUE: i32 = 17;

/// Writes the notices due today; returns how many were new.
pub async fn run_once(pool: &DbPool, clock: &Clock) -> Result<usize, LoanError> {
    let today = clock.today();
    let now = clock.now_ms();
    let tomorrow = (today + chrono::Days::new(1)).to_string();
    let yesterday = (today - chrono::Days::new(1)).to_string();
    Ok(db::run(pool, move |conn| {
        let due: Vec<DuePeriod> = repayment_periods::table
            .inner_join(applications::table.on(applications::id.eq(repayment_periods::application_id)))
            .filter(repayment_periods::status.eq(0))
            .filter(
                repayment_periods::due_date
                    .eq(tomorrow.clone())
                    .or(repayment_periods::due_date.eq(yesterday.clone())),
            )
            .select((
                repayment_periods::id,
                repayment_periods::user_id,
                repayment_periods::due_date,
                repayment_periods::principal_fen,
                repayment_periods::interest_fen,
                repayment_periods::fee_fen,
                applications::mobile,
                applications::product_name,
                applications::code,
            ))
            .load(conn)?;
        let mut created = 0;
        for (period_id, user_id, due_date, principal, interest, fee, mobile, product, code) in due {
            let (kind, name) = if due_date == tomorrow {
                (REMINDER, "reminder")
            } else {
                (OVERDUE, "overdue")
            };
            let mut event = OutboxEvent::new(
                kind,
                &user_id,
                &mobile,
                &product,
                &code,
                format_amount(principal + interest + fee),
                now,
            );
            event.id = format!("{name}:{period_id}");
            event.event_date = due_date;
            match diesel::insert_into(outbox::table).values(event).execute(conn) {
                Ok(_) => created += 1,
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(created)
    })
    .await?)
}

/// Runs the jobs every `interval` until shutdown.
pub async fn run(pool: DbPool, clock: Clock, interval: Duration, shutdown: Shutdown) {
    let stop = shutdown.wait();
    tokio::pin!(stop);
    loop {
        match run_once(&pool, &clock).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "reminders and overdue notices queued"),
            Err(e) => tracing::warn!(error = %e, "notice job failed"),
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}
