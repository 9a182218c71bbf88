//! The admin listener (API.md §7): plain JSON, `Authorization: Bearer <ADMIN_TOKEN>`.

pub(crate) mod actor;
mod application;
mod approvals;
mod audit;
mod changes;
mod collections;
mod contracts;
mod customer_state;
pub(crate) mod ledger;
mod operators;
pub(crate) mod payments;
mod reveal;
mod risk;
mod users;

use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use cashloan_proto::loan::v1 as loan;
use cashloan_proto::message::v1 as pb;
use serde_json::{json, Map, Value};

use crate::codes::{self, from_status, Failure, Failures};
use crate::envelope::{self, Fields, Outcome, Success};
use crate::state::Gateway;
pub use actor::Actor;
pub(crate) use audit::{finish, start as record};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/sms/outbox", web::post().to(sms_outbox))
        .route("/admin/appVersions/publish", web::post().to(publish_app_version))
        .route("/admin/users/update", web::post().to(update_user))
        .route("/admin/users/detail", web::post().to(users::detail))
        .route("/admin/products/upsert", web::post().to(upsert_product))
        .route("/admin/products/list", web::post().to(list_products))
        .route("/admin/loans/list", web::post().to(list_loans))
        .route("/admin/loans/detail", web::post().to(application::detail))
        .route("/admin/loans/overview", web::post().to(collections::overview))
        .route("/admin/collections/list", web::post().to(collections::list))
        .route("/admin/collections/note", web::post().to(collections::note))
        .route("/admin/loans/review", web::post().to(review_loan))
        .route("/admin/loans/disburse", web::post().to(disburse_loan))
        .route("/admin/messages/system", web::post().to(publish_system_message))
        .route(
            "/admin/ledger/trialBalance",
            web::post().to(ledger::trial_balance),
        )
        .route("/admin/ledger/fund", web::post().to(ledger::fund))
        .route("/admin/payments/list", web::post().to(payments::list))
        .route("/admin/payments/settle", web::post().to(payments::settle))
        .route("/admin/payments/resolve", web::post().to(payments::resolve))
        .route("/admin/reconciliation/run", web::post().to(payments::reconcile))
        .route(
            "/admin/reconciliation/mismatches",
            web::post().to(payments::mismatches),
        )
        .route("/admin/contracts/verify", web::post().to(contracts::verify))
        .route("/admin/audit/list", web::post().to(audit::list))
        .route("/admin/risk/decisions/get", web::post().to(risk::decision))
        .route("/admin/risk/decisions/list", web::post().to(risk::list_decisions))
        .route("/admin/risk/stats", web::post().to(risk::stats))
        .route("/admin/risk/rulesets/list", web::post().to(risk::list_rulesets))
        .route("/admin/risk/rulesets/get", web::post().to(risk::get_ruleset))
        .route("/admin/risk/rulesets/save", web::post().to(risk::save_ruleset))
        .route("/admin/risk/rulesets/replay", web::post().to(risk::replay))
        .route("/admin/risk/rulesets/activate", web::post().to(risk::activate))
        .route("/admin/reveal", web::post().to(reveal::reveal))
        .route("/admin/approvals/list", web::post().to(approvals::list))
        .route("/admin/approvals/decide", web::post().to(approvals::decide))
        .route("/admin/operators/list", web::post().to(operators::list))
        .route("/admin/operators/create", web::post().to(operators::create))
        .route("/admin/operators/update", web::post().to(operators::update));
}

/// Answers a call refused before it was recorded.
fn refusal(r: actor::Refusal) -> HttpResponse {
    let status =
        actix_web::http::StatusCode::from_u16(r.status).unwrap_or(actix_web::http::StatusCode::FORBIDDEN);
    HttpResponse::build(status).json(Value::Object(envelope::render(Err(r.failure), None)))
}

