//! Repayment (API.md §6.4, #36), the repayment list (#26) and the user centre (#27).
//!
//! Exactly once: a repayment is a payment order that reserves its periods (a unique key per
//! period) in the transaction that writes it; a second or concurrent call meets the reservation
//! (20006006) or finds the periods paid (20006002) and charges nothing. A declined order frees
//! them.

use cashloan_proto::auth::v1::UserRef;
use cashloan_proto::loan::v1 as pb;
use cashloan_proto::loan::v1::PeriodStatus;
use cashloan_runtime::money::format_amount;

use crate::error::LoanError;
use crate::loan::charges::{self, Charge, PlanPeriod};
use crate::loan::lifecycle::{transition, Action, Status};
use crate::loan::stored;
use crate::payments::order::{OrderKind, OrderStatus};
use crate::payments::CARD_INVALID;
use crate::store::{NewOrder, OrderRow, PeriodRow, RepaymentRow};
use crate::LoanCore;

pub(crate) fn plan_period(p: &PeriodRow) -> Result<PlanPeriod, LoanError> {
    Ok(PlanPeriod {
        period_num: p.period_num,
        due_date: stored::due_date(&p.due_date)?,
        principal_fen: p.principal_fen,
        interest_fen: p.interest_fen,
        fee_fen: p.fee_fen,
        paid: stored::period_status(p.status)? == PeriodStatus::Paid,
        waived_days: p.waived_penalty_days.into(),
    })
}

impl LoanCore {
    /// A repayment is a payment order (PAYMENTS.md): its periods are reserved and the order
    /// committed before the channel is called; the answer waits for the outcome up to
    /// `REPAY_WAIT_MS`.
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
        if app.frozen {
            // Its payout came back: nothing is owed until an operator resolves it.
            return Err(LoanError::IllegalTransition);
        }
        let periods = self.store.periods_of(&app.id).await?;
        // Read again with the whole plan: a concurrent call may have paid it meanwhile.
        let plan: Vec<PlanPeriod> = periods.iter().map(plan_period).collect::<Result<_, _>>()?;
        if plan.iter().any(|p| p.period_num == period.period_num && p.paid) {
            return Err(LoanError::AlreadyPaid);
        }
        let reserved = self
            .store
            .reserved(periods.iter().map(|p| p.id.clone()).collect())
            .await?;
        if reserved.contains(&period.id) {
            return Err(LoanError::RepayInProgress);
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
        if charged.is_empty() {
            return Err(LoanError::AlreadyPaid);
        }
        Status::from_code(app.status)
            .and_then(|from| transition(from, Action::PayOff))
            .ok_or(LoanError::IllegalTransition)?;
        let mut lines = Vec::with_capacity(charged.len());
        for (num, charge) in &charged {
            let id = periods
                .iter()
                .find(|p| p.period_num == *num)
                .map(|p| p.id.clone())
                .ok_or(LoanError::Corrupt("charged period not in the plan"))?;
            if reserved.contains(&id) {
                return Err(LoanError::RepayInProgress);
            }
            lines.push((id, charge.clone()));
        }
        let total = charges::sum(&charged);
        // A repayment never depends on the blacklist: the lender always takes money back.
        let card = self.card_snapshot(&r.user_id).await?;
        let row = OrderRow {
            amount_fen: total.total(),
            principal_fen: total.principal_fen,
            interest_fen: total.interest_fen,
            fee_fen: total.fee_fen,
            penalty_fen: total.penalty_fen,
            periods: charged
                .iter()
                .map(|(num, _)| num.to_string())
                .collect::<Vec<_>>()
                .join(","),
            repay_kind: if kind == pb::RepayKind::All {
                "all"
            } else {
                "current"
            }
            .to_owned(),
            ..self.payments.order_row(OrderKind::Repay, &app, &card)
        };
        let order = NewOrder {
            row,
            kind: OrderKind::Repay,
            day: today,
            reserve: lines.iter().map(|(id, _)| id.clone()).collect(),
            lines,
            application_in: None,
            order_in: None,
        };
        let order_no = self.store.create_order(order, LoanError::RepayInProgress).await?;
        let order = if card.card_no.is_empty() {
            self.payments.refuse(&order_no, CARD_INVALID).await?
        } else {
            self.payments.submit_and_wait(&order_no).await?
        };
        let status = order.status()?;
        tracing::info!(application = %app.code, order = %order_no, %status, amount = %format_amount(total.total()), "repayment");
        match status {
            OrderStatus::Succeeded => Ok(()),
            OrderStatus::Failed => Err(LoanError::DeductionFailed),
            _ => Err(LoanError::RepayPending),
        }
    }

    pub async fn repayments(&self, r: &pb::ListRepaymentsRequest) -> Result<pb::RepaymentPage, LoanError> {
        let bounds = crate::paging::page(r.page.as_ref());
        let today = self.clock.today();
        let (rows, total) = self
            .store
            .repayment_list(&r.user_id, r.condition(), today, bounds)
            .await?;
        let reserved = self
            .store
            .reserved(rows.iter().map(|r| r.period.id.clone()).collect())
            .await?;
        let links = self
            .contract_links(rows.iter().map(|r| r.period.application_id.clone()).collect())
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
            let status = stored::shown_status(p.status, reserved.contains(&p.id))?;
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
                // The agreement comes first.
                contract_token: links
                    .get(&p.application_id)
                    .and_then(|l| l.first())
                    .map(|l| l.token.clone())
                    .unwrap_or_default(),
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
        let (line, line_available) = self.credit(user_id).await?;
        let (total, available) = if verified { (line, line_available) } else { (0, 0) };
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
            credit_line: format_amount(line),
        })
    }
}
