//! risk-service's queries: rulesets, decisions (appended with their evidence, never changed),
//! velocity counts, and what operators read of them.

use cashloan_runtime::db::{self, DbConn, DbPool};
use cashloan_runtime::evidence::{self, Record};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::RiskError;
use crate::schema::{decisions, rulesets, velocity};

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
}

#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = rulesets)]
pub struct RulesetRow {
    pub version: i32,
    pub document: String,
    pub status: String,
    pub share: i32,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = decisions)]
pub struct DecisionRow {
    pub application_id: String,
    pub user_id: String,
    pub ruleset_version: i32,
    pub outcome: String,
    /// `[{code, text}]`.
    pub reasons: String,
    pub score: i32,
    pub band: String,
    pub approved_amount_fen: i64,
    pub approved_rate_ppm: i64,
    pub features: String,
    pub rules: String,
    pub timings: String,
    pub challenger: Option<String>,
    pub decided_at: i64,
    pub decided_day: String,
    /// `rules::evaluate::Terms` as JSON; empty in decisions made before it was kept.
    pub terms: String,
}

/// Which decisions a page shows; empty strings filter nothing.
#[derive(Clone, Debug, Default)]
pub struct DecisionFilter {
    pub outcome: String,
    pub from: String,
    pub to: String,
    pub offset: i64,
    pub limit: i64,
}

/// (day, outcome, band, the challenger's record).
pub type DayOutcome = (String, String, String, Option<String>);

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = velocity)]
pub struct VelocityRow {
    pub application_id: String,
    pub user_id: String,
    pub device_hash: String,
    pub ip_hash: String,
    pub id_hash: String,
    pub at: i64,
}

/// Counts since `since` of rows whose `column` is `hash` (none for an empty hash).
macro_rules! count_since {
    ($conn:expr, $column:expr, $hash:expr, $since:expr) => {
        if $hash.is_empty() {
            0
        } else {
            velocity::table
                .filter($column.eq($hash))
                .filter(velocity::at.ge($since))
                .count()
                .get_result::<i64>($conn)?
        }
    };
}

/// Applications per device, IP and ID number in the last 24 h and 7 d; users per device in 30 d.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VelocityCounts {
    pub device: (i64, i64),
    pub ip: (i64, i64),
    pub id_number: (i64, i64),
    pub users_per_device30d: i64,
}

const DAY_MS: i64 = 86_400_000;

