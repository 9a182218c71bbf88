//! Reading orders, the day's finished orders, reconciliation runs and mismatches.

use cashloan_runtime::db::{self};
use diesel::prelude::*;

use super::*;
use crate::error::LoanError;
use crate::schema::{applications, payment_mismatches, payment_orders, reconciliations};
use crate::store::Store;

impl Store {
    pub async fn order(&self, order_no: &str) -> Result<Option<OrderRow>, LoanError> {
        let order_no = order_no.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(payment_orders::table.find(order_no).first(conn).optional()?)
        })
        .await?)
    }

    /// A page of the orders the filter selects, newest first.
    pub async fn orders(
        &self,
        filter: OrderFilter,
        page: (i64, i64),
    ) -> Result<(Vec<OrderRow>, i64), LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let mut q = payment_orders::table
                    .inner_join(applications::table.on(applications::id.eq(payment_orders::application_id)))
                    .into_boxed();
                if let Some(kind) = &filter.kind {
                    q = q.filter(payment_orders::kind.eq(kind.clone()));
                }
                if let Some(status) = &filter.status {
                    q = q.filter(payment_orders::status.eq(status.clone()));
                }
                if let Some(ids) = &filter.of_mobile {
                    q = q.filter(payment_orders::application_id.eq_any(ids.clone()));
                }
                if let Some(id) = &filter.application_id {
                    q = q.filter(payment_orders::application_id.eq(id.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((payment_orders::created_at.desc(), payment_orders::order_no.desc()))
                .offset(page.0)
                .limit(page.1)
                .select(payment_orders::all_columns)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }

    /// Orders the channel finished as succeeded (or later returned) on `day` (yyyy-MM-dd, UTC+8).
    pub async fn orders_finished_on(&self, day: &str) -> Result<Vec<OrderRow>, LoanError> {
        let prefix = format!("{day}%");
        Ok(db::run(&self.pool, move |conn| {
            Ok(payment_orders::table
                .filter(payment_orders::status.eq_any(["succeeded", "returned"]))
                .filter(payment_orders::finished_at.like(prefix))
                .load(conn)?)
        })
        .await?)
    }

    pub async fn reconciled(&self, day: &str) -> Result<bool, LoanError> {
        let day = day.to_owned();
        let count: i64 = db::run(&self.pool, move |conn| {
            Ok(reconciliations::table.find(day).count().get_result(conn)?)
        })
        .await?;
        Ok(count > 0)
    }

    pub async fn record_reconciliation(
        &self,
        day: &str,
        matched: i32,
        mismatched: i32,
        at: i64,
    ) -> Result<(), LoanError> {
        let day = day.to_owned();
        db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                diesel::delete(reconciliations::table.find(&day)).execute(conn)?;
                diesel::insert_into(reconciliations::table)
                    .values((
                        reconciliations::day.eq(&day),
                        reconciliations::matched.eq(matched),
                        reconciliations::mismatched.eq(mismatched),
                        reconciliations::ran_at.eq(at),
                    ))
                    .execute(conn)
            })?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// A page of mismatches (of one day, or all), newest first.
    pub async fn mismatches(
        &self,
        day: Option<String>,
        page: (i64, i64),
    ) -> Result<(Vec<MismatchRow>, i64), LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let mut q = payment_mismatches::table.into_boxed();
                if let Some(day) = &day {
                    q = q.filter(payment_mismatches::day.eq(day.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((
                    payment_mismatches::created_at.desc(),
                    payment_mismatches::id.asc(),
                ))
                .offset(page.0)
                .limit(page.1)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?)
    }
}
