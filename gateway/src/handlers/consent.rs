//! API.md §6.6, consents (#37–#39, auth-service). Session routes: the user is the session's.

use actix_web::web::Data;
use cashloan_proto::auth::v1 as pb;
use serde_json::{json, Value};

use crate::call::Call;
use crate::codes::{from_status, Failure};
use crate::envelope::{Outcome, Success};
use crate::handlers::customer::PLAIN;
use crate::state::Gateway;

fn origin(call: &Call) -> Result<Option<pb::Origin>, Failure> {
    Ok(Some(pb::Origin {
        client_ip: call.client_ip.clone(),
        app: call.app()?,
    }))
}

/// #37: each consent with its current text's page and whether it is held.
pub async fn list(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::UserRef {
        user_id: call.user()?.user_id.clone(),
    };
    let reply = gw
        .auth
        .clone()
        .get_consents(request)
        .await
        .map_err(|s| from_status(&s, &PLAIN))?
        .into_inner();
    let list: Vec<Value> = reply
        .consents
        .into_iter()
        .map(|c| {
            let accepted_time = match c.accepted_at {
                0 => String::new(),
                at => cashloan_runtime::clock::format_datetime_cst(at),
            };
            json!({
                "consentType": c.consent_type,
                "title": c.title,
                "version": c.version,
                "url": gw.config.consent_url(&c.consent_type, &c.version),
                "accepted": if c.accepted { "1" } else { "0" },
                "acceptedTime": accepted_time,
            })
        })
        .collect();
    Ok(Success::new("0000", "查询成功", Value::Array(list)))
}

/// #38
pub async fn accept(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::AcceptConsentRequest {
        user_id: call.user()?.user_id.clone(),
        consent_type: f.text("consentType")?.to_owned(),
        version: f.number_text("version")?,
        origin: origin(&call)?,
    };
    gw.auth
        .clone()
        .accept_consent(request)
        .await
        .map_err(|s| from_status(&s, &PLAIN))?;
    Ok(Success::new("0000", "操作成功", json!("")))
}

/// #39
pub async fn withdraw(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::WithdrawConsentRequest {
        user_id: call.user()?.user_id.clone(),
        consent_type: call.fields().text("consentType")?.to_owned(),
        origin: origin(&call)?,
    };
    gw.auth
        .clone()
        .withdraw_consent(request)
        .await
        .map_err(|s| from_status(&s, &PLAIN))?;
    Ok(Success::new("0000", "操作成功", json!("")))
}
