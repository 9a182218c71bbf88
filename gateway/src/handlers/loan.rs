//! API.md §6.3 products (product-service) and the §6.4 quote (loan-service).

use actix_web::web::Data;
use cashloan_proto::loan::v1 as pb;
use cashloan_proto::product::v1 as product;
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::codes::{bad_field, from_status, Failure, Failures};
use crate::envelope::{Outcome, Success};
use crate::paging::{loan_page, page_request, paged};
use crate::product_wire;
use crate::state::Gateway;

pub(crate) const PRODUCTS: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #20: products on sale, in their configured order.
pub async fn product_list(gw: Data<Gateway>, _call: Call) -> Outcome {
    let cached = {
        let slot = gw
            .product_list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.as_ref()
            .filter(|(at, _)| at.elapsed() < crate::state::PRODUCT_LIST_TTL)
            .map(|(_, items)| items.clone())
    };
    let items = match cached {
        Some(items) => items,
        None => {
            let list = gw
                .product
                .clone()
                .list_products(product::ListProductsRequest::default())
                .await
                .map_err(|s| from_status(&s, &PRODUCTS))?
                .into_inner();
            let items = Value::Array(
                list.products
                    .iter()
                    .map(|p| Value::Object(product_wire::summary(p)))
                    .collect(),
            );
            *gw.product_list
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some((std::time::Instant::now(), items.clone()));
            items
        }
    };
    Ok(Success::new("0000", "获取产品展示信息成功", items))
}

/// #21: one product on sale; unknown or off sale is 10001000 产品不存在.
pub async fn product_detail(gw: Data<Gateway>, call: Call) -> Outcome {
    let id = call.fields().text("productId")?.to_owned();
    let p = gw
        .product
        .clone()
        .get_product(product::GetProductRequest { id })
        .await
        .map_err(|s| from_status(&s, &PRODUCTS))?
        .into_inner();
    Ok(Success::new(
        "0000",
        "获取产品详细信息成功",
        product_wire::detail(&p),
    ))
}

/// A term field as its text: a string, or a JSON number written as it was sent.
fn term_text(body: &Map<String, Value>, name: &str) -> Result<String, Failure> {
    crate::envelope::Fields(body).number_text(name)
}

/// The terms of #22 and #23, as sent, for the session's user.
fn loan_terms(call: &Call) -> Result<pb::QuoteRequest, Failure> {
    let b = &call.body;
    Ok(pb::QuoteRequest {
        user_id: call.user()?.user_id.clone(),
        product_id: call.fields().text("productId")?.to_owned(),
        amount: term_text(b, "amount")?,
        term_count: term_text(b, "termCount")?,
        term_unit: term_text(b, "termUnit")?,
        repay_term_count: term_text(b, "repayTermCount")?,
        repay_term_unit: term_text(b, "repayTermUnit")?,
        repay_type: term_text(b, "repayType")?,
        interest_rate: term_text(b, "interestRate")?,
    })
}

pub(crate) const QUOTE: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #22: the quote with its full schedule.
pub async fn quote(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = loan_terms(&call)?;
    let q = gw
        .loan
        .clone()
        .quote(request)
        .await
        .map_err(|s| from_status(&s, &QUOTE))?
        .into_inner();
    let schedule: Vec<Value> = q
        .schedule
        .into_iter()
        .map(|p| {
            json!({"periodNum": p.period_num, "dueRepayDate": p.due_repay_date, "duePrincipal": p.due_principal,
                "dueInterest": p.due_interest, "fee": p.fee, "dueAmount": p.due_amount})
        })
        .collect();
    let result = json!({
        "applyAmount": q.apply_amount, "replyAmount": q.reply_amount, "totalAmount": q.total_amount,
        "totalDuePrincipal": q.total_due_principal, "totalDueInterest": q.total_due_interest,
        "totalDueFee": q.total_due_fee, "repayTime": q.repay_time, "apr": q.apr, "schedule": schedule,
        "contractPreviewUrl": gw.config.contract_url(&q.contract_preview_token),
    });
    Ok(Success::new("0000", "获取申请确认信息成功", result))
}