fn unique_violation(e: &DieselError) -> bool {
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

    /// Saves the first ruleset of a fresh installation as the champion; nothing when one exists.
    pub async fn seed_ruleset(&self, row: RulesetRow) -> Result<(), RiskError> {
        db::run(&self.pool, move |conn| {
            let any: i64 = rulesets::table.count().get_result(conn)?;
            if any == 0 {
                // A replica starting at the same moment seeds too: one stays.
                match diesel::insert_into(rulesets::table).values(row).execute(conn) {
                    Err(e) if unique_violation(&e) => {}
                    other => {
                        other?;
                    }
                }
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn rulesets(&self) -> Result<Vec<RulesetRow>, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(rulesets::table.order(rulesets::version.desc()).load(conn)?)
        })
        .await?)
    }

    pub async fn ruleset(&self, version: i32) -> Result<Option<RulesetRow>, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(rulesets::table.find(version).first(conn).optional()?)
        })
        .await?)
    }

    /// Saves a draft under the next version (two saving at once: each gets its own).
    pub async fn insert_draft(
        &self,
        document: String,
        by: String,
        now: i64,
    ) -> Result<RulesetRow, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            let mut tries = 0;
            loop {
                let last: Option<i32> = rulesets::table
                    .select(diesel::dsl::max(rulesets::version))
                    .first(conn)?;
                let row = RulesetRow {
                    version: last.unwrap_or(0) + 1,
                    document: document.clone(),
                    status: "draft".into(),
                    share: 0,
                    created_by: by.clone(),
                    created_at: now,
                };
                match diesel::insert_into(rulesets::table).values(&row).execute(conn) {
                    Err(e) if unique_violation(&e) && tries < 5 => tries += 1,
                    other => {
                        other?;
                        return Ok(row);
                    }
                }
            }
        })
        .await?)
    }

    /// Makes `version` the champion (the one before it retired; a challenger promoted stops being
    /// one) or the challenger with `share` (the one before it retired); false when `version` is
    /// the champion now.
    pub async fn activate(&self, version: i32, champion: bool, share: i32) -> Result<bool, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            conn.transaction(|conn: &mut DbConn| {
                let current: Option<RulesetRow> = rulesets::table.find(version).first(conn).optional()?;
                if current.as_ref().is_none_or(|r| r.status == "champion") {
                    return Ok(false);
                }
                let replaced = if champion { "champion" } else { "challenger" };
                diesel::update(rulesets::table.filter(rulesets::status.eq(replaced)))
                    .set((rulesets::status.eq("retired"), rulesets::share.eq(0)))
                    .execute(conn)?;
                diesel::update(rulesets::table.find(version))
                    .set((
                        rulesets::status.eq(replaced),
                        rulesets::share.eq(if champion { 0 } else { share }),
                    ))
                    .execute(conn)?;
                Ok::<_, DieselError>(true)
            })
            .map_err(Into::into)
        })
        .await?)
    }

    /// The decisions of the days `from..=to` (yyyy-MM-dd), newest first, at most `limit`.
    pub async fn decisions_between(
        &self,
        from: String,
        to: String,
        limit: i64,
    ) -> Result<Vec<DecisionRow>, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(decisions::table
                .filter(decisions::decided_day.between(from, to))
                .order((decisions::decided_at.desc(), decisions::application_id.desc()))
                .limit(limit)
                .load(conn)?)
        })
        .await?)
    }

    /// One page of decisions, newest first, with the count of all that match.
    pub async fn page_decisions(&self, filter: DecisionFilter) -> Result<(Vec<DecisionRow>, i64), RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            let query = || {
                let mut q = decisions::table.into_boxed();
                if !filter.outcome.is_empty() {
                    q = q.filter(decisions::outcome.eq(filter.outcome.clone()));
                }
                if !filter.from.is_empty() {
                    q = q.filter(decisions::decided_day.ge(filter.from.clone()));
                }
                if !filter.to.is_empty() {
                    q = q.filter(decisions::decided_day.le(filter.to.clone()));
                }
                q
            };
            let total: i64 = query().count().get_result(conn)?;
            let rows = query()
                .order((decisions::decided_at.desc(), decisions::application_id.desc()))
                .offset(filter.offset)
                .limit(filter.limit)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }

    /// (day, outcome, band, challenger) of each decision of the days `from..=to`.
    pub async fn day_outcomes(&self, from: String, to: String) -> Result<Vec<DayOutcome>, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(decisions::table
                .filter(decisions::decided_day.between(from, to))
                .select((
                    decisions::decided_day,
                    decisions::outcome,
                    decisions::band,
                    decisions::challenger,
                ))
                .load(conn)?)
        })
        .await?)
    }

    /// The champion and the challenger, if there is one.
    pub async fn active_rulesets(&self) -> Result<Vec<RulesetRow>, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(rulesets::table
                .filter(rulesets::status.eq_any(["champion", "challenger"]))
                .order(rulesets::version.desc())
                .load(conn)?)
        })
        .await?)
    }

    pub async fn decision(&self, application_id: &str) -> Result<Option<DecisionRow>, RiskError> {
        let id = application_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(decisions::table.find(id).first(conn).optional()?)
        })
        .await?)
    }

    /// Counts the application once (asked again, it is not counted twice), then what its device,
    /// IP and ID number have done.
    pub async fn count_velocity(&self, row: VelocityRow) -> Result<VelocityCounts, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            match diesel::insert_into(velocity::table).values(&row).execute(conn) {
                Err(e) if unique_violation(&e) => {}
                other => {
                    other?;
                }
            }
            let (day, week) = (row.at - DAY_MS, row.at - 7 * DAY_MS);
            let counts = VelocityCounts {
                device: (
                    count_since!(conn, velocity::device_hash, &row.device_hash, day),
                    count_since!(conn, velocity::device_hash, &row.device_hash, week),
                ),
                ip: (
                    count_since!(conn, velocity::ip_hash, &row.ip_hash, day),
                    count_since!(conn, velocity::ip_hash, &row.ip_hash, week),
                ),
                id_number: (
                    count_since!(conn, velocity::id_hash, &row.id_hash, day),
                    count_since!(conn, velocity::id_hash, &row.id_hash, week),
                ),
                users_per_device30d: if row.device_hash.is_empty() {
                    0
                } else {
                    velocity::table
                        .filter(velocity::device_hash.eq(&row.device_hash))
                        .filter(velocity::at.ge(row.at - 30 * DAY_MS))
                        .select(velocity::user_id)
                        .distinct()
                        .load::<String>(conn)?
                        .len() as i64
                },
            };
            Ok(counts)
        })
        .await?)
    }

    /// Stores the decision with its evidence record in one transaction; when another replica
    /// stored one first, that one (a decision is made once).
    pub async fn insert_decision(&self, row: DecisionRow, record: Record) -> Result<DecisionRow, RiskError> {
        Ok(db::run(&self.pool, move |conn| {
            let inserted = conn.transaction(|conn: &mut DbConn| {
                if let Some(existing) = decisions::table
                    .find(&row.application_id)
                    .first::<DecisionRow>(conn)
                    .optional()?
                {
                    return Ok(existing);
                }
                diesel::insert_into(decisions::table).values(&row).execute(conn)?;
                evidence::append(conn, vec![record])?;
                Ok::<_, DieselError>(row.clone())
            });
            match inserted {
                Err(e) if unique_violation(&e) => {
                    Ok(decisions::table.find(&row.application_id).first(conn)?)
                }
                other => Ok(other?),
            }
        })
        .await?)
    }
}
