//! `/admin/risk/*` (API.md §7, DECISIONS.md "Operators"): the decision record of an application —
//! risk-service's record (ruleset, features, each rule, score, band, timings, the challenger)
//! beside loan-service's account of it (applied or recommended, a reviewer's override); the
//! decisions listed and counted per day; rulesets saved, replayed and activated (a second `risk`
//! operator confirms an activation).

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::loan::v1 as loan;
use cashloan_proto::risk::v1 as risk;
use serde_json::{json, Map, Value};

use super::{admin, approvals, Actor, ADMIN, LOANS};
use crate::codes::{self, from_status, Failure};
use crate::envelope::{Fields, Outcome, Success};
use crate::state::Gateway;

const AT: fn(i64) -> String = cashloan_runtime::clock::format_datetime_cst;

fn reasons(list: &[loan::DecisionReason]) -> Value {
    list.iter()
        .map(|r| json!({"code": r.code, "text": r.text}))
        .collect()
}

pub(super) async fn decision(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let id = Fields(&body).text("applyId")?.to_owned();
        let state = gw
            .loan
            .clone()
            .get_loan_decision(loan::LoanDecisionRequest {
                user_id: String::new(),
                application_id: id.clone(),
            })
            .await
            .map_err(|s| from_status(&s, &LOANS))?
            .into_inner();
        // No record when risk-service never answered (a referral for RISK_UNAVAILABLE).
        let record = match gw
            .risk
            .clone()
            .get_decision_record(risk::DecisionRef { application_id: id.clone() })
            .await
        {
            Ok(reply) => Some(reply.into_inner()),
            Err(s) if s.code() == tonic::Code::NotFound => None,
            Err(s) => return Err(from_status(&s, &LOANS)),
        };
        let machine = record.as_ref().and_then(|r| r.decision.clone()).unwrap_or_default();
        let parsed = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
        let result = json!({
            "applyId": id,
            "automatic": state.automatic,
            "decidedBy": state.decided_by,
            "outcome": state.machine_outcome,
            "reasons": reasons(&state.machine_reasons),
            "rulesetVersion": machine.ruleset_version,
            "score": machine.score,
            "band": machine.band,
            "approvedAmount": cashloan_runtime::money::format_amount(machine.approved_amount_fen),
            "decidedTime": match machine.decided_at {
                0 => String::new(),
                at => cashloan_runtime::clock::format_datetime_cst(at),
            },
            "features": record.as_ref().map_or(Value::Null, |r| parsed(&r.features_json)),
            "rules": record.as_ref().map_or_else(Vec::new, |r| {
                r.rules.iter().map(|x| json!({"id": x.id, "result": x.result, "outcome": x.outcome})).collect()
            }),
            "timings": record.as_ref().map_or(Value::Null, |r| parsed(&r.timings_json)),
            "challenger": record.as_ref().map_or(Value::Null, |r| parsed(&r.challenger_json)),
            "override": if state.override_outcome.is_empty() {
                Value::Null
            } else {
                json!({"outcome": state.override_outcome, "remark": state.override_remark})
            },
            "payoutOrderNo": state.payout_order_no,
            "reviewReason": state.review_reason,
        });
        Ok(Success::new("0000", "操作成功", result))
    })
    .await
}

fn risk_failure(s: &tonic::Status) -> Failure {
    from_status(s, &ADMIN)
}

/// A ruleset's version: a positive number, or its digits.
fn version(body: &Map<String, Value>) -> Result<i32, Failure> {
    body.get("version")
        .and_then(crate::paging::positive_int)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| codes::bad_field("version"))
}

fn counts(c: Option<&risk::OutcomeCounts>) -> Value {
    let c = c.cloned().unwrap_or_default();
    let bands: std::collections::BTreeMap<_, _> = c.bands.into_iter().collect();
    json!({"approve": c.approve, "refer": c.refer, "reject": c.reject, "bands": bands})
}

fn ruleset_json(r: &risk::RulesetInfo) -> Value {
    json!({
        "version": r.version,
        "status": r.status,
        "share": r.share,
        "createdBy": r.created_by,
        "createdAt": AT(r.created_at),
    })
}

pub(super) async fn list_rulesets(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, _, _| async move {
        let list = gw
            .risk
            .clone()
            .list_rulesets(risk::Empty {})
            .await
            .map_err(|s| risk_failure(&s))?
            .into_inner();
        let items: Vec<Value> = list.items.iter().map(ruleset_json).collect();
        Ok(Success::new("0000", "查询成功", Value::Array(items)))
    })
    .await
}

pub(super) async fn get_ruleset(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let r = gw
            .risk
            .clone()
            .get_ruleset(risk::RulesetRef {
                version: version(&body)?,
            })
            .await
            .map_err(|s| risk_failure(&s))?
            .into_inner();
        let mut result = ruleset_json(&r);
        result["document"] = serde_json::from_str(&r.document).unwrap_or(Value::Null);
        result["comparedWith"] = json!(r.compared_with);
        result["changes"] = r
            .changes
            .iter()
            .map(|c| json!({"part": c.part, "change": c.change, "before": c.before, "after": c.after}))
            .collect();
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}

pub(super) async fn save_ruleset(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        // The document as JSON, or as the text of one.
        let document = match body.get("document") {
            Some(Value::Object(_)) => body["document"].to_string(),
            Some(Value::String(text)) => text.clone(),
            _ => return Err(codes::bad_field("document")),
        };
        let saved = gw
            .risk
            .clone()
            .save_ruleset(risk::SaveRulesetRequest {
                document,
                created_by: actor.name.clone(),
            })
            .await
            .map_err(|s| risk_failure(&s))?
            .into_inner();
        Ok(Success::new("0000", "已保存为草稿", ruleset_json(&saved)))
    })
    .await
}

