//! Maker-checker (API.md §7): credit-line and blacklist changes, payouts with a past release
//! date, resolutions of payment orders, admin or finance accounts and role changes, and the
//! activation of a ruleset (DECISIONS.md), asked for
//! by an operator, wait in auth-service until another operator whose roles allow
//! the action confirms them — then they are carried out here, with both names — or rejects them.
//! The bearer token acts directly (it is the emergency key, and audited) but never confirms.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use serde_json::{json, Map, Value};

use super::{admin, Actor, ADMIN};
use crate::codes::{self, from_status, Failure};
use crate::envelope::{Fields, Outcome, Success};
use crate::state::Gateway;

/// Stores the request for a second operator; its id.
pub(super) async fn propose(
    gw: &Gateway,
    actor: &Actor,
    action: &str,
    target: &str,
    body: &Map<String, Value>,
    summary: String,
) -> Outcome {
    let proposal = auth::ApprovalProposal {
        action: action.to_owned(),
        target: target.to_owned(),
        request: Value::Object(body.clone()).to_string(),
        summary,
        made_by: actor.name.clone(),
        made_by_id: actor.id.clone(),
    };
    let id = gw
        .auth
        .clone()
        .propose_approval(proposal)
        .await
        .map_err(|s| from_status(&s, &ADMIN))?
        .into_inner()
        .id;
    Ok(Success::new(
        "0000",
        "已提交，待其他操作员复核",
        json!({"approvalId": id, "status": "pending"}),
    ))
}

/// What a user change does, from what to what, in words a checker reads; refused for a mobile
/// nobody registered, so no one is asked to confirm what cannot be done.
pub(super) async fn user_change_summary(gw: &Gateway, body: &Map<String, Value>) -> Result<String, Failure> {
    let f = Fields(body);
    let mobile = f.text("mobile")?.to_owned();
    let current = super::customer_state::read(gw, &mobile).await?;
    let (status, credit) = (&current.status, &current.credit);
    let yes = |b: bool| if b { "是" } else { "否" };
    let mut parts = Vec::new();
    if let Some(v) = super::optional_flag(body, "isBlackList")? {
        parts.push(format!("黑名单 {} → {}", yes(status.blacklisted), yes(v)));
    }
    if let Some(v) = super::optional_flag(body, "isRisk")? {
        parts.push(format!("风险标记 {} → {}", yes(status.risk), yes(v)));
    }
    if let Some(total) = f.optional_number_text("totalCredit")? {
        parts.push(format!("总额度 {} → {total}", credit.credit_line));
    }
    Ok(format!(
        "用户 {}：{}",
        cashloan_runtime::mask::mobile(&mobile),
        parts.join("，")
    ))
}

fn approval_json(a: &auth::Approval) -> Value {
    let at = cashloan_runtime::clock::format_datetime_cst;
    json!({
        "id": a.id,
        "action": a.action,
        "target": a.target,
        "summary": a.summary,
        "madeBy": a.made_by,
        "madeAt": at(a.made_at),
        "status": a.status,
        "decidedBy": a.decided_by,
        "decidedAt": if a.decided_at == 0 { String::new() } else { at(a.decided_at) },
        "outcome": a.outcome,
    })
}

pub(super) async fn list(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let page = crate::paging::page_request(&body)?;
        let request = auth::ListApprovalsRequest {
            status: Fields(&body).optional_text("status")?.to_owned(),
            page_num: page.num,
            page_size: page.size,
        };
        let reply = gw
            .auth
            .clone()
            .list_approvals(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?
            .into_inner();
        let items = reply.items.iter().map(approval_json).collect();
        Ok(crate::paging::paged(items, page, reply.total))
    })
    .await
}

/// Carries out a confirmed request as the checker.
async fn carry_out(gw: &Gateway, approval: &auth::Approval, checker: &Actor) -> Outcome {
    let Ok(Value::Object(body)) = serde_json::from_str::<Value>(&approval.request) else {
        return Err(codes::system_error());
    };
    match approval.action.as_str() {
        "/admin/users/update" => super::update_user_now(gw, &body).await,
        "/admin/loans/disburse" => super::disburse_now(gw, &body, &approval.made_by, &checker.name).await,
        "/admin/payments/resolve" => {
            super::payments::resolve_now(gw, &body, &approval.made_by, &checker.name).await
        }
        "/admin/operators/create" => super::operators::create_now(gw, &body, &approval.made_by_id).await,
        "/admin/operators/update" => super::operators::update_now(gw, &body, &approval.made_by_id).await,
        "/admin/risk/rulesets/activate" => super::risk::activate_now(gw, &body).await,
        other => {
            tracing::error!(action = other, "an approval of an action nothing carries out");
            Err(codes::system_error())
        }
    }
}

fn outcome_text(outcome: &Outcome) -> (bool, String) {
    match outcome {
        Ok(s) => (true, format!("{} {}", s.code, s.message)),
        Err(f) => (false, format!("{} {}", f.code, f.message)),
    }
}

/// Refusals of the checker as a person (not of the request): the request goes back to the queue
/// for someone who may confirm it, instead of failing.
const CHECKER_REFUSED: &[&str] = &["99990007", "20008006", "20009009", "20009014"];

fn refused_the_checker(outcome: &Outcome) -> bool {
    outcome.as_ref().is_err_and(|f| CHECKER_REFUSED.contains(&f.code))
}

pub(super) async fn decide(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let f = Fields(&body);
        let id = f.text("id")?.to_owned();
        let confirm = match f.text("decision")? {
            "confirm" => true,
            "reject" => false,
            _ => return Err(codes::bad_field("decision")),
        };
        // The second operator is a person: the token alone cannot confirm.
        if actor.is_token() {
            return Err(codes::forbidden());
        }
        let mut client = gw.auth.clone();
        let pending = client
            .get_approval(auth::ApprovalRef { id: id.clone() })
            .await
            .map_err(|s| from_status(&s, &ADMIN))?
            .into_inner();
        if !actor.may(&pending.action) {
            return Err(codes::forbidden());
        }
        let decision = auth::ApprovalDecision {
            id: id.clone(),
            confirm,
            decided_by: actor.name.clone(),
            decided_by_id: actor.id.clone(),
        };
        let decided = client
            .decide_approval(decision)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?
            .into_inner();
        if !confirm {
            return Ok(Success::new("0000", "已驳回", approval_json(&decided)));
        }
        let outcome = carry_out(&gw, &decided, &actor).await;
        let (succeeded, text) = outcome_text(&outcome);
        let finish = auth::ApprovalFinish {
            id,
            succeeded,
            outcome: text,
            reopen: refused_the_checker(&outcome),
        };
        if let Err(status) = client.finish_approval(finish).await {
            // Carried out already: the answer says what happened; the row stays `executing`.
            tracing::error!(code = ?status.code(), "an approval's outcome could not be recorded");
        }
        outcome
    })
    .await
}
