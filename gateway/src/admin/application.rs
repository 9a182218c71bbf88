//! `/admin/loans/detail`: what a reviewer decides on, on one page — the application, the
//! applicant's verification state and profile (masked: the reviewer sees that they exist and
//! where, not the values), the credit line, and who moved the application when.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use cashloan_proto::loan::v1 as loan;
use cashloan_runtime::mask;
use serde_json::{json, Map, Value};

use super::{admin, LOANS};
use crate::codes::{from_status, Failure};
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

/// A name as `张*`, `欧**`: the first character only.
fn masked_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// The profile with its street-level details masked: the province and city are the risk
/// signal, the street address is not needed to decide.
fn masked_profile(profile: &auth::Profile) -> Map<String, Value> {
    let mut map = crate::handlers::customer::profile_json(profile);
    for (key, value) in map.iter_mut() {
        if key.ends_with("_detail") {
            if let Value::String(text) = value {
                if !text.is_empty() {
                    *value = json!("****");
                }
            }
        }
    }
    map
}

fn history_json(h: &loan::HistoryEntry) -> Value {
    json!({
        "fromStatus": if h.from_status < 0 { String::new() } else { h.from_status.to_string() },
        "toStatus": h.to_status.to_string(),
        "actor": h.actor,
        "remark": h.remark,
        "at": cashloan_runtime::clock::format_datetime_cst(h.at),
    })
}

pub(super) async fn application(gw: &Gateway, id: &str) -> Result<loan::Application, Failure> {
    read(gw, id, false).await
}

/// Its status and terms only (no contract links): what the audit's before/after values need.
pub(super) async fn bare(gw: &Gateway, id: &str) -> Result<loan::Application, Failure> {
    read(gw, id, true).await
}

async fn read(gw: &Gateway, id: &str, bare: bool) -> Result<loan::Application, Failure> {
    let request = loan::ListApplicationsRequest {
        application_id: id.to_owned(),
        bare,
        ..Default::default()
    };
    gw.loan
        .clone()
        .list_applications(request)
        .await
        .map_err(|s| from_status(&s, &LOANS))?
        .into_inner()
        .items
        .into_iter()
        .next()
        .ok_or_else(|| Failure::new("10001000", "借款申请不存在"))
}

pub(super) async fn detail(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let id = Fields(&body).text("applyId")?.to_owned();
        let app = application(&gw, &id).await?;
        let user = || auth::UserRef {
            user_id: app.user_id.clone(),
        };
        let (mut auth_a, mut auth_b, mut loan_a, mut loan_b) =
            (gw.auth.clone(), gw.auth.clone(), gw.loan.clone(), gw.loan.clone());
        let (status, profile, credit, history) = tokio::join!(
            auth_a.get_authentication_status(user()),
            auth_b.get_profile(user()),
            loan_a.user_center(loan::UserCenterRequest {
                user_id: app.user_id.clone(),
            }),
            loan_b.application_history(loan::ApplicationRef {
                application_id: id.clone(),
            }),
        );
        let failed = |s: tonic::Status| from_status(&s, &LOANS);
        let status = status.map_err(failed)?.into_inner();
        let profile = profile.map_err(failed)?.into_inner();
        let credit = credit.map_err(failed)?.into_inner();
        let history = history.map_err(failed)?.into_inner();

        let mut application = crate::handlers::loan::application_json(&app, true, &gw.config);
        application["mobile"] = json!(mask::mobile(&app.mobile));
        let contacts: Vec<Value> = profile
            .contacts
            .iter()
            .map(|c| json!({"relType": c.rel_type, "realName": masked_name(&c.real_name), "phoneNum": c.phone}))
            .collect();
        let result = json!({
            "application": application,
            "verification": {
                "realNameVerified": status.real_name_verified,
                "bankCardVerified": status.bank_card_verified,
                "mobileVerified": status.mobile_verified,
                "customerInfoComplete": status.customer_info_complete,
                "blacklisted": status.blacklisted,
                "risk": status.risk,
                "realName": status.masked_real_name,
                "idCardNo": status.masked_id_card_no,
                "bankCardNo": status.masked_bank_card_no,
                "bankCardMobile": status.masked_bank_card_mobile,
            },
            "profile": profile.profile.as_ref().map(masked_profile),
            "contacts": contacts,
            "credit": {"totalCredit": credit.credit_line, "availableCredit": credit.available_credit},
            "history": history.items.iter().map(history_json).collect::<Vec<_>>(),
        });
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(masked_name("张三"), "张*");
        assert_eq!(masked_name("欧阳娜娜"), "欧***");
        assert_eq!(masked_name(""), "");
    }

    #[test]
    fn street_details_are_masked_and_the_region_kept() {
        let profile = auth::Profile {
            house_address_province: "浙江省".into(),
            house_address_detail: "西湖区文三路 1 号".into(),
            work_address_detail: String::new(),
            ..Default::default()
        };
        let map = masked_profile(&profile);
        assert_eq!(map["house_address_province"], "浙江省");
        assert_eq!(map["house_address_detail"], "****");
        assert_eq!(map["work_address_detail"], "", "nothing to mask");
    }
}
