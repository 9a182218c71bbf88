//! What a settled order does to the loan: periods paid, or the plan started at payout.

use cashloan_runtime::clock::date_cst;
use cashloan_runtime::db::DbConn;
use diesel::prelude::*;

use super::*;
use crate::ledger::Entry;
use crate::loan::lifecycle::Move;
use crate::schema::{
    application_history, applications, payment_order_periods, repayment_periods, repayments,
};
use crate::store::ledger::post;
use crate::store::origination::applications::history;
use crate::store::PeriodRow;

/// Pays a succeeded repay order's periods as it charged them, books `entry`, and closes the loan
/// when nothing is left unpaid.
pub(in crate::store) fn pay_periods(
    conn: &mut DbConn,
    order: &OrderRow,
    pay_off: Move,
    at: i64,
    entry: &Entry,
) -> QueryResult<()> {
    let lines: Vec<(String, i64, i64, i64, i64)> = payment_order_periods::table
        .filter(payment_order_periods::order_no.eq(&order.order_no))
        .select((
            payment_order_periods::period_id,
            payment_order_periods::principal_fen,
            payment_order_periods::interest_fen,
            payment_order_periods::fee_fen,
            payment_order_periods::penalty_fen,
        ))
        .load(conn)?;
    // "Paid early" is judged by the day the order was created, as its charge was.
    let paid_date = date_cst(order.created_at);
    for (period_id, principal, interest, fee, penalty) in lines {
        let paid = diesel::update(
            repayment_periods::table
                .filter(repayment_periods::id.eq(&period_id))
                .filter(repayment_periods::status.eq(crate::loan::stored::UNPAID)),
        )
        .set((
            repayment_periods::status.eq(crate::loan::stored::PAID),
            repayment_periods::paid_at.eq(Some(at)),
            repayment_periods::paid_date.eq(Some(paid_date.clone())),
            repayment_periods::paid_principal_fen.eq(Some(principal)),
            repayment_periods::paid_interest_fen.eq(Some(interest)),
            repayment_periods::paid_fee_fen.eq(Some(fee)),
            repayment_periods::paid_penalty_fen.eq(Some(penalty)),
            repayment_periods::repayment_id.eq(Some(order.order_no.clone())),
        ))
        .execute(conn)?;
        if paid != 1 {
            // The reservation makes this impossible; if it happens, nothing is applied and the
            // order stays open for recovery and an operator.
            return Err(corrupt("reserved period already paid"));
        }
    }
    let charge = order.charge();
    diesel::insert_into(repayments::table)
        .values((
            repayments::id.eq(&order.order_no),
            repayments::application_id.eq(&order.application_id),
            repayments::user_id.eq(&order.user_id),
            repayments::kind.eq(&order.repay_kind),
            repayments::principal_fen.eq(charge.principal_fen),
            repayments::interest_fen.eq(charge.interest_fen),
            repayments::fee_fen.eq(charge.fee_fen),
            repayments::penalty_fen.eq(charge.penalty_fen),
            repayments::total_fen.eq(charge.total()),
            repayments::channel_reference.eq(order.channel_order_no.clone().unwrap_or_default()),
            repayments::created_at.eq(at),
        ))
        .execute(conn)?;
    post(conn, entry, "还款", at, &date_cst(at))?;
    let unpaid: i64 = repayment_periods::table
        .filter(repayment_periods::application_id.eq(&order.application_id))
        .filter(repayment_periods::status.eq(crate::loan::stored::UNPAID))
        .count()
        .get_result(conn)?;
    if unpaid == 0 {
        let closed = diesel::update(
            applications::table
                .filter(applications::id.eq(&order.application_id))
                .filter(applications::status.eq(pay_off.from().code())),
        )
        .set((
            applications::status.eq(pay_off.to().code()),
            applications::open_slot.eq(None::<String>),
            applications::updated_at.eq(at),
        ))
        .execute(conn)?;
        if closed == 1 {
            let entry = history(
                &order.application_id,
                Some(pay_off.from().code()),
                pay_off.to().code(),
                &order.user_id,
                "paid off",
                at,
            );
            diesel::insert_into(application_history::table)
                .values(entry)
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A succeeded payout: the application moves by the step, its plan (from the release date) is
/// written and `entry` booked.
pub(in crate::store) fn start_plan(
    conn: &mut DbConn,
    order: &OrderRow,
    (step, release_date, periods): (Move, &str, &[PeriodRow]),
    at: i64,
    entry: &Entry,
) -> QueryResult<()> {
    let moved = diesel::update(
        applications::table
            .filter(applications::id.eq(&order.application_id))
            .filter(applications::status.eq(step.from().code())),
    )
    .set((
        applications::status.eq(step.to().code()),
        applications::release_date.eq(Some(release_date)),
        applications::released_at.eq(Some(at)),
        applications::updated_at.eq(at),
    ))
    .execute(conn)?;
    if moved != 1 {
        return Err(corrupt("paid-out application not approved"));
    }
    // One by one: multi-row inserts are not in the common subset of the two backends.
    for period in periods {
        diesel::insert_into(repayment_periods::table)
            .values(period)
            .execute(conn)?;
    }
    let moved = history(
        &order.application_id,
        Some(step.from().code()),
        step.to().code(),
        "admin",
        "disbursed",
        at,
    );
    diesel::insert_into(application_history::table)
        .values(moved)
        .execute(conn)?;
    post(conn, entry, "放款", at, &date_cst(at))?;
    Ok(())
}
