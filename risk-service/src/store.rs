//! risk-service's queries: rulesets, decisions (appended with their evidence, never changed),
//! velocity counts.

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
}

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