/// Finds who calls, records the call in the audit log, checks their roles, parses the body,
/// runs `action`, and records its outcome.
async fn admin<F, Fut>(gw: Data<Gateway>, req: HttpRequest, body: Bytes, action: F) -> HttpResponse
where
    F: FnOnce(Data<Gateway>, Map<String, Value>, Actor) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let actor = match actor::authenticate(&gw, &req).await {
        Ok(actor) => actor,
        Err(r) => return refusal(r),
    };
    let parsed = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let who = (actor.name.clone(), actor.role_label());
    // Every service call from here names the operator (or `token`), signed.
    let recorded = cashloan_runtime::grpc::identity::as_operator(who.0.clone(), async {
        let ticket = audit::start(&gw, &req, (&who.0, &who.1), parsed.as_ref(), &body).await?;
        // Refusals by role are recorded too: an operator probing what they may not do is news.
        let permitted = actor.may(req.path());
        let outcome = match parsed {
            _ if !permitted => Err(codes::forbidden()),
            Some(map) => action(gw.clone(), map, actor).await,
            None => Err(codes::bad_request()),
        };
        audit::finish(&gw, ticket, &outcome);
        Ok((permitted, outcome))
    })
    .await;
    let (permitted, outcome) = match recorded {
        Ok(done) => done,
        Err(failure) => return HttpResponse::Ok().json(Value::Object(envelope::render(Err(failure), None))),
    };
    let status = match permitted {
        true => actix_web::http::StatusCode::OK,
        false => actix_web::http::StatusCode::FORBIDDEN,
    };
    HttpResponse::build(status).json(Value::Object(envelope::render(outcome, None)))
}

pub(crate) const ADMIN: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

async fn sms_outbox(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let limit = match body.get("limit") {
            None | Some(Value::Null) => 10,
            Some(v) => crate::paging::positive_int(v).ok_or_else(|| codes::bad_field("limit"))?,
        };
        let request = pb::ListSmsOutboxRequest {
            mobile: f.text("mobile")?.to_owned(),
            limit: limit.min(100),
        };
        let records = gw
            .message
            .clone()
            .list_sms_outbox(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?;
        let items: Vec<Value> = records
            .into_inner()
            .records
            .into_iter()
            .map(|r| {
                json!({
                    "mobile": r.mobile,
                    "content": r.content,
                    "sendDate": cashloan_runtime::clock::format_datetime_cst(r.sent_at),
                })
            })
            .collect();
        Ok(Success::new("0000", "成功", Value::Array(items)))
    })
    .await
}

async fn publish_app_version(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let request = pb::AppVersion {
            app_type: f.text("appType")?.to_owned(),
            latest_version: f.text("latestVersion")?.to_owned(),
            min_supported_version: f.text("minSupportedVersion")?.to_owned(),
            download_url: f.optional_text("downloadUrl")?.to_owned(),
            release_notes: f.optional_text("releaseNotes")?.to_owned(),
            force_update: false,
        };
        gw.message
            .clone()
            .publish_app_version(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?;
        Ok(Success::empty("0000", "发布成功"))
    })
    .await
}

/// An optional "0"/"1" flag (a JSON boolean or 0/1 number is accepted too).
fn optional_flag(body: &Map<String, Value>, name: &str) -> Result<Option<bool>, Failure> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => match v.as_str().map_or_else(|| v.to_string(), str::to_owned).as_str() {
            "0" => Ok(Some(false)),
            "1" => Ok(Some(true)),
            _ => Err(codes::bad_field(name)),
        },
    }
}

pub(crate) const USERS: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

async fn update_user(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let credit_or_blacklist = ["isBlackList", "totalCredit"]
            .iter()
            .any(|k| !matches!(body.get(*k), None | Some(Value::Null)));
        if credit_or_blacklist && !actor.is_token() {
            let summary = approvals::user_change_summary(&gw, &body).await?;
            let mobile = Fields(&body).text("mobile")?;
            return approvals::propose(&gw, &actor, "/admin/users/update", mobile, &body, summary).await;
        }
        update_user_now(&gw, &body).await
    })
    .await
}

/// Carries out `/admin/users/update` (directly, or when its second operator confirms it).
pub(super) async fn update_user_now(gw: &Gateway, body: &Map<String, Value>) -> Outcome {
    let mobile = Fields(body).text("mobile")?.to_owned();
    let before = changes::user(gw, &mobile).await;
    let outcome = apply_user_update(gw, body, mobile.clone()).await;
    let after = changes::user(gw, &mobile).await;
    changes::attach(outcome, before, after)
}

