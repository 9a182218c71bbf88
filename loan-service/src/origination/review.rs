//! An operator's review of an application: approve (on the applied or changed terms) or refuse.

use cashloan_proto::loan::v1 as pb;
use cashloan_proto::message::v1::LoanEventKind;
use cashloan_runtime::money::parse_amount;

use crate::error::LoanError;
use crate::loan::lifecycle::{transition, Action, Status};
use crate::origination::applications::count_transition;
use crate::store::{ApplicationRow, Approval, OutboxEvent, StatusChange};
use crate::LoanCore;

impl LoanCore {
    pub async fn review(&self, r: &pb::ReviewRequest) -> Result<(), LoanError> {
        let action = match r.decision() {
            pb::ReviewDecision::Start => Action::StartReview,
            pb::ReviewDecision::Approve => Action::Approve,
            pb::ReviewDecision::Reject => Action::Reject,
            pb::ReviewDecision::Unspecified => return Err(LoanError::InvalidField("decision")),
        };
        let app = self
            .store
            .application(&r.application_id)
            .await?
            .ok_or(LoanError::ApplicationNotFound)?;
        let from = Status::from_code(app.status).ok_or(LoanError::IllegalTransition)?;
        let step = transition(from, action).ok_or(LoanError::IllegalTransition)?;
        let approval = match action {
            Action::Approve => Some(self.approved_terms(&app, r)?),
            _ => None,
        };
        let now = self.clock.now_ms();
        let event = match step.to() {
            Status::Approved => Some(LoanEventKind::Approved),
            Status::Rejected => Some(LoanEventKind::Rejected),
            _ => None,
        }
        .map(|kind| {
            let amount = approval.map_or(app.amount_fen, |a| a.amount_fen);
            OutboxEvent::about(kind, &app, amount, now)
        });
        let change = StatusChange {
            step,
            actor: match r.operator.as_str() {
                "" => "admin".into(),
                who => who.to_owned(),
            },
            remark: r.remark.clone(),
            approval,
            event,
            decision: None,
        };
        let remark = change.remark.clone();
        let moved = self.store.move_status(&app.id, change, now).await?;
        if !moved {
            return Err(LoanError::IllegalTransition);
        }
        // A person's decision; one that differs from the machine's is an override (DECISIONS.md).
        let decided = match step.to() {
            Status::Approved => Some("approve"),
            Status::Rejected => Some("reject"),
            _ => None,
        };
        if let Some(outcome) = decided {
            self.store
                .record_person_decision(&app.id, outcome, &remark, now)
                .await?;
        }
        tracing::info!(application = %app.code, from = from.code(), to = step.to().code(), "application reviewed");
        count_transition(step.to().name());
        Ok(())
    }

    /// The approved amount and term: the applied ones unless the operator narrows them.
    fn approved_terms(&self, app: &ApplicationRow, r: &pb::ReviewRequest) -> Result<Approval, LoanError> {
        let amount = match r.reply_amount.as_str() {
            "" => app.amount_fen,
            text => parse_amount(text)
                .filter(|v| *v > 0 && *v <= app.amount_fen)
                .ok_or(LoanError::InvalidField("replyAmount"))?,
        };
        let count = match r.auth_term_count.as_str() {
            "" => app.term_count,
            text => text
                .parse::<i32>()
                .ok()
                .filter(|c| *c >= 1)
                .ok_or(LoanError::InvalidField("authTermCount"))?,
        };
        let unit = match r.auth_term_unit.trim_start_matches('0') {
            "" => app.term_unit,
            text => text
                .parse::<i32>()
                .ok()
                .filter(|u| *u == app.term_unit)
                .ok_or(LoanError::InvalidField("authTermUnit"))?,
        };
        // The plan must still cut into whole periods.
        if app.repay_type != 1 && count % app.repay_term_count != 0 {
            return Err(LoanError::InvalidField("authTermCount"));
        }
        Ok(Approval {
            amount_fen: amount,
            term_count: count,
            term_unit: unit,
            needs_confirmation: (amount, count, unit) != (app.amount_fen, app.term_count, app.term_unit),
        })
    }
}
