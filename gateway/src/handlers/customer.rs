//! API.md §6.2, customer verification, profile and contacts (auth-service). All session routes:
//! the user is the session's, never the body's.

use actix_web::web::Data;
use cashloan_proto::auth::v1 as pb;
use cashloan_proto::Reason;
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::codes::{bad_field, from_status, Failure, Failures};
use crate::envelope::{Outcome, Success};
use crate::state::Gateway;

fn flag(on: bool) -> &'static str {
    if on {
        "1"
    } else {
        "0"
    }
}

fn user_ref(call: &Call) -> Result<pb::UserRef, Failure> {
    Ok(pb::UserRef {
        user_id: call.user()?.user_id.clone(),
    })
}

pub(crate) const PLAIN: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #19
pub async fn authentication_status(gw: Data<Gateway>, call: Call) -> Outcome {
    let s = gw
        .auth
        .clone()
        .get_authentication_status(user_ref(&call)?)
        .await
        .map_err(|s| from_status(&s, &PLAIN))?
        .into_inner();
    let result = json!({
        "realNameAuthStatus": flag(s.real_name_verified),
        "bankCardAuthStatus": flag(s.bank_card_verified),
        "customerInfoStatus": flag(s.customer_info_complete),
        "mobileAuthStatus": flag(s.mobile_verified),
        "isBlackList": flag(s.blacklisted),
        "isRisk": flag(s.risk),
        "authRealName": s.masked_real_name,
        "authNumber": s.masked_id_card_no,
        "bankCardNumber": s.masked_bank_card_no,
        "bankCardMobile": s.masked_bank_card_mobile,
    });
    Ok(Success::new("0000", "查询成功", result))
}

pub(crate) const REAL_NAME: Failures = Failures {
    specific: &[(Reason::VerificationRejected, "20007002", "身份信息核验不一致")],
    fallback: ("20007002", "身份实名认证失败"),
};

/// #32: resultSet is the carrier-check status, "0" or "1".
pub async fn verify_real_name(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::VerifyRealNameRequest {
        user_id: call.user()?.user_id.clone(),
        real_name: f.text("realName")?.to_owned(),
        id_card_no: f.text("idCardNo")?.to_owned(),
    };
    let reply = gw
        .auth
        .clone()
        .verify_real_name(request)
        .await
        .map_err(|s| from_status(&s, &REAL_NAME))?;
    Ok(Success::new(
        "0000",
        "身份实名认证成功",
        json!(flag(reply.into_inner().mobile_verified)),
    ))
}

pub(crate) const BANK_CARD: Failures = Failures {
    specific: &[(Reason::VerificationRejected, "20007011", "银行卡信息核验不一致")],
    fallback: ("20007011", "银行卡认证失败"),
};

/// #30
pub async fn verify_bank_card(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::VerifyBankCardRequest {
        user_id: call.user()?.user_id.clone(),
        card_no: f.text("bankCardNo")?.to_owned(),
        reserved_mobile: f.text("mobile")?.to_owned(),
    };
    gw.auth
        .clone()
        .verify_bank_card(request)
        .await
        .map_err(|s| from_status(&s, &BANK_CARD))?;
    Ok(Success::empty("0000", "银行卡认证成功"))
}

pub(crate) const CARRIER: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "手机实名认证失败"),
};

/// #31
pub async fn verify_carrier(gw: Data<Gateway>, call: Call) -> Outcome {
    gw.auth
        .clone()
        .verify_carrier(user_ref(&call)?)
        .await
        .map_err(|s| from_status(&s, &CARRIER))?;
    Ok(Success::empty("0000", "手机实名认证成功"))
}

