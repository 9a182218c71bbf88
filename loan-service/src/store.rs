//! loan-service's queries. Every state change is a conditional update inside one transaction with
//! what it causes (history rows, the plan), so racing callers cannot both succeed.

use cashloan_runtime::db::{self, DbConn, DbError, DbPool};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use tracing::Instrument;

use crate::channel::{ChannelError, PaymentChannel};
use crate::charges::Charge;
use crate::error::LoanError;
use crate::lifecycle::{Move, Status};
use crate::outbox::OutboxEvent;
use crate::schema::{application_history, applications, credit_lines, outbox, repayment_periods, repayments};
use cashloan_proto::loan::v1::ListCondition;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
}

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

/// One move of an application's status, by whom and why.
pub struct StatusChange {
    pub step: Move,
    pub actor: String,
    pub remark: String,
    /// (approved amount in fen, term count, term unit) of an approval.
    pub approval: Option<(i64, i32, i32)>,
    /// What the customer is told of the move, if anything.
    pub event: Option<OutboxEvent>,
}

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
}

#[derive(Insertable)]
#[diesel(table_name = application_history)]
struct HistoryRow {
    id: String,
    application_id: String,
    from_status: Option<i32>,
    to_status: i32,
    actor: String,
    remark: String,
    at: i64,
}

