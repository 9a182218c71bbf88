//! The decision tasks (DECISIONS.md "When a decision is made"): one per application, written in
//! its transaction, claimed by workers under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL),
//! closed once — by the transaction that applies the decision, or by recording a recommendation.
//! The automatic payouts they make due are taken once (`payout_state` 1 → 2).

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;

use crate::error::LoanError;
use crate::loan::lifecycle::{transition, Action, Status};
use crate::schema::{
    application_history, applications, decision_tasks, repayment_periods, terms_confirmations,
};
use diesel::result::Error as DieselError;

use super::applications::history;
use crate::store::Store;

pub const OPEN: i32 = 0;
pub const DONE: i32 = 1;
/// `payout_state`: none, due (an automatic approval within the limit), taken by a worker.
pub const PAYOUT_DUE: i32 = 1;
pub const PAYOUT_TAKEN: i32 = 2;

/// How long a worker owns the tasks it claimed; if it dies, others take them after this.
const LEASE_MS: i64 = 30_000;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = decision_tasks)]
pub struct DecisionTask {
    pub application_id: String,
    pub product_code: String,
    pub product_min_rate_ppm: i64,
    pub product_max_rate_ppm: i64,
    pub automatic: bool,
    pub auto_payout_limit_fen: Option<i64>,
    pub phonebook_size: i32,
    pub gps_present: bool,
    pub client_ip: String,
    pub app_type: String,
    pub state: i32,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub outcome: String,
    /// `[{code, text}]` as risk-service gave them.
    pub reasons: String,
    /// `machine`, or `person` when a reviewer decided (after a referral, or on a manual product).
    pub decided_by: String,
    pub decided_at: Option<i64>,
    pub payout_state: i32,
    pub payout_order_no: Option<String>,
    pub override_outcome: Option<String>,
    pub override_remark: Option<String>,
    pub review_requested_at: Option<i64>,
    pub review_reason: Option<String>,
}

impl DecisionTask {
    /// An open task of `application_id` written at `now`: decided by people, no payout.
    pub fn new(application_id: &str, now: i64) -> Self {
        Self {
            application_id: application_id.to_owned(),
            product_code: String::new(),
            product_min_rate_ppm: 0,
            product_max_rate_ppm: 0,
            automatic: false,
            auto_payout_limit_fen: None,
            phonebook_size: 0,
            gps_present: false,
            client_ip: String::new(),
            app_type: String::new(),
            state: OPEN,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            outcome: String::new(),
            reasons: String::new(),
            decided_by: String::new(),
            decided_at: None,
            payout_state: 0,
            payout_order_no: None,
            override_outcome: None,
            override_remark: None,
            review_requested_at: None,
            review_reason: None,
        }
    }
}

/// How a task closes with the status change that applies its decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskClose {
    pub outcome: String,
    pub reasons: String,
    pub decided_by: String,
    pub payout_due: bool,
}

/// Closes the open task of `id` (inside the caller's transaction); false when it was not open.
pub(in crate::store) fn close(conn: &mut DbConn, id: &str, c: &TaskClose, now: i64) -> QueryResult<bool> {
    let closed = diesel::update(
        decision_tasks::table
            .filter(decision_tasks::application_id.eq(id))
            .filter(decision_tasks::state.eq(OPEN)),
    )
    .set((
        decision_tasks::state.eq(DONE),
        decision_tasks::outcome.eq(&c.outcome),
        decision_tasks::reasons.eq(&c.reasons),
        decision_tasks::decided_by.eq(&c.decided_by),
        decision_tasks::decided_at.eq(Some(now)),
        decision_tasks::payout_state.eq(if c.payout_due { PAYOUT_DUE } else { 0 }),
    ))
    .execute(conn)?;
    Ok(closed == 1)
}

fn claim(conn: &mut DbConn, now: i64) -> QueryResult<Vec<DecisionTask>> {
    conn.transaction(|conn| {
        let due = decision_tasks::table
            .filter(decision_tasks::state.eq(OPEN))
            .filter(decision_tasks::next_attempt_at.le(now))
            .order((
                decision_tasks::created_at.asc(),
                decision_tasks::application_id.asc(),
            ))
            .limit(20);
        let tasks: Vec<DecisionTask> = match conn {
            DbConn::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(lite) => due.load(lite)?,
        };
        for task in &tasks {
            diesel::update(decision_tasks::table.find(&task.application_id))
                .set(decision_tasks::next_attempt_at.eq(now + LEASE_MS))
                .execute(conn)?;
        }
        Ok(tasks)
    })
}

/// What the borrower's earlier loans say (DECISIONS.md "Features", history).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub loans_settled: i32,
    pub loans_settled_clean: i32,
    pub loans_open: i32,
    pub max_days_overdue: i32,
    pub principal_repaid_fen: i64,
    /// None when no loan was ever settled.
    pub last_settled_at: Option<i64>,
}

/// Days between two `yyyy-MM-dd` dates, if both read.
fn days_between(from: &str, to: &str) -> Option<i64> {
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    Some((parse(to)? - parse(from)?).num_days())
}

