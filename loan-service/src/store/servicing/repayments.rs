//! Repayments: the user's periods as the list shows them (a repayment itself is a payment
//! order, `store::payments`).

use cashloan_proto::loan::v1::ListCondition;
use cashloan_runtime::db;
use diesel::prelude::*;

use crate::error::LoanError;
use crate::schema::{applications, repayment_periods};
use crate::store::{PeriodRow, Store};

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
}