async fn apply_user_update(gw: &Gateway, body: &Map<String, Value>, mobile: String) -> Outcome {
    let total_credit = Fields(body).optional_number_text("totalCredit")?;
    let request = auth::UpdateUserFlagsRequest {
        mobile: mobile.clone(),
        blacklisted: optional_flag(body, "isBlackList")?,
        risk: optional_flag(body, "isRisk")?,
    };
    gw.auth
        .clone()
        .update_user_flags(request)
        .await
        .map_err(|s| from_status(&s, &USERS))?;
    if let Some(total) = total_credit {
        // Credit lines are loan-service's; it knows users by id.
        let account = gw
            .auth
            .clone()
            .find_account(auth::FindAccountRequest { mobile })
            .await
            .map_err(|s| from_status(&s, &USERS))?
            .into_inner();
        let request = loan::SetCreditLineRequest {
            user_id: account.user_id,
            total,
        };
        gw.loan
            .clone()
            .set_credit_line(request)
            .await
            .map_err(|s| from_status(&s, &USERS))?;
    }
    Ok(Success::empty("0000", "更新成功"))
}

pub(crate) const LOANS: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

async fn list_loans(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let page = crate::paging::page_request(&body)?;
        let status = match body.get("status") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(v) => {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                Some(
                    text.parse::<i32>()
                        .ok()
                        .filter(|s| (0..=5).contains(s))
                        .ok_or_else(|| codes::bad_field("status"))?,
                )
            }
        };
        let f = Fields(&body);
        let statuses = match f.optional_text("statuses")? {
            "" => Vec::new(),
            text => text
                .split(',')
                .map(|s| s.trim().parse::<i32>().ok().filter(|s| (0..=5).contains(s)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| codes::bad_field("statuses"))?,
        };
        let oldest_first = match f.optional_text("order")? {
            "" | "newest" => false,
            "oldest" => true,
            _ => return Err(codes::bad_field("order")),
        };
        let request = loan::ListApplicationsRequest {
            user_id: String::new(),
            status,
            mobile: f.optional_text("mobile")?.to_owned(),
            page: crate::paging::loan_page(page),
            statuses,
            oldest_first,
            application_id: f.optional_text("applyId")?.to_owned(),
            bare: false,
        };
        let reply = gw
            .loan
            .clone()
            .list_applications(request)
            .await
            .map_err(|s| from_status(&s, &LOANS))?
            .into_inner();
        let items = reply
            .items
            .iter()
            .map(|a| crate::handlers::loan::application_json(a, true, &gw.config))
            .collect();
        Ok(crate::paging::paged(items, page, reply.total))
    })
    .await
}

async fn review_loan(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let f = Fields(&body);
        let id = f.text("applyId")?.to_owned();
        let before = changes::application(&gw, &id).await;
        let outcome = review_now(&gw, &body, actor).await;
        let after = changes::application(&gw, &id).await;
        changes::attach(outcome, before, after)
    })
    .await
}

async fn review_now(gw: &Gateway, body: &Map<String, Value>, actor: Actor) -> Outcome {
    let f = Fields(body);
    let text_or_number = |name: &str| f.optional_number_text(name).map(Option::unwrap_or_default);
    let request = loan::ReviewRequest {
        application_id: f.text("applyId")?.to_owned(),
        decision: match f.text("decision")? {
            "start" => loan::ReviewDecision::Start,
            "approve" => loan::ReviewDecision::Approve,
            "reject" => loan::ReviewDecision::Reject,
            _ => return Err(codes::bad_field("decision")),
        }
        .into(),
        reply_amount: text_or_number("replyAmount")?,
        auth_term_count: text_or_number("authTermCount")?,
        auth_term_unit: text_or_number("authTermUnit")?,
        remark: f.optional_text("remark")?.to_owned(),
        operator: actor.name,
    };
    gw.loan
        .clone()
        .review(request)
        .await
        .map_err(|s| from_status(&s, &LOANS))?;
    Ok(Success::empty("0000", "操作成功"))
}

async fn disburse_loan(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let f = Fields(&body);
        let release = f.optional_text("releaseDate")?;
        // A plan starting in the past charges interest for days the customer did not have the
        // money: a second operator confirms it.
        if !release.is_empty() && !actor.is_token() {
            let date = chrono::NaiveDate::parse_from_str(release, "%Y-%m-%d")
                .map_err(|_| codes::bad_field("releaseDate"))?;
            if date < cashloan_runtime::clock::today_cst() {
                let apply_id = f.text("applyId")?;
                let summary = format!("借款申请 {apply_id} 放款，起息日 {release}（早于今天）");
                return approvals::propose(&gw, &actor, "/admin/loans/disburse", apply_id, &body, summary)
                    .await;
            }
        }
        disburse_now(&gw, &body, &actor.name, "").await
    })
    .await
}

