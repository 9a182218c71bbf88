//! Repayment (API.md §6.4, #36), the repayment list (#26) and the user centre (#27).
//!
//! Exactly once: the periods a repayment pays are claimed by `UPDATE … WHERE status = 0` inside the
//! transaction that records the repayment and calls the channel. A second or concurrent call
//! finds them claimed (PostgreSQL makes it wait on the row lock first; SQLite has one writer) and
//! charges nothing; a declined deduction rolls everything back.

use cashloan_proto::auth::v1::UserRef;
use cashloan_proto::loan::v1 as pb;
use cashloan_proto::loan::v1::PeriodStatus;
use cashloan_proto::message::v1::LoanEventKind;
use cashloan_runtime::money::format_amount;

use crate::charges::{self, Charge, PlanPeriod};
use crate::error::LoanError;
use crate::lifecycle::{transition, Action, Status};
use crate::store::{PeriodRow, RepaymentRecord, RepaymentRow};
use crate::stored;
use crate::LoanCore;

fn plan_period(p: &PeriodRow) -> Result<PlanPeriod, LoanError> {
    Ok(PlanPeriod {
        period_num: p.period_num,
        due_date: stored::due_date(&p.due_date)?,
        principal_fen: p.principal_fen,
        interest_fen: p.interest_fen,
        fee_fen: p.fee_fen,
        paid: stored::period_status(p.status)? == PeriodStatus::Paid,
    })
}

impl LoanCore {
    pub async fn repay(&self, r: &pb::RepayRequest) -> Result<(), LoanError> {
        let period = self
            .store
            .period(&r.user_id, &r.period_id)
            .await?
            .ok_or(LoanError::RepaymentNotFound)?;
        if stored::period_status(period.status)? == PeriodStatus::Paid {
            return Err(LoanError::AlreadyPaid);
        }
        let app = self
            .store
            .application(&period.application_id)
            .await?
            .ok_or(LoanError::RepaymentNotFound)?;
        let periods = self.store.periods_of(&app.id).await?;
        // Read again with the whole plan: a concurrent call may have paid it meanwhile.
        let plan: Vec<PlanPeriod> = periods.iter().map(plan_period).collect::<Result<_, _>>()?;
        if plan.iter().any(|p| p.period_num == period.period_num && p.paid) {
            return Err(LoanError::AlreadyPaid);
        }
        let today = self.clock.today();
        let kind = r.kind();
        let charged: Vec<(i32, Charge)> = match kind {
            pb::RepayKind::Current => {
                let earliest = plan.iter().find(|p| !p.paid).map(|p| p.period_num);
                if earliest != Some(period.period_num) {
                    return Err(LoanError::EarlierPeriodUnpaid);
                }
                vec![(
                    period.period_num,
                    charges::current(&plan_period(&period)?, app.penalty_rate_ppm, today),
                )]
            }
            pb::RepayKind::All => charges::pay_off(&plan, app.penalty_rate_ppm, today),
            pb::RepayKind::Unspecified => return Err(LoanError::InvalidField("repayType")),
        };
        let kind_name = if kind == pb::RepayKind::All {
            "all"
        } else {
            "current"
        };
        let pay_off = Status::from_code(app.status)
            .and_then(|from| transition(from, Action::PayOff))
            .ok_or(LoanError::IllegalTransition)?;
        if charged.is_empty() {
            return Err(LoanError::AlreadyPaid);
        }
        let card = self
            .auth
            .clone()
            .get_verified_identity(UserRef {
                user_id: r.user_id.clone(),
            })
            .await
            .map_err(|s| LoanError::Downstream(s.message().to_owned()))?
            .into_inner()
            .bank_card_no;
        let by_num = |num: i32| {
            periods
                .iter()
                .find(|p| p.period_num == num)
                .map(|p| p.id.clone())
                .unwrap_or_default()
        };
        let claims = charged
            .iter()
            .map(|(num, charge)| (by_num(*num), charge.clone()))
            .collect();
        let total = charges::sum(&charged).total();
        let now = self.clock.now_ms();
        let event = crate::store::OutboxEvent::new(
            LoanEventKind::Repaid,
            &r.user_id,
            &app.mobile,
            &app.product_name,
            &app.code,
            format_amount(total),
            now,
        );
        let record = RepaymentRecord {
            application_id: app.id.clone(),
            user_id: r.user_id.clone(),
            kind: kind_name,
            pay_off,
            claims,
            paid_at: now,
            paid_date: today.to_string(),
            event,
        };
        self.store
            .record_repayment(record, self.channel.clone(), card)
            .await?;
        tracing::info!(application = %app.code, kind = kind_name, amount = %format_amount(total), "repaid");
        let metrics = cashloan_runtime::metrics::global();
        let kind = [("kind", kind_name)];
        metrics.count("cashloan_repayments_total", "Repayments by kind.", &kind, 1);
        metrics.count(
            "cashloan_repaid_fen_total",
            "Money repaid, fen, by kind.",
            &kind,
            total as u64,
        );
        Ok(())
    }

