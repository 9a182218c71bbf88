//! Credit lines: per-user overrides of the default, and the principal still owed.

use cashloan_runtime::db;
use diesel::prelude::*;

use crate::error::LoanError;
use crate::schema::{credit_lines, repayment_periods};
use crate::store::Store;

impl Store {
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
}
