//! Disbursement: the payout order for an approved application, handed to payments.

use cashloan_proto::loan::v1 as pb;
use chrono::NaiveDate;

use crate::error::LoanError;
use crate::loan::lifecycle::{transition, Action, Status};
use crate::loan::plan::plan_rows;
use crate::origination::applications::count_transition;
use crate::payments::order::{OrderKind, OrderStatus};
use crate::payments::{CARD_INVALID, NOT_ELIGIBLE};
use crate::store::{payout_resource, NewOrder, OrderRow};
use crate::LoanCore;

impl LoanCore {
    /// Starts a payout order for the approved amount to the customer's verified card and waits
    /// for it like a repayment; the application moves to 4 (with its plan) when the payout
    /// succeeds, whenever that is. Returns the order's number.
    pub async fn disburse(&self, r: &pb::DisburseRequest) -> Result<String, LoanError> {
        let app = self
            .store
            .application(&r.application_id)
            .await?
            .ok_or(LoanError::ApplicationNotFound)?;
        let from = Status::from_code(app.status).ok_or(LoanError::IllegalTransition)?;
        transition(from, Action::Disburse).ok_or(LoanError::IllegalTransition)?;
        // Maker-checker: a person's approval is checked by another person's payout. The bearer
        // token is no person (automation and emergencies; audited).
        let people: Vec<&str> = [r.operator.as_str(), r.checker.as_str()]
            .into_iter()
            .filter(|who| !matches!(*who, "" | "token"))
            .collect();
        if !people.is_empty() {
            let approver = self.store.approver(&app.id).await?;
            if people.iter().any(|who| approver.as_deref() == Some(*who)) {
                return Err(LoanError::SameOperator);
            }
        }
        self.start_payout(app, &r.release_date).await
    }

    /// The payout of an approved application, by whoever may start it (an operator checked
    /// above, or the rules' automatic payout).
    pub(crate) async fn start_payout(
        &self,
        app: crate::store::ApplicationRow,
        release_date: &str,
    ) -> Result<String, LoanError> {
        let from = Status::from_code(app.status).ok_or(LoanError::IllegalTransition)?;
        transition(from, Action::Disburse).ok_or(LoanError::IllegalTransition)?;
        // Pending only from the approval until confirmed, so no payout starts on terms not agreed.
        if self.store.confirmation_pending(&app.id).await? {
            return Err(LoanError::TermsUnconfirmed);
        }
        let today = self.clock.today();
        let release = match release_date {
            "" => None,
            text => Some(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()
                    .filter(|d| *d <= today)
                    .ok_or(LoanError::InvalidField("releaseDate"))?,
            ),
        };
        // The plan must be buildable before money moves.
        plan_rows(&app, release.unwrap_or(today))?;
        let principal = app.reply_amount_fen.unwrap_or(app.amount_fen);
        let resource = payout_resource(&app.id);
        if !self.store.reserved(vec![resource.clone()]).await?.is_empty() {
            return Err(LoanError::PayoutInProgress);
        }
        let card = self.card_snapshot(&app.user_id).await?;
        let blacklisted = self.blacklisted(&app.user_id).await?;
        let row = OrderRow {
            amount_fen: principal,
            principal_fen: principal,
            release_date: release.map(|d| d.to_string()),
            ..self.payments.order_row(OrderKind::Payout, &app, &card)
        };
        let order = NewOrder {
            row,
            kind: OrderKind::Payout,
            day: today,
            lines: Vec::new(),
            reserve: vec![resource],
            application_in: Some((app.id.clone(), app.status)),
            order_in: None,
        };
        let order_no = self
            .store
            .create_order(order, LoanError::PayoutInProgress)
            .await?;
        // Checked again before the first submit (PAYMENTS.md): no money to a lost card or a
        // blacklisted customer.
        let refusal = if card.card_no.is_empty() {
            Some(CARD_INVALID)
        } else if blacklisted {
            Some(NOT_ELIGIBLE)
        } else {
            None
        };
        let order = match refusal {
            None => self.payments.submit_and_wait(&order_no).await?,
            Some(why) => self.payments.refuse(&order_no, why).await?,
        };
        match order.status()? {
            OrderStatus::Failed => Err(LoanError::PayoutFailed(order.reason.unwrap_or_default())),
            status => {
                tracing::info!(application = %app.code, order = %order_no, %status, "payout started");
                if status == OrderStatus::Succeeded {
                    count_transition("disbursed");
                }
                Ok(order_no)
            }
        }
    }
}