/// Carries out `/admin/loans/disburse`: started by `operator`, confirmed by `checker` when it
/// needed a second operator.
pub(super) async fn disburse_now(
    gw: &Gateway,
    body: &Map<String, Value>,
    operator: &str,
    checker: &str,
) -> Outcome {
    let id = Fields(body).text("applyId")?.to_owned();
    let before = changes::application(gw, &id).await;
    let outcome = start_payout(gw, body, operator, checker).await;
    let after = changes::application(gw, &id).await;
    changes::attach(outcome, before, after)
}

async fn start_payout(gw: &Gateway, body: &Map<String, Value>, operator: &str, checker: &str) -> Outcome {
    let f = Fields(body);
    let request = loan::DisburseRequest {
        application_id: f.text("applyId")?.to_owned(),
        release_date: f.optional_text("releaseDate")?.to_owned(),
        operator: operator.to_owned(),
        checker: checker.to_owned(),
    };
    let reply = gw
        .payments
        .clone()
        .disburse(request)
        .await
        .map_err(|s| from_status(&s, &LOANS))?
        .into_inner();
    // The payout order, whether it has already succeeded or is still pending.
    Ok(Success::new("0000", "操作成功", Value::String(reply.order_no)))
}

pub(crate) const PRODUCT_UPSERT: Failures = Failures {
    specific: &[],
    fallback: ("20008002", "产品配置错误"),
};

async fn upsert_product(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let product = crate::product_wire::parse_admin_product(&body)?;
        let before = changes::product(&gw, &product.id, &product.code).await;
        let id = gw
            .product
            .clone()
            .upsert_product(product)
            .await
            .map_err(|s| from_status(&s, &PRODUCT_UPSERT))?
            .into_inner()
            .id;
        *gw.product_list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        let after = changes::product(&gw, &id, "").await;
        let outcome = Ok(Success::new("0000", "保存成功", Value::String(id)));
        changes::attach(outcome, before, after)
    })
    .await
}

/// Every product, on sale or not, as the editor takes it.
async fn list_products(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, _, _| async move {
        let products = every_product(&gw).await.map_err(|s| from_status(&s, &ADMIN))?;
        let items = products.iter().map(crate::product_wire::admin_detail).collect();
        Ok(Success::new("0000", "查询成功", Value::Array(items)))
    })
    .await
}

/// Every product, off-sale ones too.
pub(super) async fn every_product(
    gw: &Gateway,
) -> Result<Vec<cashloan_proto::product::v1::ProductInfo>, tonic::Status> {
    let request = cashloan_proto::product::v1::ListProductsRequest {
        include_off_sale: true,
    };
    Ok(gw
        .product
        .clone()
        .list_products(request)
        .await?
        .into_inner()
        .products)
}

async fn publish_system_message(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let f = Fields(&body);
        let request = pb::SystemMessage {
            title: f.text("messageTitle")?.to_owned(),
            content: f.text("messageContent")?.to_owned(),
            message_type: f.text("messageType")?.to_owned(),
            event_url: f.optional_text("eventUrl")?.to_owned(),
        };
        gw.message
            .clone()
            .publish_system_message(request)
            .await
            .map_err(|s| from_status(&s, &ADMIN))?;
        Ok(Success::empty("0000", "发布成功"))
    })
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_admin_path_has_its_roles() {
        let source = include_str!("mod.rs");
        let table = &source[source.find("pub fn routes").unwrap()..source.find("fn refusal").unwrap()];
        let routed: Vec<&str> = table
            .split("\"/admin/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        let routed: Vec<String> = routed.iter().map(|p| format!("/admin/{p}")).collect();
        let routed: Vec<&str> = routed.iter().map(String::as_str).collect();
        assert!(routed.len() > 15, "{routed:?}");
        for path in &routed {
            assert!(super::actor::allowed_roles(path).is_some(), "{path} has no roles");
        }
        for path in super::actor::ruled_paths() {
            assert!(routed.contains(&path), "{path} is ruled but not routed");
        }
    }
}