/// The app's view of an application (#28); operators also get `userId` and `mobile`.
pub fn application_json(a: &pb::Application, for_operator: bool, config: &crate::Config) -> Value {
    let contracts: Vec<Value> = a
        .contracts
        .iter()
        .map(|c| json!({"contractName": c.name, "contractPath": config.contract_url(&c.token)}))
        .collect();
    let mut item = json!({
        "id": a.id, "loanProductId": a.product_id, "name": a.product_name, "code": a.code,
        "applyStatus": a.status.to_string(), "applyAmount": a.apply_amount, "replyAmount": a.reply_amount,
        "repayType": a.repay_type, "releaseDate": a.release_date, "applyTime": a.applied_at,
        "termCount": a.term_count, "termUnit": a.term_unit, "interestRate": a.interest_rate,
        "penaltyRate": a.penalty_rate, "authTermCount": a.auth_term_count, "authTermUnit": a.auth_term_unit,
        "useType": a.purpose, "otherChannels": a.other_channels, "contractInfoList": contracts,
        "needConfirm": if a.need_confirm { "1" } else { "0" },
        "contractPreviewUrl": match a.confirm_preview_token.as_str() {
            "" => String::new(),
            token => config.contract_url(token),
        },
    });
    if for_operator {
        item["userId"] = json!(a.user_id);
        item["mobile"] = json!(a.mobile);
    }
    item
}

/// The phonebook as submitted: `[{contactName, contactPhone}]`, kept as JSON.
fn phonebook(body: &Map<String, Value>) -> Result<String, Failure> {
    let list = match body.get("phonebookList") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => return Ok("[]".into()),
        _ => return Err(bad_field("phonebookList")),
    };
    let valid = list.iter().all(|c| {
        c.as_object().is_some_and(|o| {
            o.get("contactName").is_some_and(Value::is_string)
                && o.get("contactPhone").is_some_and(Value::is_string)
        })
    });
    if !valid || list.len() > 5000 {
        return Err(bad_field("phonebookList"));
    }
    Ok(Value::Array(list.clone()).to_string())
}

