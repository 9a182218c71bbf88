//! Writing a new order with its reservations (periods, the payout, a refund's resource) in one
//! transaction, and reading what is reserved.

use std::collections::HashSet;

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::*;
use crate::error::LoanError;
use crate::schema::{
    applications, payment_order_periods, payment_orders, payment_reservations, repayment_periods,
};
use crate::store::origination::applications::next_number;
use crate::store::{is_unique_violation, Store};

enum CreateError {
    Db(DieselError),
    /// Another order holds one of the resources.
    Reserved,
    AlreadyPaid,
    /// The application is no longer where the order needs it.
    Moved,
    /// Two first orders of a day met at the counter: take the next number.
    Retry,
}

impl From<DieselError> for CreateError {
    fn from(e: DieselError) -> Self {
        CreateError::Db(e)
    }
}

fn create(conn: &mut DbConn, order: &NewOrder) -> Result<String, CreateError> {
    conn.transaction(|conn| {
        if let Some((id, status)) = &order.application_in {
            let still = diesel::update(
                applications::table
                    .filter(applications::id.eq(id))
                    .filter(applications::status.eq(status)),
            )
            .set(applications::updated_at.eq(applications::updated_at))
            .execute(conn)?;
            if still != 1 {
                return Err(CreateError::Moved);
            }
        }
        if let Some((order_no, status)) = &order.order_in {
            let still = diesel::update(
                payment_orders::table
                    .filter(payment_orders::order_no.eq(order_no))
                    .filter(payment_orders::status.eq(status.name())),
            )
            .set(payment_orders::status.eq(payment_orders::status))
            .execute(conn)?;
            if still != 1 {
                return Err(CreateError::Moved);
            }
        }
        let prefix = format!("{}{}", order.kind.prefix(), order.day.format("%Y%m%d"));
        let seq = next_number(conn, &prefix, |_| Ok(0)).map_err(|e| {
            if is_unique_violation(&e) {
                CreateError::Retry
            } else {
                CreateError::Db(e)
            }
        })?;
        let order_no = crate::payments::order::order_no(order.kind, order.day, seq);
        let row = OrderRow {
            order_no: order_no.clone(),
            ..order.row.clone()
        };
        diesel::insert_into(payment_orders::table)
            .values(&row)
            .execute(conn)?;
        for (period_id, charge) in &order.lines {
            // An update, not a read: it locks the period, so an order settling it right now is
            // waited for and seen as paid (a read could see it unpaid and its reservation gone).
            let unpaid = diesel::update(
                repayment_periods::table
                    .filter(repayment_periods::id.eq(period_id))
                    .filter(repayment_periods::status.eq(crate::loan::stored::UNPAID)),
            )
            .set(repayment_periods::status.eq(repayment_periods::status))
            .execute(conn)?;
            if unpaid != 1 {
                return Err(CreateError::AlreadyPaid);
            }
            diesel::insert_into(payment_order_periods::table)
                .values((
                    payment_order_periods::order_no.eq(&order_no),
                    payment_order_periods::period_id.eq(period_id),
                    payment_order_periods::principal_fen.eq(charge.principal_fen),
                    payment_order_periods::interest_fen.eq(charge.interest_fen),
                    payment_order_periods::fee_fen.eq(charge.fee_fen),
                    payment_order_periods::penalty_fen.eq(charge.penalty_fen),
                ))
                .execute(conn)?;
        }
        for resource in &order.reserve {
            if !reserve(conn, resource, &order_no)? {
                return Err(CreateError::Reserved);
            }
        }
        Ok(order_no)
    })
}

/// Reserves `resource` for `order_no`; false when another order holds it. After false the
/// transaction is spoiled on PostgreSQL: the caller rolls it back.
pub(in crate::store) fn reserve(conn: &mut DbConn, resource: &str, order_no: &str) -> QueryResult<bool> {
    let inserted = diesel::insert_into(payment_reservations::table)
        .values((
            payment_reservations::resource.eq(resource),
            payment_reservations::order_no.eq(order_no),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Frees what the order held.
pub(in crate::store) fn release(conn: &mut DbConn, order_no: &str) -> QueryResult<()> {
    diesel::delete(payment_reservations::table.filter(payment_reservations::order_no.eq(order_no)))
        .execute(conn)?;
    Ok(())
}

pub(super) fn reserve_quietly(conn: &mut DbConn, resource: &str, order_no: &str) -> QueryResult<()> {
    let held: i64 = payment_reservations::table
        .filter(payment_reservations::resource.eq(resource))
        .count()
        .get_result(conn)?;
    if held == 0 {
        diesel::insert_into(payment_reservations::table)
            .values((
                payment_reservations::resource.eq(resource),
                payment_reservations::order_no.eq(order_no),
            ))
            .execute(conn)?;
    }
    Ok(())
}

impl Store {
    /// Writes an order and its reservations; a held period is `in_progress` (20006006 /
    /// 20008003), a period paid meanwhile `AlreadyPaid`.
    pub async fn create_order(&self, order: NewOrder, in_progress: LoanError) -> Result<String, LoanError> {
        let order = std::sync::Arc::new(order);
        for _ in 0..8 {
            let attempt = order.clone();
            let result = db::run(&self.pool, move |conn| Ok(create(conn, &attempt))).await?;
            match result {
                Ok(order_no) => return Ok(order_no),
                Err(CreateError::Retry) => continue,
                Err(CreateError::Reserved) => return Err(in_progress),
                Err(CreateError::AlreadyPaid) => return Err(LoanError::AlreadyPaid),
                Err(CreateError::Moved) => return Err(LoanError::IllegalTransition),
                Err(CreateError::Db(e)) => return Err(db::DbError::Query(e).into()),
            }
        }
        Err(LoanError::Downstream("order numbers contended".into()))
    }

    /// Which of these resources an order holds.
    pub async fn reserved(&self, resources: Vec<String>) -> Result<HashSet<String>, LoanError> {
        if resources.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(db::run(&self.pool, move |conn| {
            let held: Vec<String> = payment_reservations::table
                .filter(payment_reservations::resource.eq_any(resources))
                .select(payment_reservations::resource)
                .load(conn)?;
            Ok(held.into_iter().collect())
        })
        .await?)
    }
}
