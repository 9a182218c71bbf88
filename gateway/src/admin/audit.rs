//! Every admin call in the audit log (API.md §7): recorded in auth-service before it acts — a
//! call whose record cannot be written does not act — and its outcome after; `/admin/audit/list`
//! reads it, newest first.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use serde_json::{json, Map, Value};

use super::{admin, ADMIN};
use crate::codes::{busy, from_status, Failure};
use crate::envelope::{Fields, Outcome};
use crate::state::Gateway;

/// The fields that name what a call acts on, first found wins.
const TARGETS: &[&str] = &["applyId", "orderNo", "mobile", "userId", "code", "id", "date"];

fn target(body: Option<&Map<String, Value>>) -> String {
    let Some(body) = body else {
        return String::new();
    };
    TARGETS
        .iter()
        .find_map(|k| match body.get(*k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The body with the value of every secret field (password, token, code…) masked, at any depth.
fn masked(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let shown = if cashloan_runtime::redact::is_secret_key(k) {
                        json!("***")
                    } else {
                        masked(v)
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

fn trace_id() -> String {
    cashloan_runtime::telemetry::current_traceparent()
        .and_then(|t| t.split('-').nth(1).map(str::to_owned))
        .unwrap_or_default()
}

/// Records the call about to act by `operator` (with `role`); its ticket.
pub(crate) async fn start(
    gw: &Gateway,
    req: &HttpRequest,
    (operator, role): (&str, &str),
    body: Option<&Map<String, Value>>,
    raw: &Bytes,
) -> Result<String, Failure> {
    let client_ip = crate::client_ip::of_request(req, &gw.config.trusted_proxies);
    let request = match body {
        Some(map) => masked(&Value::Object(map.clone())).to_string(),
        // Not JSON: only its size, since it cannot be masked field by field.
        None => format!("(not JSON, {} bytes)", raw.len()),
    };
    let start = auth::AuditStart {
        operator: operator.to_owned(),
        role: role.to_owned(),
        action: req.path().to_owned(),
        target: target(body),
        request,
        client_ip,
        trace_id: trace_id(),
    };
    match gw.auth.clone().start_audit(start).await {
        Ok(ticket) => Ok(ticket.into_inner().id),
        Err(status) => {
            tracing::error!(code = ?status.code(), path = req.path(), "the audit log refused a record: the call does not act");
            Err(busy())
        }
    }
}

/// Every `userId` in an answer: the customers whose data it carried.
fn customers(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("userId", Value::String(id)) if !found.contains(id) => found.push(id.clone()),
                    _ => customers(v, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| customers(v, found)),
        _ => {}
    }
}

/// Records how the call ended, without holding up the answer: the entry was written before the
/// call acted, and one whose outcome never arrives is sealed as unfinished.
pub(crate) fn finish(gw: &Gateway, id: String, outcome: &Outcome) {
    let mut read = Vec::new();
    let changes = match outcome {
        Ok(s) => s.changes.as_ref().map(Value::to_string).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let outcome = match outcome {
        Ok(s) => {
            customers(&s.result_set, &mut read);
            format!("{} {}", s.code, s.message)
        }
        Err(f) => format!("{} {}", f.code, f.message),
    };
    let mut client = gw.auth.clone();
    let operator = cashloan_runtime::grpc::identity::current_operator().unwrap_or_default();
    tokio::spawn(cashloan_runtime::grpc::identity::as_operator(
        operator,
        async move {
            let finish = auth::AuditFinish {
                id,
                outcome,
                customers: read,
                changes,
            };
            if let Err(status) = client.finish_audit(finish).await {
                tracing::error!(code = ?status.code(), "the outcome of an audited call was not recorded");
            }
        },
    ));
}

pub(super) async fn list(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let page = crate::paging::page_request(&body)?;
        let request = auth::ListAuditRequest {
            operator: f.optional_text("operator")?.to_owned(),
            action: f.optional_text("action")?.to_owned(),
            page_num: page.num,
            page_size: page.size,
        };
        let found = gw
            .auth
            .clone()
            .list_audit(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?
            .into_inner();
        let items: Vec<Value> = found
            .items
            .into_iter()
            .map(|e| {
                let time = |ms: i64| match ms {
                    0 => String::new(),
                    ms => cashloan_runtime::clock::format_datetime_cst(ms),
                };
                json!({"id": e.id, "sealed": e.sealed, "operator": e.operator, "role": e.role, "action": e.action,
                    "target": e.target, "request": e.request, "clientIp": e.client_ip, "traceId": e.trace_id,
                    "startedAt": time(e.started_at), "outcome": e.outcome, "customers": e.customers,
                    "finishedAt": time(e.finished_at),
                    "changes": serde_json::from_str::<Value>(&e.changes).unwrap_or(Value::Null)})
            })
            .collect();
        Ok(crate::paging::paged(items, page, found.total))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_at_any_depth_and_nothing_else() {
        let body = json!({"mobile": "13800138000", "password": "p", "inner": [{"newPassword": "q", "code": "123456"}],
            "responseCode": "0000"});
        assert_eq!(
            masked(&body),
            json!({"mobile": "13800138000", "password": "***", "inner": [{"newPassword": "***", "code": "***"}],
                "responseCode": "0000"})
        );
    }

    #[test]
    fn every_user_id_of_an_answer_once() {
        let answer = json!([{"userId": "u1", "x": {"userId": "u2"}}, {"userId": "u1"}, {"userId": 7}]);
        let mut found = Vec::new();
        customers(&answer, &mut found);
        assert_eq!(found, ["u1", "u2"]);
    }

    #[test]
    fn the_target_is_the_first_naming_field() {
        let body = json!({"mobile": "13800138000", "applyId": "a1"});
        assert_eq!(target(body.as_object()), "a1");
        assert_eq!(
            target(json!({"applyId": "", "date": "2026-12-01"}).as_object()),
            "2026-12-01"
        );
        assert_eq!(target(None), "");
    }
}
