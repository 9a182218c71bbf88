//! The plan an approved application makes: its accepted terms, its prices as applied, the
//! periods to store from a release date, and a period as the wire shows it.

use cashloan_proto::loan::v1 as pb;
use cashloan_proto::product::v1::ProductInfo;
use cashloan_runtime::money::format_amount;
use chrono::NaiveDate;

use crate::error::LoanError;
use crate::loan::{quote, schedule, stored, terms};
use crate::store::{new_id, ApplicationRow, PeriodRow};

/// The terms an application was approved on (the applied ones before its review).
pub fn approved_terms(app: &ApplicationRow) -> Result<terms::AcceptedTerms, LoanError> {
    Ok(terms::AcceptedTerms {
        amount_fen: app.reply_amount_fen.unwrap_or(app.amount_fen),
        rate_ppm: app.rate_ppm,
        term_unit: stored::term_unit(app.auth_term_unit.unwrap_or(app.term_unit))?,
        term_count: app.auth_term_count.unwrap_or(app.term_count) as u32,
        repay_term_unit: stored::term_unit(app.repay_term_unit)?,
        repay_term_count: app.repay_term_count as u32,
        repay_type: stored::repay_type(app.repay_type)?,
    })
}

/// The prices an application was made with, as the product stood then.
pub fn priced_as_applied(app: &ApplicationRow) -> ProductInfo {
    ProductInfo {
        name: app.product_name.clone(),
        fee_rate: app.fee_rate_ppm,
        penalty_rate: app.penalty_rate_ppm,
        ..Default::default()
    }
}

/// The repayment plan of an approved application starting on `release`, as rows to store.
pub fn plan_rows(app: &ApplicationRow, release: NaiveDate) -> Result<Vec<PeriodRow>, LoanError> {
    let accepted = approved_terms(app)?;
    let plan = schedule::build(&quote::loan_terms(&priced_as_applied(app), &accepted, release));
    plan.periods
        .iter()
        .map(|p| {
            Ok(PeriodRow {
                id: new_id(),
                application_id: app.id.clone(),
                user_id: app.user_id.clone(),
                period_num: p.num as i32,
                due_date: p.due_date.to_string(),
                principal_fen: stored::fen(p.principal)?,
                interest_fen: stored::fen(p.interest)?,
                fee_fen: stored::fen(p.fee)?,
                status: stored::UNPAID,
                paid_at: None,
                paid_date: None,
                paid_principal_fen: None,
                paid_interest_fen: None,
                paid_fee_fen: None,
                paid_penalty_fen: None,
                repayment_id: None,
                reminder_sent: false,
                overdue_sent: false,
                waived_penalty_days: 0,
            })
        })
        .collect()
}

pub fn period_proto(p: &PeriodRow, reserved: bool) -> Result<pb::PlanPeriod, LoanError> {
    Ok(pb::PlanPeriod {
        id: p.id.clone(),
        period_num: p.period_num as u32,
        due_at: stored::due_at_ms(&p.due_date)?,
        due_principal: format_amount(p.principal_fen),
        due_interest: format_amount(p.interest_fen),
        fee: format_amount(p.fee_fen),
        due_amount: format_amount(p.principal_fen + p.interest_fen + p.fee_fen),
        application_id: p.application_id.clone(),
        repay_status: stored::shown_status(p.status, reserved)?.into(),
    })
}
