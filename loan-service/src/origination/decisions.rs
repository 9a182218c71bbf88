//! The decision worker (DECISIONS.md "When a decision is made"): claims the applications' decision
//! tasks, asks risk-service, and applies the answer for automatic products in one transaction
//! conditional on the application still being in review and the task still open; for manual
//! products the answer is a reviewer's recommendation. Risk-service down: tried again with
//! back-off, and after `DECISION_GIVE_UP_S` referred to people. Then the automatic payouts that
//! are due and unblocked are started, each once.

use cashloan_proto::message::v1::LoanEventKind;
use cashloan_proto::risk::v1 as risk;
use serde_json::json;

use crate::error::LoanError;
use crate::loan::lifecycle::{transition, Action, Status};
use crate::messages::outbox::backoff_secs;
use crate::origination::applications::count_transition;
use crate::store::{ApplicationRow, Approval, DecisionTask, OutboxEvent, StatusChange, TaskClose};
use crate::LoanCore;

/// Who applied a decision made by the rules.
pub const MACHINE: &str = "machine";

const DAY_MS: i64 = 86_400_000;

fn reasons_json(reasons: &[risk::ReasonText]) -> String {
    let list: Vec<serde_json::Value> = reasons
        .iter()
        .map(|r| json!({"code": r.code, "text": r.text}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

impl LoanCore {
    /// One round: the due tasks, then the due payouts; how many tasks were decided.
    pub async fn decide_due(&self) -> Result<usize, LoanError> {
        let tasks = self.store.claim_decision_tasks(self.clock.now_ms()).await?;
        let mut decided = 0;
        for task in tasks {
            let id = task.application_id.clone();
            match self.decide_task(task).await {
                Ok(true) => decided += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(application = %id, error = %e, "decision not applied; will retry"),
            }
        }
        for id in self.store.due_payouts().await? {
            if self.store.take_payout(&id).await? {
                self.automatic_payout(&id).await;
            }
        }
        Ok(decided)
    }

    /// Asks for the task's decision and applies it; false when it is to be tried again.
    async fn decide_task(&self, task: DecisionTask) -> Result<bool, LoanError> {
        let Some(mut app) = self.store.application(&task.application_id).await? else {
            return Ok(false);
        };
        let now = self.clock.now_ms();
        if task.automatic && app.status == Status::Pending.code() {
            let change = StatusChange {
                step: transition(Status::Pending, Action::StartReview).ok_or(LoanError::IllegalTransition)?,
                actor: MACHINE.into(),
                remark: String::new(),
                approval: None,
                event: None,
                decision: None,
            };
            if self.store.move_status(&app.id, change, now).await? {
                app.status = Status::Reviewing.code();
            }
        }
        let request = self.decide_request(&task, &app).await?;
        let answer = self.risk.clone().decide(request).await;
        let decision = match answer {
            Ok(reply) => reply.into_inner(),
            Err(status) => {
                if now - task.created_at >= self.decision_give_up_ms {
                    tracing::warn!(application = %app.code, error = %status.message(), "risk-service unavailable too long: referred");
                    let close = TaskClose {
                        outcome: "refer".into(),
                        reasons: json!([{"code": "RISK_UNAVAILABLE", "text": ""}]).to_string(),
                        decided_by: MACHINE.into(),
                        payout_due: false,
                    };
                    return self.store.close_decision_task(&app.id, close, now).await;
                }
                let next = now + backoff_secs(task.attempts) * 1000;
                self.store.retry_decision_task(&app.id, next).await?;
                tracing::info!(application = %app.code, error = %status.message(), "risk-service unavailable; decision retried");
                return Ok(false);
            }
        };
        self.apply_decision(&task, &app, &decision, now).await
    }

    async fn decide_request(
        &self,
        task: &DecisionTask,
        app: &ApplicationRow,
    ) -> Result<risk::DecideRequest, LoanError> {
        let history = self
            .store
            .borrower_history(&app.user_id, self.clock.today().to_string())
            .await?;
        let available = self.credit(&app.user_id).await?.1;
        Ok(risk::DecideRequest {
            application_id: app.id.clone(),
            user_id: app.user_id.clone(),
            application: Some(risk::ApplicationFacts {
                product_code: task.product_code.clone(),
                amount_fen: app.amount_fen,
                term_count: app.term_count,
                term_unit: app.term_unit,
                repay_type: app.repay_type,
                rate_ppm: app.rate_ppm,
                purpose: app.purpose.clone(),
                other_channels: app.other_channels.clone(),
                phonebook_size: task.phonebook_size,
                gps_present: task.gps_present,
                app_type: task.app_type.clone(),
                client_ip: task.client_ip.clone(),
                product_min_rate_ppm: task.product_min_rate_ppm,
                product_max_rate_ppm: task.product_max_rate_ppm,
                available_credit_fen: available,
            }),
            history: Some(risk::HistoryFacts {
                loans_settled: history.loans_settled,
                loans_settled_clean: history.loans_settled_clean,
                loans_open: history.loans_open,
                max_days_overdue: history.max_days_overdue,
                principal_repaid_fen: history.principal_repaid_fen,
                days_since_last_settled: history.last_settled_at.map_or(-1, |at| {
                    i32::try_from((self.clock.now_ms() - at).max(0) / DAY_MS).unwrap_or(i32::MAX)
                }),
            }),
            applied_at: app.applied_at,
        })
    }

    /// Applies an automatic product's decision to an application in review; anything else
    /// (a manual product, an application a person moved meanwhile) keeps it as a recommendation.
    async fn apply_decision(
        &self,
        task: &DecisionTask,
        app: &ApplicationRow,
        d: &risk::Decision,
        now: i64,
    ) -> Result<bool, LoanError> {
        let reasons = reasons_json(&d.reasons);
        let close = |payout_due: bool| TaskClose {
            outcome: d.outcome.clone(),
            reasons: reasons.clone(),
            decided_by: MACHINE.into(),
            payout_due,
        };
        let in_review = app.status == Status::Reviewing.code();
        let change = match d.outcome.as_str() {
            "approve" if task.automatic && in_review => {
                let amount = d.approved_amount_fen.min(app.amount_fen);
                let approval = Approval {
                    amount_fen: amount,
                    term_count: app.term_count,
                    term_unit: app.term_unit,
                    needs_confirmation: amount != app.amount_fen,
                };
                Some(StatusChange {
                    step: transition(Status::Reviewing, Action::Approve)
                        .ok_or(LoanError::IllegalTransition)?,
                    actor: MACHINE.into(),
                    remark: format!("ruleset {}", d.ruleset_version),
                    approval: Some(approval),
                    event: Some(OutboxEvent::about(LoanEventKind::Approved, app, amount, now)),
                    decision: Some(close(
                        task.auto_payout_limit_fen.is_some_and(|limit| amount <= limit),
                    )),
                })
            }
            "reject" if task.automatic && in_review => Some(StatusChange {
                step: transition(Status::Reviewing, Action::Reject).ok_or(LoanError::IllegalTransition)?,
                actor: MACHINE.into(),
                remark: d
                    .reasons
                    .iter()
                    .map(|r| r.code.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                approval: None,
                event: Some(OutboxEvent::about(
                    LoanEventKind::Rejected,
                    app,
                    app.amount_fen,
                    now,
                )),
                decision: Some(close(false)),
            }),
            _ => None,
        };
        if let Some(change) = change {
            let to = change.step.to();
            if self.store.move_status(&app.id, change, now).await? {
                tracing::info!(application = %app.code, outcome = %d.outcome, "decided by the rules");
                count_transition(to.name());
                return Ok(true);
            }
        }
        // Referred, a manual product's recommendation, or moved by a person meanwhile.
        let recommendation = TaskClose {
            decided_by: if task.automatic && d.outcome == "refer" {
                MACHINE.into()
            } else {
                String::new()
            },
            ..close(false)
        };
        self.store
            .close_decision_task(&app.id, recommendation, now)
            .await?;
        tracing::info!(application = %app.code, outcome = %d.outcome, automatic = task.automatic, "decision recorded for reviewers");
        Ok(true)
    }

    /// The payout of an automatic approval within the product's limit: started like an
    /// operator's, by the service. A declined payout waits for a person.
    async fn automatic_payout(&self, id: &str) {
        let started = match self.store.application(id).await {
            Ok(Some(app)) => self.start_payout(app, "").await,
            Ok(None) => Err(LoanError::ApplicationNotFound),
            Err(e) => Err(e),
        };
        match started {
            Ok(order_no) => {
                tracing::info!(application = %id, order = %order_no, initiator = MACHINE, "automatic payout started");
                if let Err(e) = self.store.record_payout_order(id, &order_no).await {
                    tracing::warn!(application = %id, error = %e, "payout order not noted on its decision");
                }
            }
            Err(e) => {
                tracing::warn!(application = %id, error = %e, "automatic payout not made; waits for an operator");
            }
        }
    }
}

/// Runs the decision worker every `interval` until shutdown.
pub async fn run(
    core: std::sync::Arc<LoanCore>,
    interval: std::time::Duration,
    shutdown: cashloan_runtime::Shutdown,
) {
    shutdown
        .every(interval, || async {
            if let Err(e) = core.decide_due().await {
                tracing::warn!(error = %e, "decision round failed");
            }
        })
        .await;
}
