//! 还款计划表 (API.md §6.6): issued when a payout succeeds, with the plan's actual dates, citing
//! the SHA-256 of the agreement in force; stored in the settlement's transaction like the plan.

use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::money::format_amount;
use chrono::NaiveDate;

use crate::contracts;
use crate::error::LoanError;
use crate::payments::Payments;
use crate::store::{ApplicationRow, DocumentToStore, PeriodRow};

fn schedule(periods: &[PeriodRow]) -> Vec<pb::SchedulePeriod> {
    periods
        .iter()
        .map(|p| pb::SchedulePeriod {
            period_num: p.period_num as u32,
            due_repay_date: p.due_date.clone(),
            due_principal: format_amount(p.principal_fen),
            due_interest: format_amount(p.interest_fen),
            fee: format_amount(p.fee_fen),
            due_amount: format_amount(p.principal_fen + p.interest_fen + p.fee_fen),
        })
        .collect()
}

impl Payments {
    pub(crate) async fn plan_document(
        &self,
        app: &ApplicationRow,
        release: NaiveDate,
        periods: &[PeriodRow],
    ) -> Result<DocumentToStore, LoanError> {
        // Loans made before contracts existed have none.
        let agreement = self
            .store
            .agreement_sha256(&app.id)
            .await?
            .unwrap_or_else(|| "（无）".to_owned());
        let total: i64 = periods
            .iter()
            .map(|p| p.principal_fen + p.interest_fen + p.fee_fen)
            .sum();
        let rows = schedule(periods);
        let facts = contracts::Facts::plan(
            &self.issuer.lender,
            &contracts::Plan {
                code: &app.code,
                agreement_sha256: &agreement,
                release_date: release,
                reply_amount: format_amount(app.reply_amount_fen.unwrap_or(app.amount_fen)),
                total_amount: format_amount(total),
                periods: &rows,
                today: self.clock.today(),
            },
        );
        let d = contracts::document(&contracts::PLAN, &facts)
            .map_err(|_| LoanError::Corrupt("the plan template did not render"))?;
        Ok(self.issuer.seal(d, &self.vault))
    }
}
