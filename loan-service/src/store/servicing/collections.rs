//! Overdue periods across all loans, and the collection notes on them.

use std::collections::HashMap;

use cashloan_runtime::db;
use diesel::prelude::*;

use crate::error::LoanError;
use crate::schema::{applications, collection_notes, repayment_periods};
use crate::store::{new_id, PeriodRow, Store};

/// An overdue period with what its loan's row adds: penalty rate, number, mobile, product.
pub type OverdueRow = (PeriodRow, i64, String, String, String);

impl Store {
    /// Unpaid periods due before `today` (`yyyy-MM-dd`), optionally of one mobile.
    pub async fn overdue_periods(
        &self,
        today: String,
        of_mobile: Option<Vec<String>>,
    ) -> Result<Vec<OverdueRow>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let mut q = repayment_periods::table
                .inner_join(applications::table.on(applications::id.eq(repayment_periods::application_id)))
                .filter(repayment_periods::status.eq(0))
                .filter(repayment_periods::due_date.lt(today))
                .into_boxed();
            if let Some(ids) = of_mobile {
                q = q.filter(applications::id.eq_any(ids));
            }
            Ok(q.select((
                repayment_periods::all_columns,
                applications::penalty_rate_ppm,
                applications::code,
                applications::mobile,
                applications::product_name,
            ))
            .load(conn)?)
        })
        .await?)
    }

    /// Every unpaid period of the applications, due or not.
    pub async fn unpaid_of(&self, ids: Vec<String>) -> Result<Vec<(PeriodRow, i64)>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(repayment_periods::table
                .inner_join(applications::table.on(applications::id.eq(repayment_periods::application_id)))
                .filter(repayment_periods::application_id.eq_any(ids))
                .filter(repayment_periods::status.eq(0))
                .select((repayment_periods::all_columns, applications::penalty_rate_ppm))
                .load(conn)?)
        })
        .await?)
    }

    pub async fn add_note(
        &self,
        application_id: &str,
        operator: &str,
        note: &str,
        at: i64,
    ) -> Result<(), LoanError> {
        let row = (
            collection_notes::id.eq(new_id()),
            collection_notes::application_id.eq(application_id.to_owned()),
            collection_notes::operator.eq(operator.to_owned()),
            collection_notes::note.eq(note.to_owned()),
            collection_notes::at.eq(at),
        );
        db::run(&self.pool, move |conn| {
            diesel::insert_into(collection_notes::table)
                .values(row)
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// The notes of the applications, newest first, by application.
    pub async fn notes(
        &self,
        ids: Vec<String>,
    ) -> Result<HashMap<String, Vec<(String, String, i64)>>, LoanError> {
        let rows: Vec<(String, String, String, i64)> = db::run(&self.pool, move |conn| {
            Ok(collection_notes::table
                .filter(collection_notes::application_id.eq_any(ids))
                .order(collection_notes::at.desc())
                .select((
                    collection_notes::application_id,
                    collection_notes::operator,
                    collection_notes::note,
                    collection_notes::at,
                ))
                .load(conn)?)
        })
        .await?;
        let mut by_application: HashMap<String, Vec<(String, String, i64)>> = HashMap::new();
        for (id, operator, note, at) in rows {
            by_application.entry(id).or_default().push((operator, note, at));
        }
        Ok(by_application)
    }
}
