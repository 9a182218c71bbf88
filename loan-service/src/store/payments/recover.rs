//! The recovery job's claim of due orders: each open order claimed by one job at a time.

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;

use super::*;
use crate::error::LoanError;
use crate::payments::order::OPEN;
use crate::schema::payment_orders;
use crate::store::Store;

/// Claims up to `limit` orders due for recovery: their next check moves to `next(attempts)` from
/// now, so no other replica takes them meanwhile. On PostgreSQL the rows are locked `FOR UPDATE
/// SKIP LOCKED`, so replicas claiming at once take different orders; SQLite has one writer.
fn claim(conn: &mut DbConn, now: i64, limit: i64, next: &dyn Fn(i32) -> i64) -> QueryResult<Vec<OrderRow>> {
    conn.transaction(|conn| {
        let open: Vec<&str> = OPEN.iter().map(|s| s.name()).collect();
        let due = payment_orders::table
            .filter(payment_orders::status.eq_any(open))
            .filter(payment_orders::next_check_at.le(now))
            .order(payment_orders::next_check_at.asc())
            .limit(limit);
        let orders: Vec<OrderRow> = match conn {
            DbConn::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(lite) => due.load(lite)?,
        };
        for order in &orders {
            diesel::update(payment_orders::table.find(&order.order_no))
                .set((
                    payment_orders::attempts.eq(order.attempts + 1),
                    payment_orders::next_check_at.eq(now + next(order.attempts)),
                ))
                .execute(conn)?;
        }
        Ok(orders)
    })
}

impl Store {
    /// The orders this replica now owns for recovery (see `claim`).
    pub async fn claim_due_orders(
        &self,
        now: i64,
        limit: i64,
        next: impl Fn(i32) -> i64 + Send + 'static,
    ) -> Result<Vec<OrderRow>, LoanError> {
        Ok(db::run(&self.pool, move |conn| Ok(claim(conn, now, limit, &next)?)).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::store::with_each_database;

    fn order(n: usize, status: OrderStatus) -> OrderRow {
        OrderRow {
            order_no: format!("RO20261201{n:06}"),
            kind: "repay".into(),
            application_id: "a".into(),
            user_id: "u".into(),
            status: status.name().into(),
            amount_fen: 100,
            principal_fen: 100,
            interest_fen: 0,
            fee_fen: 0,
            penalty_fen: 0,
            periods: "1".into(),
            repay_kind: "current".into(),
            card: String::new(),
            release_date: None,
            channel_order_no: None,
            reason: None,
            customer_waiting: false,
            created_at: 0,
            submitted_at: None,
            settled_at: None,
            finished_at: None,
            attempts: 0,
            next_check_at: n as i64,
            refund_of: None,
        }
    }

    #[test]
    fn concurrent_recovery_jobs_claim_each_open_order_once() {
        with_each_database("payment_claim", |pool| {
            let mut conn = pool.get().unwrap();
            let open = OPEN;
            for n in 0..240 {
                let status = if n % 4 == 3 {
                    OrderStatus::Succeeded
                } else {
                    open[n % 3]
                };
                diesel::insert_into(payment_orders::table)
                    .values(order(n, status))
                    .execute(&mut **conn)
                    .unwrap();
            }
            drop(conn);
            let now = 1_000;
            let later = |attempts: i32| 60_000 + i64::from(attempts);
            let claimed: Vec<String> = std::thread::scope(|scope| {
                let jobs: Vec<_> = (0..4)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let batch = claim(&mut pool.get().unwrap(), now, 25, &later).unwrap();
                                if batch.is_empty() {
                                    return mine;
                                }
                                mine.extend(batch.into_iter().map(|o| o.order_no));
                            }
                        })
                    })
                    .collect();
                jobs.into_iter().flat_map(|j| j.join().unwrap()).collect()
            });
            let distinct: HashSet<&String> = claimed.iter().collect();
            assert_eq!(claimed.len(), 180, "every open order, no settled one");
            assert_eq!(distinct.len(), 180, "none twice");
            // Claimed orders wait for their next check.
            assert!(claim(&mut pool.get().unwrap(), now + 59_000, 25, &later)
                .unwrap()
                .is_empty());
            let again = claim(&mut pool.get().unwrap(), now + 60_000, 500, &later).unwrap();
            assert_eq!(again.len(), 180);
            assert!(again.iter().all(|o| o.attempts == 1), "the attempt was counted");
        });
    }
}