/// The profile's wire names, in the order of API.md §6.2, with their proto fields.
macro_rules! profile_fields {
    ($m:ident) => {
        $m! {
            "education" => education,
            "martialStatus" => martial_status,
            "registry_province" => registry_province,
            "registry_city" => registry_city,
            "registry_detail" => registry_detail,
            "house_address_province" => house_address_province,
            "house_address_city" => house_address_city,
            "house_address_county" => house_address_county,
            "house_address_detail" => house_address_detail,
            "residenceLength" => residence_length,
            "industryType" => industry_type,
            "work_address_province" => work_address_province,
            "work_address_city" => work_address_city,
            "work_address_county" => work_address_county,
            "work_address_detail" => work_address_detail,
            "workingHours" => working_hours,
            "currentWorkInfo" => current_work_info,
            "currentPosition" => current_position,
            "monthIncome" => month_income,
            "payrollDay" => payroll_day,
        }
    };
}

/// A field given as a string or, for the numeric ones, as a JSON integer.
fn text_or_integer(body: &Map<String, Value>, name: &str, required: bool) -> Result<String, Failure> {
    let f = crate::envelope::Fields(body);
    if required {
        f.number_text(name)
    } else {
        f.optional_number_text(name).map(Option::unwrap_or_default)
    }
}

fn profile_from(body: &Map<String, Value>) -> Result<pb::Profile, Failure> {
    macro_rules! build {
        ($($wire:literal => $field:ident,)*) => {
            pb::Profile { $($field: text_or_integer(body, $wire, $wire != "payrollDay")?,)* }
        };
    }
    Ok(profile_fields!(build))
}

pub(crate) fn profile_json(p: &pb::Profile) -> Map<String, Value> {
    macro_rules! render {
        ($($wire:literal => $field:ident,)*) => {{
            let mut map = Map::new();
            $(map.insert($wire.to_owned(), Value::String(p.$field.clone()));)*
            map
        }};
    }
    profile_fields!(render)
}

/// #33: the saved profile (empty strings before) and `relShipList`, phones masked.
pub async fn get_profile(gw: Data<Gateway>, call: Call) -> Outcome {
    let reply = gw
        .auth
        .clone()
        .get_profile(user_ref(&call)?)
        .await
        .map_err(|s| from_status(&s, &PLAIN))?
        .into_inner();
    let mut result = profile_json(&reply.profile.unwrap_or_default());
    let contacts: Vec<Value> = reply
        .contacts
        .into_iter()
        .map(|c| json!({"id": c.id, "relType": c.rel_type, "realName": c.real_name, "phoneNum": c.phone}))
        .collect();
    result.insert("relShipList".into(), Value::Array(contacts));
    Ok(Success::new("0000", "查询成功", Value::Object(result)))
}

pub(crate) const PROFILE: Failures = Failures {
    specific: &[],
    fallback: ("20007020", "个人信息格式错误"),
};

/// #34
pub async fn save_profile(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::SaveProfileRequest {
        user_id: call.user()?.user_id.clone(),
        profile: Some(profile_from(&call.body)?),
    };
    gw.auth
        .clone()
        .save_profile(request)
        .await
        .map_err(|s| from_status(&s, &PROFILE))?;
    Ok(Success::empty("0000", "完善个人信息成功"))
}

/// #35: add (resultSet the new id) or update one of the caller's contacts.
pub async fn save_contact(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let oper_type = f.text("operType")?;
    if oper_type != "add" && oper_type != "update" {
        return Err(bad_field("operType"));
    }
    let contact = pb::Contact {
        id: if oper_type == "update" {
            f.text("id")?.to_owned()
        } else {
            String::new()
        },
        rel_type: f.text("relType")?.to_owned(),
        real_name: f.text("realName")?.to_owned(),
        phone: f.text("phoneNum")?.to_owned(),
    };
    let request = pb::SaveContactRequest {
        user_id: call.user()?.user_id.clone(),
        oper_type: oper_type.to_owned(),
        contact: Some(contact),
    };
    let reply = gw
        .auth
        .clone()
        .save_contact(request)
        .await
        .map_err(|s| from_status(&s, &PROFILE))?
        .into_inner();
    Ok(Success::new(
        "0000",
        "完善联系人信息成功",
        Value::String(reply.id),
    ))
}