fn history(
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

/// The day's next application number. Updating the day's counter row locks it until the
/// transaction ends, so concurrent applications take consecutive numbers. A day's first number
/// continues from applications numbered before the counter existed; two first applications of a
/// day racing to create the row meet the unique key, and the caller's retry takes the next.
fn next_number(conn: &mut DbConn, prefix: &str) -> QueryResult<i64> {
    use crate::schema::application_counters::dsl::{application_counters, day, last};
    let taken = diesel::update(application_counters.find(prefix))
        .set(last.eq(last + 1))
        .execute(conn)?;
    if taken == 0 {
        let before: i64 = applications::table
            .filter(applications::code.like(format!("{prefix}%")))
            .count()
            .get_result(conn)?;
        diesel::insert_into(application_counters)
            .values((day.eq(prefix), last.eq(before + 1)))
            .execute(conn)?;
    }
    application_counters.find(prefix).select(last).first(conn)
}

/// The span of one call to the payment channel.
fn payment_span(operation: &'static str) -> tracing::Span {
    cashloan_runtime::span!("payment", otel.name = operation, otel.kind = "client")
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

impl Store {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub async fn credit_total(&self, user_id: &str) -> Result<Option<i64>, LoanError> {
        let user_id = user_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(credit_lines::table
                .find(user_id)
                .select(credit_lines::total_fen)
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    pub async fn set_credit_total(&self, user_id: &str, total_fen: i64, now: i64) -> Result<(), LoanError> {
        let user_id = user_id.to_owned();
        db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                diesel::delete(credit_lines::table.find(user_id.clone())).execute(conn)?;
                diesel::insert_into(credit_lines::table)
                    .values((
                        credit_lines::user_id.eq(user_id),
                        credit_lines::total_fen.eq(total_fen),
                        credit_lines::updated_at.eq(now),
                    ))
                    .execute(conn)
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Principal of the user's disbursed loans not yet repaid.
    pub async fn outstanding_principal(&self, user_id: &str) -> Result<i64, LoanError> {
        let user_id = user_id.to_owned();
        let values: Vec<i64> = db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .filter(repayment_periods::user_id.eq(user_id))
                .filter(repayment_periods::status.eq(0))
                .select(repayment_periods::principal_fen)
                .load(conn)?)
        })
        .await?;
        Ok(values.iter().sum())
    }

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

    /// Stores a new application; the open-slot unique index refuses a second open one. The
    /// number is `CL` + date + the day's next sequence number (`next_number`).
    pub async fn insert_application(
        &self,
        mut row: NewApplication,
        day: String,
        event: OutboxEvent,
    ) -> Result<String, LoanError> {
        let prefix = format!("CL{day}");
        for _ in 0..8 {
            let (candidate, prefix, event) = (row.clone(), prefix.clone(), event.clone());
            let attempt = db::run(&self.pool, move |conn| {
                conn.transaction(|conn| {
                    let code = format!("{prefix}{:06}", next_number(conn, &prefix)?);
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

    /// A page of applications, newest first, and the total; filters are optional.
    pub async fn applications(
        &self,
        user_id: Option<String>,
        status: Option<i32>,
        mobile: Option<String>,
        page: (i64, i64),
    ) -> Result<(Vec<ApplicationRow>, i64), LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let mut q = applications::table.into_boxed();
                if let Some(u) = &user_id {
                    q = q.filter(applications::user_id.eq(u.clone()));
                }
                if let Some(s) = status {
                    q = q.filter(applications::status.eq(s));
                }
                if let Some(m) = &mobile {
                    q = q.filter(applications::mobile.eq(m.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((applications::applied_at.desc(), applications::code.desc()))
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
        } = change;
        let (id, from, to) = (id.to_owned(), step.from(), step.to());
        Ok(db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let target = applications::table
                    .filter(applications::id.eq(id.clone()))
                    .filter(applications::status.eq(from.code()));
                let moved = if let Some((amount, count, unit)) = approval {
                    diesel::update(target)
                        .set((
                            applications::status.eq(to.code()),
                            applications::reply_amount_fen.eq(Some(amount)),
                            applications::auth_term_count.eq(Some(count)),
                            applications::auth_term_unit.eq(Some(unit)),
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
                if moved == 1 {
                    diesel::insert_into(application_history::table)
                        .values(history(&id, Some(from.code()), to.code(), &actor, &remark, now))
                        .execute(conn)?;
                    if let Some(event) = event {
                        diesel::insert_into(outbox::table).values(event).execute(conn)?;
                    }
                }
                Ok::<_, DieselError>(moved == 1)
            })
            .map_err(DbError::Query)
        })
        .await?)
    }

    /// 2 → 4, the plan and the payout, in one transaction: a second disbursement finds the status
    /// moved, and a failed payout leaves the application approved.
    #[allow(clippy::too_many_arguments)]
    pub async fn disburse(
        &self,
        id: &str,
        step: Move,
        release_date: String,
        periods: Vec<PeriodRow>,
        payout: (std::sync::Arc<dyn PaymentChannel>, String, i64),
        event: OutboxEvent,
        now: i64,
    ) -> Result<bool, LoanError> {
        let id = id.to_owned();
        let runtime = tokio::runtime::Handle::current();
        let (channel, card_no, amount_fen) = payout;
        let outcome = db::run(&self.pool, move |conn| {
            Ok(conn.transaction(|conn| {
                let moved = diesel::update(
                    applications::table
                        .filter(applications::id.eq(id.clone()))
                        .filter(applications::status.eq(step.from().code())),
                )
                .set((
                    applications::status.eq(step.to().code()),
                    applications::release_date.eq(Some(release_date)),
                    applications::released_at.eq(Some(now)),
                    applications::updated_at.eq(now),
                ))
                .execute(conn)?;
                if moved != 1 {
                    return Ok(false);
                }
                // One by one: multi-row inserts are not in the common subset of the two backends.
                for period in periods {
                    diesel::insert_into(repayment_periods::table)
                        .values(period)
                        .execute(conn)?;
                }
                let entry = history(
                    &id,
                    Some(step.from().code()),
                    step.to().code(),
                    "admin",
                    "disbursed",
                    now,
                );
                diesel::insert_into(application_history::table)
                    .values(entry)
                    .execute(conn)?;
                diesel::insert_into(outbox::table).values(event).execute(conn)?;
                runtime
                    .block_on(
                        channel
                            .disburse(&card_no, amount_fen, &id)
                            .instrument(payment_span("payment.disburse")),
                    )
                    .map_err(TxError::Channel)?;
                Ok::<_, TxError>(true)
            }))
        })
        .await?;
        match outcome {
            Ok(moved) => Ok(moved),
            Err(TxError::Db(e)) => Err(DbError::Query(e).into()),
            Err(TxError::Channel(e)) => Err(LoanError::Downstream(e.to_string())),
            Err(TxError::AlreadyPaid) => Ok(false),
        }
    }

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

    pub async fn unpaid_periods(&self, user_id: &str) -> Result<Vec<PeriodRow>, LoanError> {
        let user_id = user_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .filter(repayment_periods::user_id.eq(user_id))
                .filter(repayment_periods::status.eq(0))
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

    /// A page of the user's periods across loans by due date then period, as API.md §6.4's
    /// condition selects them.
    pub async fn repayment_list(
        &self,
        user_id: &str,
        condition: ListCondition,
        today: chrono::NaiveDate,
        page: (i64, i64),
    ) -> Result<(Vec<PeriodRow>, i64), LoanError> {
        let (user_id, today) = (user_id.to_owned(), today.to_string());
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let q = repayment_periods::table
                    .filter(repayment_periods::user_id.eq(user_id.clone()))
                    .into_boxed();
                match condition {
                    ListCondition::Paid => q.filter(repayment_periods::status.eq(1)),
                    ListCondition::Unpaid => q
                        .filter(repayment_periods::status.eq(0))
                        .filter(repayment_periods::due_date.ge(today.clone())),
                    ListCondition::Overdue => q
                        .filter(repayment_periods::status.eq(0))
                        .filter(repayment_periods::due_date.lt(today.clone())),
                    ListCondition::PaidEarly => q
                        .filter(repayment_periods::status.eq(1))
                        .filter(repayment_periods::paid_date.lt(repayment_periods::due_date.nullable())),
                    ListCondition::All => q,
                }
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((
                    repayment_periods::due_date.asc(),
                    repayment_periods::period_num.asc(),
                    repayment_periods::id.asc(),
                ))
                .offset(page.0)
                .limit(page.1)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }

    /// Claims the periods, collects the money and records the repayment in one transaction; a
    /// claim that finds a period paid, or a declined deduction, rolls everything back.
    pub async fn record_repayment(
        &self,
        record: RepaymentRecord,
        channel: std::sync::Arc<dyn PaymentChannel>,
        card_no: String,
    ) -> Result<(), LoanError> {
        let runtime = tokio::runtime::Handle::current();
        let outcome = db::run(&self.pool, move |conn| {
            let result = conn.transaction(|conn| {
                let repayment_id = new_id();
                let mut total = Charge::default();
                for (period_id, charge) in &record.claims {
                    let claimed = diesel::update(
                        repayment_periods::table
                            .filter(repayment_periods::id.eq(period_id.clone()))
                            .filter(repayment_periods::status.eq(0)),
                    )
                    .set((
                        repayment_periods::status.eq(1),
                        repayment_periods::paid_at.eq(Some(record.paid_at)),
                        repayment_periods::paid_date.eq(Some(record.paid_date.clone())),
                        repayment_periods::paid_principal_fen.eq(Some(charge.principal_fen)),
                        repayment_periods::paid_interest_fen.eq(Some(charge.interest_fen)),
                        repayment_periods::paid_fee_fen.eq(Some(charge.fee_fen)),
                        repayment_periods::paid_penalty_fen.eq(Some(charge.penalty_fen)),
                        repayment_periods::repayment_id.eq(Some(repayment_id.clone())),
                    ))
                    .execute(conn)?;
                    if claimed != 1 {
                        return Err(TxError::AlreadyPaid);
                    }
                    total.principal_fen += charge.principal_fen;
                    total.interest_fen += charge.interest_fen;
                    total.fee_fen += charge.fee_fen;
                    total.penalty_fen += charge.penalty_fen;
                }
                // Money moves last, once every claim holds; a decline undoes the claims.
                let reference = runtime
                    .block_on(
                        channel
                            .collect(&card_no, total.total(), &repayment_id)
                            .instrument(payment_span("payment.collect")),
                    )
                    .map_err(TxError::Channel)?;
                diesel::insert_into(repayments::table)
                    .values((
                        repayments::id.eq(repayment_id),
                        repayments::application_id.eq(record.application_id.clone()),
                        repayments::user_id.eq(record.user_id.clone()),
                        repayments::kind.eq(record.kind),
                        repayments::principal_fen.eq(total.principal_fen),
                        repayments::interest_fen.eq(total.interest_fen),
                        repayments::fee_fen.eq(total.fee_fen),
                        repayments::penalty_fen.eq(total.penalty_fen),
                        repayments::total_fen.eq(total.total()),
                        repayments::channel_reference.eq(reference),
                        repayments::created_at.eq(record.paid_at),
                    ))
                    .execute(conn)?;
                diesel::insert_into(outbox::table)
                    .values(record.event.clone())
                    .execute(conn)?;
                let unpaid: i64 = repayment_periods::table
                    .filter(repayment_periods::application_id.eq(record.application_id.clone()))
                    .filter(repayment_periods::status.eq(0))
                    .count()
                    .get_result(conn)?;
                if unpaid == 0 {
                    let closed = diesel::update(
                        applications::table
                            .filter(applications::id.eq(record.application_id.clone()))
                            .filter(applications::status.eq(record.pay_off.from().code())),
                    )
                    .set((
                        applications::status.eq(record.pay_off.to().code()),
                        applications::open_slot.eq(None::<String>),
                        applications::updated_at.eq(record.paid_at),
                    ))
                    .execute(conn)?;
                    if closed == 1 {
                        let entry = history(
                            &record.application_id,
                            Some(record.pay_off.from().code()),
                            record.pay_off.to().code(),
                            &record.user_id,
                            "paid off",
                            record.paid_at,
                        );
                        diesel::insert_into(application_history::table)
                            .values(entry)
                            .execute(conn)?;
                    }
                }
                Ok(())
            });
            Ok(result)
        })
        .await?;
        match outcome {
            Ok(()) => Ok(()),
            Err(TxError::AlreadyPaid) => Err(LoanError::AlreadyPaid),
            Err(TxError::Channel(ChannelError::Declined)) => Err(LoanError::DeductionFailed),
            Err(TxError::Channel(ChannelError::Unavailable(why))) => Err(LoanError::Downstream(why)),
            Err(TxError::Db(e)) => Err(DbError::Query(e).into()),
        }
    }
}

/// A repayment to record: which periods it claims with what charge.
pub struct RepaymentRecord {
    pub application_id: String,
    pub user_id: String,
    /// `repayments.kind`: `current` or `all`.
    pub kind: &'static str,
    /// The move a repayment that leaves nothing unpaid makes.
    pub pay_off: Move,
    /// (period id, charge) of every period paid.
    pub claims: Vec<(String, Charge)>,
    pub paid_at: i64,
    pub paid_date: String,
    /// The \"repaid\" message, written with the repayment.
    pub event: OutboxEvent,
}

enum TxError {
    Db(DieselError),
    AlreadyPaid,
    Channel(ChannelError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Db(e)
    }
}