pub(crate) const APPLY: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #23: resultSet "20005000".
pub async fn apply(gw: Data<Gateway>, call: Call) -> Outcome {
    let b = &call.body;
    let f = call.fields();
    let user = call.user()?;
    let terms = loan_terms(&call)?;
    let request = pb::ApplyRequest {
        terms: Some(terms),
        mobile: user.mobile.clone(),
        client_ip: call.client_ip.clone(),
        app: call.app()?,
        longitude: term_text(b, "longitude")?,
        latitude: term_text(b, "latitude")?,
        order_id: term_text(b, "orderId")?,
        purpose: term_text(b, "purpose")?,
        other_channels: term_text(b, "otherChannels")?,
        remark: f.optional_text("remark")?.to_owned(),
        phonebook_json: phonebook(b)?,
    };
    gw.loan
        .clone()
        .apply(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?;
    Ok(Success::new("20005000", "贷款申请成功", json!("20005000")))
}

/// #40: the borrower accepts the terms the review changed.
pub async fn confirm_terms(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::ConfirmTermsRequest {
        user_id: call.user()?.user_id.clone(),
        application_id: call.fields().text("loanProductApplyId")?.to_owned(),
        client_ip: call.client_ip.clone(),
        app: call.app()?,
    };
    gw.loan
        .clone()
        .confirm_terms(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?;
    Ok(Success::new("0000", "操作成功", json!("")))
}

/// #28: the caller's applications, newest first.
pub async fn applications(gw: Data<Gateway>, call: Call) -> Outcome {
    let page = page_request(&call.body)?;
    let request = pb::ListApplicationsRequest {
        user_id: call.user()?.user_id.clone(),
        page: loan_page(page),
        ..Default::default()
    };
    let reply = gw
        .loan
        .clone()
        .list_applications(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?
        .into_inner();
    let items = reply
        .items
        .iter()
        .map(|a| application_json(a, false, &gw.config))
        .collect();
    Ok(paged(items, page, reply.total))
}

/// #29: one of the caller's applications' periods; anyone else's id is an empty page.
pub async fn plan(gw: Data<Gateway>, call: Call) -> Outcome {
    let page = page_request(&call.body)?;
    let request = pb::ListPlanRequest {
        user_id: call.user()?.user_id.clone(),
        application_id: call.fields().text("loanProductApplyId")?.to_owned(),
        page: loan_page(page),
    };
    let reply = gw
        .loan
        .clone()
        .list_plan(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?
        .into_inner();
    let items = reply
        .items
        .iter()
        .map(|p| {
            Ok(json!({"repayId": p.id, "periodNum": p.period_num, "dueRepayDate": p.due_at, "duePrincipal": p.due_principal,
                "dueInterest": p.due_interest, "fee": p.fee, "dueAmount": p.due_amount,
                "loanProductApplyId": p.application_id, "repayStatus": repay_status(p.repay_status())?}))
        })
        .collect::<Result<_, Failure>>()?;
    Ok(paged(items, page, reply.total))
}

/// A period's repayStatus on the wire; a status this gateway cannot show is a fault, not a guess.
fn repay_status(status: pb::PeriodStatus) -> Result<&'static str, Failure> {
    match status {
        pb::PeriodStatus::Unpaid => Ok("0"),
        pb::PeriodStatus::Paid => Ok("1"),
        pb::PeriodStatus::Processing => Ok("2"),
        pb::PeriodStatus::Unspecified => {
            tracing::error!("a period without a status");
            Err(crate::codes::system_error())
        }
    }
}

/// #26: the caller's periods across loans; condition 0/absent all, 1 paid, 2 unpaid and not
/// overdue, 3 overdue, 4 paid early.
pub async fn repayments(gw: Data<Gateway>, call: Call) -> Outcome {
    let page = page_request(&call.body)?;
    let condition = match call.body.get("condition") {
        None | Some(Value::Null) => pb::ListCondition::All,
        Some(v) => {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            match text.trim_start_matches('0') {
                "" if !text.is_empty() => pb::ListCondition::All,
                "1" => pb::ListCondition::Paid,
                "2" => pb::ListCondition::Unpaid,
                "3" => pb::ListCondition::Overdue,
                "4" => pb::ListCondition::PaidEarly,
                _ => return Err(bad_field("condition")),
            }
        }
    };
    let request = pb::ListRepaymentsRequest {
        user_id: call.user()?.user_id.clone(),
        condition: condition.into(),
        page: loan_page(page),
    };
    let reply = gw
        .loan
        .clone()
        .list_repayments(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?
        .into_inner();
    let items = reply
        .items
        .iter()
        .map(|r| {
            Ok(json!({"id": r.id, "productName": r.product_name, "code": r.code, "periodNum": r.period_num,
                "dueRepayDate": r.due_repay_date, "repayStatus": repay_status(r.repay_status())?, "applyAmount": r.apply_amount,
                "duePrincipal": r.due_principal, "dueInterest": r.due_interest, "duePenalty": r.due_penalty,
                "dueFeeAmount": r.due_fee_amount, "dueTotalAmount": r.due_total_amount,
                "needPayTotalAmount": r.need_pay_total_amount,
                "contractUrl": if r.contract_token.is_empty() { String::new() } else { gw.config.contract_url(&r.contract_token) }}))
        })
        .collect::<Result<_, Failure>>()?;
    Ok(paged(items, page, reply.total))
}

/// #27
pub async fn user_center(gw: Data<Gateway>, call: Call) -> Outcome {
    let user = call.user()?;
    let request = pb::UserCenterRequest {
        user_id: user.user_id.clone(),
    };
    let c = gw
        .loan
        .clone()
        .user_center(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?
        .into_inner();
    let mobile = &user.mobile;
    let masked_mobile = cashloan_runtime::mask::mobile(mobile);
    let result = json!({
        "realName": c.masked_real_name, "mobile": masked_mobile, "availableCredit": c.available_credit,
        "totalCredit": c.total_credit, "totalApplyAmount": c.total_apply_amount, "totalNeedPayAmount": c.total_need_pay_amount,
    });
    Ok(Success::new("0000", "查询成功", result))
}

/// #36: `current` pays the period, `all` the whole loan; never twice.
pub async fn repay(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let kind = match f.text("repayType")? {
        "current" => pb::RepayKind::Current,
        "all" => pb::RepayKind::All,
        _ => return Err(bad_field("repayType")),
    };
    let request = pb::RepayRequest {
        user_id: call.user()?.user_id.clone(),
        period_id: f.text("id")?.to_owned(),
        kind: kind.into(),
    };
    gw.payments
        .clone()
        .repay(request)
        .await
        .map_err(|s| from_status(&s, &APPLY))?;
    Ok(Success::empty("0000", "还款成功"))
}
