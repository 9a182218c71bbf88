//! Repayments: the user's periods as the list shows them, and the exactly-once repayment.

use cashloan_proto::loan::v1::ListCondition;
use cashloan_runtime::db::{self, DbError};
use diesel::prelude::*;
use tracing::Instrument;

use super::applications::history;
use super::ledger::post;
use super::OutboxEvent;
use super::{new_id, payment_span, PeriodRow, Store, TxError};
use crate::channel::{ChannelError, PaymentChannel};
use crate::charges::Charge;
use crate::error::LoanError;
use crate::ledger::Entry;
use crate::lifecycle::Move;
use crate::schema::{application_history, applications, outbox, repayment_periods, repayments};

/// A period with what the repayment list shows of its loan, read in the same query.
pub struct RepaymentRow {
    pub period: PeriodRow,
    pub product_name: String,
    pub code: String,
    pub amount_fen: i64,
    pub penalty_rate_ppm: i64,
}

impl Store {
    /// A page of the user's periods across loans by due date then period, as API.md §6.4's
    /// condition selects them.
    pub async fn repayment_list(
        &self,
        user_id: &str,
        condition: ListCondition,
        today: chrono::NaiveDate,
        page: (i64, i64),
    ) -> Result<(Vec<RepaymentRow>, i64), LoanError> {
        let (user_id, today) = (user_id.to_owned(), today.to_string());
        Ok(db::run(&self.pool, move |conn| {
            let filtered = || {
                let q = repayment_periods::table
                    .inner_join(
                        applications::table.on(applications::id.eq(repayment_periods::application_id)),
                    )
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
            let rows: Vec<(PeriodRow, String, String, i64, i64)> = filtered()
                .order((
                    repayment_periods::due_date.asc(),
                    repayment_periods::period_num.asc(),
                    repayment_periods::id.asc(),
                ))
                .offset(page.0)
                .limit(page.1)
                .select((
                    repayment_periods::all_columns,
                    applications::product_name,
                    applications::code,
                    applications::amount_fen,
                    applications::penalty_rate_ppm,
                ))
                .load(conn)?;
            let rows = rows
                .into_iter()
                .map(
                    |(period, product_name, code, amount_fen, penalty_rate_ppm)| RepaymentRow {
                        period,
                        product_name,
                        code,
                        amount_fen,
                        penalty_rate_ppm,
                    },
                )
                .collect();
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
                        repayments::id.eq(repayment_id.clone()),
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
                post(
                    conn,
                    &Entry::repayment(&repayment_id, &total),
                    "还款",
                    record.paid_at,
                    &record.paid_date,
                )?;
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
