//! Operator accounts (API.md §7), for admins and the bearer token: list, create (with the
//! second factor's enrolment URI, shown once), and update roles, password or disabling.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use serde_json::{json, Map, Value};

use super::{admin, changes, optional_flag, ADMIN};
use crate::codes::{bad_field, from_status, Failure};
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

/// Roles as a JSON array of names or one comma-separated text; empty when absent.
fn roles(body: &Map<String, Value>) -> Result<Vec<String>, Failure> {
    match body.get("roles") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(text
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| bad_field("roles")))
            .collect(),
        Some(_) => Err(bad_field("roles")),
    }
}

pub(super) fn operator_json(o: &auth::Operator) -> Value {
    json!({
        "id": o.id,
        "username": o.username,
        "displayName": o.display_name,
        "roles": o.roles,
        "totpEnrolled": o.totp_enrolled,
        "disabled": o.disabled,
        "createdBy": o.created_by,
        "createdAt": cashloan_runtime::clock::format_datetime_cst(o.created_at),
    })
}

pub(super) async fn list(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, _, _| async move {
        let list = gw
            .auth
            .clone()
            .list_operators(auth::Empty {})
            .await
            .map_err(|s| from_status(&s, &ADMIN))?
            .into_inner();
        Ok(Success::new(
            "0000",
            "查询成功",
            Value::Array(list.items.iter().map(operator_json).collect()),
        ))
    })
    .await
}

fn created(reply: auth::CreatedOperator) -> Value {
    json!({ "id": reply.id, "totpUri": reply.totp_uri })
}

pub(super) async fn create(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let f = Fields(&body);
        let request = auth::CreateOperatorRequest {
            username: f.text("username")?.to_owned(),
            display_name: f.optional_text("displayName")?.to_owned(),
            password: f.text("password")?.to_owned(),
            roles: roles(&body)?,
            actor_id: actor.id,
            with_totp: optional_flag(&body, "withTotp")?.unwrap_or(false),
        };
        let reply = gw
            .auth
            .clone()
            .create_operator(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?
            .into_inner();
        let after = changes::operator(&gw, &reply.id).await;
        let outcome = Ok(Success::new("0000", "创建成功", created(reply)));
        changes::attach(outcome, Some(json!({})), after)
    })
    .await
}

pub(super) async fn update(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let f = Fields(&body);
        let id = f.text("id")?.to_owned();
        let new_password = !f.optional_text("password")?.is_empty();
        // A password shows only as having changed.
        let with_password = |snapshot: Option<Value>, state: &str| {
            snapshot.map(|mut s| {
                if new_password {
                    s["password"] = json!(state);
                }
                s
            })
        };
        let before = with_password(changes::operator(&gw, &id).await, "(old)");
        let request = auth::UpdateOperatorRequest {
            id: id.clone(),
            roles: roles(&body)?,
            disabled: optional_flag(&body, "disabled")?,
            password: f.optional_text("password")?.to_owned(),
            actor_id: actor.id,
        };
        let reply = gw
            .auth
            .clone()
            .update_operator(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?;
        let after = with_password(changes::operator(&gw, &id).await, "(new)");
        let outcome = Ok(Success::new("0000", "更新成功", created(reply.into_inner())));
        changes::attach(outcome, before, after)
    })
    .await
}
