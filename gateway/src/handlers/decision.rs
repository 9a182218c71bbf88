//! API.md §6.7: how an application was decided (#41) and a person's review of an automatic
//! rejection (#42). The borrower sees the ruleset's texts, never a score, band or bureau data.

use actix_web::web::Data;
use cashloan_proto::loan::v1 as pb;
use serde_json::json;

use crate::call::Call;
use crate::codes::from_status;
use crate::envelope::{Outcome, Success};
use crate::handlers::loan::APPLY;
use crate::state::Gateway;

/// #41: `{decidedBy, outcome, reasons, decidedTime, reviewRequestable}`.
pub async fn get(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::LoanDecisionRequest {
        user_id: call.user()?.user_id.clone(),
        application_id: call.fields().text("loanProductApplyId")?.to_owned(),
    };
    let d = gw
        .loan
        .clone()
        .get_loan_decision(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?
        .into_inner();
    let reasons: Vec<_> = d
        .reasons
        .iter()
        .map(|r| json!({"code": r.code, "text": r.text}))
        .collect();
    Ok(Success::new(
        "0000",
        "操作成功",
        json!({
            "decidedBy": d.decided_by,
            "outcome": d.outcome,
            "reasons": reasons,
            "decidedTime": match d.decided_at {
                0 => String::new(),
                at => cashloan_runtime::clock::format_datetime_cst(at),
            },
            "reviewRequestable": if d.review_requestable { "1" } else { "0" },
        }),
    ))
}

/// #42: back to 审核中 with the borrower's reason, once within 15 days of an automatic rejection.
pub async fn request_review(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::ManualReviewRequest {
        user_id: call.user()?.user_id.clone(),
        application_id: f.text("loanProductApplyId")?.to_owned(),
        reason: f.text("reason")?.to_owned(),
    };
    gw.loan
        .clone()
        .request_manual_review(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?;
    Ok(Success::new("0000", "操作成功", json!("")))
}
