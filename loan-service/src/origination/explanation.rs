//! Explanation and people (DECISIONS.md, 个人信息保护法 §24): #41 tells the borrower how their
//! application was decided — the ruleset's texts, never a score, band or bureau data — and #42
//! lets them ask, once within 15 days, that a person review an automatic rejection; operators count
//! the reviewers' overrides.

use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::clock::{date_cst, day_start_ms};
use serde::Deserialize;

use crate::error::LoanError;
use crate::loan::lifecycle::Status;
use crate::origination::decisions::MACHINE;
use crate::store::{ApplicationRow, DecisionTask};
use crate::LoanCore;

/// How long after an automatic rejection a person's review may be asked.
const REVIEW_WINDOW_MS: i64 = 15 * 86_400_000;

#[derive(Deserialize)]
struct StoredReason {
    code: String,
    #[serde(default)]
    text: String,
}

fn reasons(json: &str) -> Vec<pb::DecisionReason> {
    serde_json::from_str::<Vec<StoredReason>>(json)
        .unwrap_or_default()
        .into_iter()
        .map(|r| pb::DecisionReason {
            code: r.code,
            text: r.text,
        })
        .collect()
}

/// Whether #42 may be asked now of an application in `status` decided as `task` says.
fn review_requestable(status: i32, task: &DecisionTask, now: i64) -> bool {
    status == Status::Rejected.code()
        && task.decided_by == MACHINE
        && task.outcome == "reject"
        && task.review_requested_at.is_none()
        && task.decided_at.is_some_and(|at| now - at <= REVIEW_WINDOW_MS)
}

/// The decision as the borrower sees it.
fn borrower_view(app: &ApplicationRow, task: Option<&DecisionTask>, now: i64) -> pb::LoanDecision {
    let status = Status::from_code(app.status);
    let by_person = match task {
        Some(t) => t.decided_by == "person",
        // Applied before decisions were made by the rules: people decided.
        None => matches!(
            status,
            Some(Status::Approved | Status::Rejected | Status::Disbursed | Status::PaidOff)
        ),
    };
    if by_person {
        let outcome = match status {
            Some(Status::Rejected) => "reject",
            Some(Status::Approved | Status::Disbursed | Status::PaidOff) => "approve",
            _ => "",
        };
        return pb::LoanDecision {
            decided_by: "person".into(),
            outcome: outcome.into(),
            decided_at: task.and_then(|t| t.decided_at).unwrap_or(0),
            ..Default::default()
        };
    }
    match task {
        Some(t) if t.decided_by == MACHINE => pb::LoanDecision {
            decided_by: MACHINE.into(),
            outcome: t.outcome.clone(),
            reasons: if t.outcome == "reject" {
                reasons(&t.reasons)
            } else {
                Vec::new()
            },
            decided_at: t.decided_at.unwrap_or(0),
            review_requestable: review_requestable(app.status, t, now),
            ..Default::default()
        },
        _ => pb::LoanDecision::default(),
    }
}

impl LoanCore {
    /// The application of `user_id` (any, for operators: an empty user id).
    async fn decided_application(&self, user_id: &str, id: &str) -> Result<ApplicationRow, LoanError> {
        self.store
            .application(id)
            .await?
            .filter(|a| user_id.is_empty() || a.user_id == user_id)
            .ok_or(LoanError::ApplicationNotFound)
    }

    pub async fn loan_decision(&self, r: &pb::LoanDecisionRequest) -> Result<pb::LoanDecision, LoanError> {
        let app = self.decided_application(&r.user_id, &r.application_id).await?;
        let task = self.store.decision_task(&app.id).await?;
        let view = borrower_view(&app, task.as_ref(), self.clock.now_ms());
        match (r.user_id.is_empty(), task) {
            (true, Some(t)) => Ok(pb::LoanDecision {
                machine_outcome: t.outcome.clone(),
                machine_reasons: reasons(&t.reasons),
                override_outcome: t.override_outcome.unwrap_or_default(),
                override_remark: t.override_remark.unwrap_or_default(),
                automatic: t.automatic,
                payout_order_no: t.payout_order_no.unwrap_or_default(),
                review_reason: t.review_reason.unwrap_or_default(),
                ..view
            }),
            _ => Ok(view),
        }
    }

    pub async fn request_manual_review(&self, r: &pb::ManualReviewRequest) -> Result<(), LoanError> {
        let reason = r.reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(LoanError::InvalidField("reason"));
        }
        let app = self.decided_application(&r.user_id, &r.application_id).await?;
        let now = self.clock.now_ms();
        let task = self.store.decision_task(&app.id).await?;
        if !task.is_some_and(|t| review_requestable(app.status, &t, now)) {
            return Err(LoanError::ReviewNotRequestable);
        }
        if !self
            .store
            .reopen_for_review(&app.id, &app.user_id, reason, now)
            .await?
        {
            return Err(LoanError::ReviewNotRequestable);
        }
        tracing::info!(application = %app.code, "manual review asked");
        Ok(())
    }

    /// Overrides per day of the application (UTC+8), days without one left out.
    pub async fn count_overrides(
        &self,
        r: &pb::OverrideCountRequest,
    ) -> Result<pb::OverrideCounts, LoanError> {
        let day = |text: &str, field| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| LoanError::InvalidField(field))
        };
        let (from, to) = (day(&r.from, "from")?, day(&r.to, "to")?);
        if to < from {
            return Err(LoanError::InvalidField("to"));
        }
        let end = to.succ_opt().ok_or(LoanError::InvalidField("to"))?;
        let instants = self
            .store
            .overrides_between(day_start_ms(from), day_start_ms(end))
            .await?;
        let mut days = std::collections::BTreeMap::<String, i64>::new();
        for at in instants {
            *days.entry(date_cst(at)).or_default() += 1;
        }
        Ok(pb::OverrideCounts {
            days: days
                .into_iter()
                .map(|(day, count)| pb::DayCount { day, count })
                .collect(),
        })
    }
}