impl Store {
    /// The due tasks this worker now owns.
    pub async fn claim_decision_tasks(&self, now: i64) -> Result<Vec<DecisionTask>, LoanError> {
        Ok(db::run(&self.pool, move |conn| Ok(claim(conn, now)?)).await?)
    }

    pub async fn decision_task(&self, id: &str) -> Result<Option<DecisionTask>, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(decision_tasks::table.find(id).first(conn).optional()?)
        })
        .await?)
    }

    /// A failed try: the task is tried again at `next`.
    pub async fn retry_decision_task(&self, id: &str, next: i64) -> Result<(), LoanError> {
        let id = id.to_owned();
        db::run(&self.pool, move |conn| {
            diesel::update(decision_tasks::table.find(id))
                .set((
                    decision_tasks::attempts.eq(decision_tasks::attempts + 1),
                    decision_tasks::next_attempt_at.eq(next),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Closes a task without moving its application (a referral, a recommendation to a reviewer);
    /// false when it was closed already.
    pub async fn close_decision_task(&self, id: &str, c: TaskClose, now: i64) -> Result<bool, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| Ok(close(conn, &id, &c, now)?)).await?)
    }

    /// A reviewer decided: the application's decision is now a person's; where the machine had
    /// approved or rejected otherwise, an override, recorded with the reviewer's remark.
    pub async fn record_person_decision(
        &self,
        id: &str,
        outcome: &str,
        remark: &str,
        now: i64,
    ) -> Result<(), LoanError> {
        let (id, outcome, remark) = (id.to_owned(), outcome.to_owned(), remark.to_owned());
        db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                diesel::update(
                    decision_tasks::table
                        .filter(decision_tasks::application_id.eq(&id))
                        .filter(decision_tasks::outcome.eq_any(["approve", "reject"]))
                        .filter(decision_tasks::outcome.ne(&outcome)),
                )
                .set((
                    decision_tasks::override_outcome.eq(Some(outcome.clone())),
                    decision_tasks::override_remark.eq(Some(remark)),
                ))
                .execute(conn)?;
                diesel::update(decision_tasks::table.find(&id))
                    .set((
                        decision_tasks::decided_by.eq("person"),
                        decision_tasks::decided_at.eq(Some(now)),
                    ))
                    .execute(conn)?;
                Ok::<_, diesel::result::Error>(())
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// The creation instants of the applications in `[from, to)` (epoch ms) whose reviewer
    /// overrode the machine.
    pub async fn overrides_between(&self, from: i64, to: i64) -> Result<Vec<i64>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(decision_tasks::table
                .filter(decision_tasks::override_outcome.is_not_null())
                .filter(decision_tasks::created_at.ge(from))
                .filter(decision_tasks::created_at.lt(to))
                .select(decision_tasks::created_at)
                .load(conn)?)
        })
        .await?)
    }

    /// Applications whose automatic payout is due and nothing blocks it: approved, no change of
    /// terms waiting for the borrower.
    pub async fn due_payouts(&self) -> Result<Vec<String>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let waiting = terms_confirmations::table.select(terms_confirmations::application_id);
            Ok(decision_tasks::table
                .inner_join(applications::table.on(applications::id.eq(decision_tasks::application_id)))
                .filter(decision_tasks::payout_state.eq(PAYOUT_DUE))
                .filter(applications::status.eq(Status::Approved.code()))
                .filter(decision_tasks::application_id.ne_all(waiting))
                .select(decision_tasks::application_id)
                .limit(20)
                .load(conn)?)
        })
        .await?)
    }

    /// Takes a due payout for this worker; false when another took it.
    pub async fn take_payout(&self, id: &str) -> Result<bool, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(diesel::update(
                decision_tasks::table
                    .filter(decision_tasks::application_id.eq(id))
                    .filter(decision_tasks::payout_state.eq(PAYOUT_DUE)),
            )
            .set(decision_tasks::payout_state.eq(PAYOUT_TAKEN))
            .execute(conn)?
                == 1)
        })
        .await?)
    }

    /// #42: the rejected application back in review (3 → 1) with the borrower's reason, once;
    /// false when it was asked before, is no longer rejected, or the borrower has another open
    /// application (the open slot is theirs once).
    pub async fn reopen_for_review(
        &self,
        id: &str,
        user_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, LoanError> {
        let (id, user_id, reason) = (id.to_owned(), user_id.to_owned(), reason.to_owned());
        let step = transition(Status::Rejected, Action::Reopen).ok_or(LoanError::IllegalTransition)?;
        Ok(db::run(&self.pool, move |conn| {
            let reopened = conn.transaction(|conn| {
                let asked = diesel::update(
                    decision_tasks::table
                        .filter(decision_tasks::application_id.eq(&id))
                        .filter(decision_tasks::review_requested_at.is_null()),
                )
                .set((
                    decision_tasks::review_requested_at.eq(Some(now)),
                    decision_tasks::review_reason.eq(Some(reason.clone())),
                ))
                .execute(conn)?;
                let moved = diesel::update(
                    applications::table
                        .filter(applications::id.eq(&id))
                        .filter(applications::status.eq(step.from().code())),
                )
                .set((
                    applications::status.eq(step.to().code()),
                    applications::open_slot.eq(Some(user_id.clone())),
                    applications::updated_at.eq(now),
                ))
                .execute(conn)?;
                if asked != 1 || moved != 1 {
                    return Err(DieselError::RollbackTransaction);
                }
                diesel::insert_into(application_history::table)
                    .values(history(
                        &id,
                        Some(step.from().code()),
                        step.to().code(),
                        &user_id,
                        &reason,
                        now,
                    ))
                    .execute(conn)?;
                Ok(true)
            });
            match reopened {
                Err(DieselError::RollbackTransaction) => Ok(false),
                Err(e) if crate::store::is_unique_violation(&e) => Ok(false),
                other => Ok(other?),
            }
        })
        .await?)
    }

    pub async fn record_payout_order(&self, id: &str, order_no: &str) -> Result<(), LoanError> {
        let (id, order_no) = (id.to_owned(), order_no.to_owned());
        db::run(&self.pool, move |conn| {
            diesel::update(decision_tasks::table.find(id))
                .set(decision_tasks::payout_order_no.eq(Some(order_no)))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// The borrower's history as of `today`, from their applications and plans.
    pub async fn borrower_history(&self, user_id: &str, today: String) -> Result<History, LoanError> {
        let user_id = user_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            let apps: Vec<(String, i32, i64)> = applications::table
                .filter(applications::user_id.eq(&user_id))
                .select((applications::id, applications::status, applications::updated_at))
                .load(conn)?;
            let periods: Vec<(String, String, Option<String>, Option<i64>)> = repayment_periods::table
                .filter(repayment_periods::user_id.eq(&user_id))
                .select((
                    repayment_periods::application_id,
                    repayment_periods::due_date,
                    repayment_periods::paid_date,
                    repayment_periods::paid_principal_fen,
                ))
                .load(conn)?;
            let late = |(_, due, paid, _): &(String, String, Option<String>, Option<i64>)| {
                let until = paid.as_deref().unwrap_or(&today);
                days_between(due, until).unwrap_or(0).max(0)
            };
            let mut h = History::default();
            for (id, status, updated_at) in &apps {
                if *status == Status::PaidOff.code() {
                    h.loans_settled += 1;
                    let clean = periods.iter().filter(|p| &p.0 == id).all(|p| late(p) == 0);
                    h.loans_settled_clean += i32::from(clean);
                    h.last_settled_at = h.last_settled_at.max(Some(*updated_at));
                }
                if *status == Status::Disbursed.code() {
                    h.loans_open += 1;
                }
            }
            h.max_days_overdue = periods
                .iter()
                .map(late)
                .max()
                .map_or(0, |d| i32::try_from(d).unwrap_or(i32::MAX));
            h.principal_repaid_fen = periods.iter().filter_map(|p| p.3).sum();
            Ok(h)
        })
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::with_each_database;
    use super::*;

    fn task(i: i64) -> DecisionTask {
        DecisionTask {
            automatic: true,
            auto_payout_limit_fen: Some(300_000),
            ..DecisionTask::new(&format!("app-{i}"), i)
        }
    }

    /// Two workers never decide one application twice: each task is claimed by one, and closed once.
    #[test]
    fn concurrent_workers_claim_each_task_once_and_close_it_once() {
        with_each_database("decision_claim", |pool| {
            let mut conn = pool.get().unwrap();
            for i in 0..100 {
                diesel::insert_into(decision_tasks::table)
                    .values(task(i))
                    .execute(&mut **conn)
                    .unwrap();
            }
            drop(conn);
            let now = 1_000_000;
            let claimed: Vec<String> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..4)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let batch = claim(&mut pool.get().unwrap(), now).unwrap();
                                if batch.is_empty() {
                                    return mine;
                                }
                                mine.extend(batch.into_iter().map(|t| t.application_id));
                            }
                        })
                    })
                    .collect();
                workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
            });
            let distinct: std::collections::HashSet<&String> = claimed.iter().collect();
            assert_eq!(
                (claimed.len(), distinct.len()),
                (100, 100),
                "every task claimed once"
            );
            let c = TaskClose {
                outcome: "approve".into(),
                reasons: "[]".into(),
                decided_by: "machine".into(),
                payout_due: true,
            };
            let mut conn = pool.get().unwrap();
            assert!(close(&mut conn, "app-1", &c, now).unwrap());
            assert!(!close(&mut conn, "app-1", &c, now).unwrap(), "closed once");
        });
    }

    #[test]
    fn days_between_dates() {
        assert_eq!(days_between("2026-12-01", "2026-12-03"), Some(2));
        assert_eq!(days_between("2026-12-03", "2026-12-01"), Some(-2));
        assert_eq!(days_between("x", "2026-12-01"), None);
    }
}
