//! `/admin/risk/*` (API.md §7, DECISIONS.md "Operators"): the decision record of an application —
//! risk-service's record (ruleset, features, each rule, score, band, timings, the challenger)
//! beside loan-service's account of it (applied or recommended, a reviewer's override).

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::loan::v1 as loan;
use cashloan_proto::risk::v1 as risk;
use serde_json::{json, Value};

use super::{admin, LOANS};
use crate::codes::from_status;
use crate::envelope::{Fields, Success};

fn reasons(list: &[loan::DecisionReason]) -> Value {
    list.iter()
        .map(|r| json!({"code": r.code, "text": r.text}))
        .collect()
}

pub(super) async fn decision(gw: Data<crate::state::Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
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
