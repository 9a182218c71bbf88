//! `/admin/reveal` (API.md §7): field, userId, reason → one value whole. Lists and pages mask
//! personal data; this is the one way to see it, and it is audited like every admin call, with its
//! reason (the value itself is never written to the log).

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use serde_json::json;

use super::{admin, USERS};
use crate::codes::{bad_field, from_status};
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

/// A reason an auditor can read: not blank, not an essay.
const REASON_MAX_CHARS: usize = 200;

pub(super) async fn reveal(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let reason = f.text("reason")?.trim();
        if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
            return Err(bad_field("reason"));
        }
        let request = auth::RevealFieldRequest {
            user_id: f.text("userId")?.to_owned(),
            field: f.text("field")?.to_owned(),
        };
        let revealed = gw
            .auth
            .clone()
            .reveal_field(request)
            .await
            .map_err(|s| from_status(&s, &USERS))?
            .into_inner();
        Ok(Success::new("0000", "查询成功", json!(revealed.value)))
    })
    .await
}
