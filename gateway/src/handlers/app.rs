//! API.md §6.1, the endpoints message-service answers: feedback and app versions.

use actix_web::web::Data;
use cashloan_proto::auth::v1 as auth;
use cashloan_proto::message::v1 as pb;
use cashloan_proto::Reason;
use serde_json::json;

use crate::call::Call;
use crate::codes::{from_status, Failures};
use crate::envelope::{Outcome, Success};
use crate::paging::{page_request, PageRequest};
use crate::state::Gateway;

pub(crate) const FEEDBACK: Failures = Failures {
    specific: &[
        (Reason::SuggestionInvalid, "20003007", "意见反馈内容须为1-500个字"),
        (Reason::InvalidField, "20003007", "意见反馈失败"),
    ],
    fallback: ("20003007", "意见反馈失败"),
};

/// #16: feedback from a registered mobile.
pub async fn commit_suggestion(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let mobile = f.text("mobile")?.to_owned();
    let suggestion = f.text("suggestion")?.to_owned();
    let source = f.optional_text("source")?.to_owned();
    let account = gw
        .auth
        .clone()
        .find_account(auth::FindAccountRequest { mobile })
        .await
        .map_err(|s| from_status(&s, &FEEDBACK))?
        .into_inner();
    let request = pb::SubmitFeedbackRequest {
        user_id: account.user_id,
        mobile: account.mobile,
        suggestion,
        source,
    };
    gw.message
        .clone()
        .submit_feedback(request)
        .await
        .map_err(|s| from_status(&s, &FEEDBACK))?;
    Ok(Success::empty("20003006", "意见反馈成功"))
}

pub(crate) const VERSION: Failures = Failures {
    specific: &[
        (Reason::AppTypeInvalid, "20003009", "应用类型错误"),
        (Reason::AppVersionNotPublished, "20003009", "暂无版本信息"),
        (Reason::InvalidField, "20003009", "版本号格式错误"),
    ],
    fallback: ("20003009", "版本检测失败"),
};

/// #17
pub async fn detect_version(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::DetectAppVersionRequest {
        app_type: f.text("appType")?.to_owned(),
        app_version: f.optional_text("appVersion")?.to_owned(),
    };
    let v = gw
        .message
        .clone()
        .detect_app_version(request)
        .await
        .map_err(|s| from_status(&s, &VERSION))?
        .into_inner();
    let result = json!({
        "appType": v.app_type,
        "latestVersion": v.latest_version,
        "minSupportedVersion": v.min_supported_version,
        "downloadUrl": v.download_url,
        "releaseNotes": v.release_notes,
        "forceUpdate": if v.force_update { "1" } else { "0" },
    });
    Ok(Success::new("20003008", "版本检测成功", result))
}

pub(crate) const MESSAGES: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

fn message_json(m: &pb::MessageItem, with_url: bool) -> serde_json::Value {
    let mut item = json!({
        "id": m.id, "messageTitle": m.title, "messageContent": m.content, "messageType": m.message_type,
        "sendDate": cashloan_runtime::clock::format_datetime_cst(m.sent_at),
    });
    if with_url {
        item["eventUrl"] = json!(m.event_url);
    }
    item
}

fn paged_messages(reply: pb::MessagePage, page: PageRequest, with_url: bool) -> Success {
    let items = reply.items.iter().map(|m| message_json(m, with_url)).collect();
    crate::paging::paged(items, page, reply.total)
}

/// #24: the caller's messages, newest first.
pub async fn custom_messages(gw: Data<Gateway>, call: Call) -> Outcome {
    let page = page_request(&call.body)?;
    let request = pb::ListCustomerMessagesRequest {
        user_id: call.user()?.user_id.clone(),
        page: Some(pb::Page {
            num: page.num,
            size: page.size,
        }),
    };
    let reply = gw
        .message
        .clone()
        .list_customer_messages(request)
        .await
        .map_err(|s| from_status(&s, &MESSAGES))?;
    Ok(paged_messages(reply.into_inner(), page, false))
}

/// #25: announcements and campaigns for everyone, newest first.
pub async fn system_messages(gw: Data<Gateway>, call: Call) -> Outcome {
    let page = page_request(&call.body)?;
    let request = pb::ListSystemMessagesRequest {
        page: Some(pb::Page {
            num: page.num,
            size: page.size,
        }),
    };
    let reply = gw
        .message
        .clone()
        .list_system_messages(request)
        .await
        .map_err(|s| from_status(&s, &MESSAGES))?;
    Ok(paged_messages(reply.into_inner(), page, true))
}
