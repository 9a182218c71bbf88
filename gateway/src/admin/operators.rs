//! Operator accounts (API.md §7), for admins and the bearer token: list, create, and update
//! roles, disabling or a forced reset. A new or reset operator sets their own password and
//! second factor through the link auth-service mails them; the creator never sees it. Admin and
//! finance accounts, and any change of roles, asked by an operator wait for a second admin.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use serde_json::{json, Map, Value};

use super::{admin, approvals, changes, optional_flag, ADMIN};
use crate::codes::{self, bad_field, from_status, Failure};
use crate::envelope::{Fields, Outcome, Success};
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
        "email": o.email,
        "roles": o.roles,
        "enrolled": o.enrolled,
        "totpEnrolled": o.totp_enrolled,
        "disabled": o.disabled,
        "createdBy": o.created_by,
        "createdAt": cashloan_runtime::clock::format_datetime_cst(o.created_at),
        "changedBy": o.changed_by,
    })
}

pub(super) async fn list(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, _, _| async move {
        let list = every_operator(&gw).await?;
        Ok(Success::new(
            "0000",
            "查询成功",
            Value::Array(list.iter().map(operator_json).collect()),
        ))
    })
    .await
}

async fn every_operator(gw: &Gateway) -> Result<Vec<auth::Operator>, Failure> {
    Ok(gw
        .auth
        .clone()
        .list_operators(auth::Empty {})
        .await
        .map_err(|s| from_status(&s, &ADMIN))?
        .into_inner()
        .items)
}

fn created(reply: auth::CreatedOperator) -> Value {
    json!({ "id": reply.id, "enrolmentSent": reply.enrolment_sent })
}

/// No one sets another's password: they set their own through their link (a reset sends one).
fn no_password(body: &Map<String, Value>) -> Result<(), Failure> {
    match body.contains_key("password") {
        true => Err(bad_field("password")),
        false => Ok(()),
    }
}

/// Roles that move money or manage operators are granted by two admins.
fn privileged(roles: &[String]) -> bool {
    roles.iter().any(|r| matches!(r.trim(), "admin" | "finance"))
}

fn role_names(roles: &[String]) -> String {
    roles.join("、")
}

fn create_request(
    body: &Map<String, Value>,
    actor_id: &str,
    check_only: bool,
) -> Result<auth::CreateOperatorRequest, Failure> {
    no_password(body)?;
    let f = Fields(body);
    Ok(auth::CreateOperatorRequest {
        username: f.text("username")?.to_owned(),
        display_name: f.optional_text("displayName")?.to_owned(),
        roles: roles(body)?,
        actor_id: actor_id.to_owned(),
        with_totp: optional_flag(body, "withTotp")?.unwrap_or(false),
        email: f.text("email")?.to_owned(),
        check_only,
    })
}

/// An operator asking for an admin or finance account waits for a second admin; others (and
/// the bearer token) create at once. The reply never carries the link or a secret.
pub(super) async fn create(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let request = create_request(&body, &actor.id, false)?;
        if actor.is_token() || !privileged(&request.roles) {
            return create_now(&gw, &body, &actor.id).await;
        }
        let check = auth::CreateOperatorRequest {
            check_only: true,
            ..request.clone()
        };
        gw.auth
            .clone()
            .create_operator(check)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?;
        let summary = format!(
            "新建操作员 {}（{}），设置链接发往 {}",
            request.username.trim().to_ascii_lowercase(),
            role_names(&request.roles),
            cashloan_runtime::mask::email(&request.email)
        );
        approvals::propose(
            &gw,
            &actor,
            "/admin/operators/create",
            &request.username,
            &body,
            summary,
        )
        .await
    })
    .await
}

/// Creates the account as `maker` asked (at once, or confirmed by a second admin).
pub(super) async fn create_now(gw: &Gateway, body: &Map<String, Value>, maker_id: &str) -> Outcome {
    let request = create_request(body, maker_id, false)?;
    let reply = gw
        .auth
        .clone()
        .create_operator(request)
        .await
        .map_err(|s| from_status(&s, &ADMIN))?
        .into_inner();
    let after = changes::operator(gw, &reply.id).await;
    let outcome = Ok(Success::new("0000", "创建成功", created(reply)));
    changes::attach(outcome, Some(json!({})), after)
}

fn update_request(
    body: &Map<String, Value>,
    actor_id: &str,
    check_only: bool,
) -> Result<auth::UpdateOperatorRequest, Failure> {
    no_password(body)?;
    Ok(auth::UpdateOperatorRequest {
        id: Fields(body).text("id")?.to_owned(),
        roles: roles(body)?,
        disabled: optional_flag(body, "disabled")?,
        actor_id: actor_id.to_owned(),
        reset: optional_flag(body, "reset")?.unwrap_or(false),
        check_only,
    })
}

/// A change of roles by an operator waits for a second admin; disabling and a reset (which only
/// take away) act at once.
pub(super) async fn update(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let request = update_request(&body, &actor.id, false)?;
        if actor.is_token() || request.roles.is_empty() {
            return update_now(&gw, &body, &actor.id).await;
        }
        let check = auth::UpdateOperatorRequest {
            check_only: true,
            ..request.clone()
        };
        gw.auth
            .clone()
            .update_operator(check)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?;
        let current = every_operator(&gw)
            .await?
            .into_iter()
            .find(|o| o.id == request.id)
            .ok_or_else(codes::system_error)?;
        let mut summary = format!(
            "操作员 {}：角色 {} → {}",
            current.username,
            role_names(&current.roles),
            role_names(&request.roles)
        );
        if request.reset || request.disabled.is_some() {
            summary.push_str("（并停用或重置）");
        }
        approvals::propose(
            &gw,
            &actor,
            "/admin/operators/update",
            &request.id,
            &body,
            summary,
        )
        .await
    })
    .await
}

/// Applies the change as `maker` asked (at once, or confirmed by a second admin).
pub(super) async fn update_now(gw: &Gateway, body: &Map<String, Value>, maker_id: &str) -> Outcome {
    let request = update_request(body, maker_id, false)?;
    let id = request.id.clone();
    let reset = request.reset;
    // A reset shows only as having happened.
    let with_reset = |snapshot: Option<Value>, state: &str| {
        snapshot.map(|mut s| {
            if reset {
                s["password"] = json!(state);
            }
            s
        })
    };
    let before = with_reset(changes::operator(gw, &id).await, "(old)");
    let reply = gw
        .auth
        .clone()
        .update_operator(request)
        .await
        .map_err(|s| from_status(&s, &ADMIN))?;
    let after = with_reset(changes::operator(gw, &id).await, "(reset)");
    let outcome = Ok(Success::new("0000", "更新成功", created(reply.into_inner())));
    changes::attach(outcome, before, after)
}