pub(super) async fn replay(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let request = risk::ReplayRequest {
            version: version(&body)?,
            from: f.text("from")?.to_owned(),
            to: f.text("to")?.to_owned(),
        };
        let r = gw
            .risk
            .clone()
            .replay_ruleset(request)
            .await
            .map_err(|s| risk_failure(&s))?
            .into_inner();
        let result = json!({
            "decisions": r.decisions,
            "currentVersion": r.current_version,
            "current": counts(r.current.as_ref()),
            "draft": counts(r.draft.as_ref()),
            "changed": r.changed.iter().map(|c| json!({"applyId": c.application_id, "from": c.from, "to": c.to})).collect::<Vec<_>>(),
            "changedTotal": r.changed_total,
        });
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}

fn activation(body: &Map<String, Value>) -> Result<risk::ActivateRequest, Failure> {
    let f = Fields(body);
    let r#as = f.text("as")?.to_owned();
    let share = match (r#as.as_str(), body.get("share")) {
        ("challenger", Some(v)) => crate::paging::positive_int(v)
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| codes::bad_field("share"))?,
        ("challenger", None) => return Err(codes::bad_field("share")),
        _ => 0,
    };
    Ok(risk::ActivateRequest {
        version: version(body)?,
        r#as,
        share,
    })
}

/// Activates now (the token, or the checker confirming).
pub(super) async fn activate_now(gw: &Gateway, body: &Map<String, Value>) -> Outcome {
    let done = gw
        .risk
        .clone()
        .activate_ruleset(activation(body)?)
        .await
        .map_err(|s| risk_failure(&s))?
        .into_inner();
    Ok(Success::new("0000", "规则集已生效", ruleset_json(&done)))
}

pub(super) async fn activate(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor: Actor| async move {
        let request = activation(&body)?;
        if actor.is_token() {
            return activate_now(&gw, &body).await;
        }
        // Refused now what could never be carried out, so no one is asked to confirm it.
        gw.risk
            .clone()
            .check_activation(request.clone())
            .await
            .map_err(|s| risk_failure(&s))?;
        let summary = match request.r#as.as_str() {
            "champion" => format!("规则集 v{} 设为正式（champion）", request.version),
            _ => format!(
                "规则集 v{} 设为挑战者（challenger），占比 {}%",
                request.version, request.share
            ),
        };
        let target = format!("ruleset {}", request.version);
        approvals::propose(
            &gw,
            &actor,
            "/admin/risk/rulesets/activate",
            &target,
            &body,
            summary,
        )
        .await
    })
    .await
}

fn decision_json(d: &risk::Decision) -> Value {
    json!({
        "applyId": d.application_id,
        "outcome": d.outcome,
        "reasons": d.reasons.iter().map(|r| json!({"code": r.code, "text": r.text})).collect::<Vec<_>>(),
        "score": d.score,
        "band": d.band,
        "rulesetVersion": d.ruleset_version,
        "approvedAmount": cashloan_runtime::money::format_amount(d.approved_amount_fen),
        "decidedTime": AT(d.decided_at),
    })
}

pub(super) async fn list_decisions(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let page = crate::paging::page_request(&body)?;
        let f = Fields(&body);
        let request = risk::ListDecisionsRequest {
            outcome: f.optional_text("outcome")?.to_owned(),
            from: f.optional_text("from")?.to_owned(),
            to: f.optional_text("to")?.to_owned(),
            page_num: i32::try_from(page.num).map_err(|_| codes::bad_field("pageNum"))?,
            page_size: page.size as i32,
        };
        let reply = gw
            .risk
            .clone()
            .list_decisions(request)
            .await
            .map_err(|s| risk_failure(&s))?
            .into_inner();
        let items = reply.items.iter().map(decision_json).collect();
        Ok(crate::paging::paged(items, page, reply.total.max(0) as u64))
    })
    .await
}

pub(super) async fn stats(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let (from, to) = (f.text("from")?.to_owned(), f.text("to")?.to_owned());
        let days = gw
            .risk
            .clone()
            .decision_stats(risk::StatsRequest {
                from: from.clone(),
                to: to.clone(),
            })
            .await
            .map_err(|s| risk_failure(&s))?
            .into_inner()
            .days;
        let overrides = gw
            .loan
            .clone()
            .count_overrides(loan::OverrideCountRequest { from, to })
            .await
            .map_err(|s| from_status(&s, &LOANS))?
            .into_inner()
            .days;
        let overridden = |day: &str| overrides.iter().find(|o| o.day == day).map_or(0, |o| o.count);
        let items: Vec<Value> = days
            .iter()
            .map(|d| {
                let o = d.outcomes.clone().unwrap_or_default();
                json!({
                    "day": d.day,
                    "decisions": o.approve + o.refer + o.reject,
                    "outcomes": counts(d.outcomes.as_ref()),
                    "overrides": overridden(&d.day),
                    "challenger": {
                        "evaluated": d.challenger_evaluated,
                        "agreed": d.challenger_agreed,
                        "outcomes": counts(d.challenger.as_ref()),
                    },
                })
            })
            .collect();
        Ok(Success::new("0000", "查询成功", Value::Array(items)))
    })
    .await
}