    pub async fn repayments(&self, r: &pb::ListRepaymentsRequest) -> Result<pb::RepaymentPage, LoanError> {
        let bounds = crate::applications::page(r.page.as_ref());
        let today = self.clock.today();
        let (rows, total) = self
            .store
            .repayment_list(&r.user_id, r.condition(), today, bounds)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for RepaymentRow {
            period: p,
            product_name,
            code,
            amount_fen,
            penalty_rate_ppm,
        } in rows
        {
            let status = stored::period_status(p.status)?;
            let paid = status == PeriodStatus::Paid;
            let penalty = if paid {
                p.paid_penalty_fen
                    .ok_or(LoanError::Corrupt("paid period without its penalty"))?
            } else {
                charges::penalty_fen(&plan_period(&p)?, penalty_rate_ppm, today)
            };
            let due_total = p.principal_fen + p.interest_fen + p.fee_fen + penalty;
            items.push(pb::RepaymentItem {
                id: p.id.clone(),
                product_name,
                code,
                period_num: p.period_num as u32,
                due_repay_date: format!("{} 23:59:59", p.due_date),
                repay_status: status.into(),
                apply_amount: format_amount(amount_fen),
                due_principal: format_amount(p.principal_fen),
                due_interest: format_amount(p.interest_fen),
                due_penalty: format_amount(penalty),
                due_fee_amount: format_amount(p.fee_fen),
                due_total_amount: format_amount(due_total),
                need_pay_total_amount: format_amount(if paid { 0 } else { due_total }),
            });
        }
        Ok(pb::RepaymentPage {
            items,
            total: total as u64,
        })
    }

    pub async fn user_center(&self, user_id: &str) -> Result<pb::UserCenterReply, LoanError> {
        let status = self
            .auth
            .clone()
            .get_authentication_status(UserRef {
                user_id: user_id.to_owned(),
            })
            .await
            .map_err(|s| LoanError::Downstream(s.message().to_owned()))?
            .into_inner();
        let verified = status.real_name_verified
            && status.bank_card_verified
            && status.customer_info_complete
            && status.mobile_verified;
        let (total, available) = if verified {
            self.credit(user_id).await?
        } else {
            (0, 0)
        };
        let today = self.clock.today();
        let mut owed = 0;
        for (p, penalty_rate) in self.store.unpaid_periods(user_id).await? {
            owed += p.principal_fen
                + p.interest_fen
                + p.fee_fen
                + charges::penalty_fen(&plan_period(&p)?, penalty_rate, today);
        }
        Ok(pb::UserCenterReply {
            masked_real_name: status.masked_real_name,
            available_credit: format_amount(available),
            total_credit: format_amount(total),
            total_apply_amount: format_amount(self.store.disbursed_principal(user_id).await?),
            total_need_pay_amount: format_amount(owed),
        })
    }
}
