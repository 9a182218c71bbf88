//! Collections and a loan's page (the console): overdue loans with days overdue and amounts
//! owed, the notes kept while chasing them, and one loan's plan, payment orders, notes and the
//! messages its customer was sent.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::loan::v1 as loan;
use cashloan_proto::message::v1 as message;
use cashloan_runtime::clock::format_datetime_cst;
use cashloan_runtime::mask;
use serde_json::{json, Value};

use super::{admin, LOANS};
use crate::codes::{self, from_status};
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

fn note_json(n: &loan::CollectionNote) -> Value {
    json!({"operator": n.operator, "note": n.note, "at": format_datetime_cst(n.at)})
}

fn overdue_json(o: &loan::OverdueLoan) -> Value {
    json!({
        "applyId": o.application_id,
        "code": o.code,
        "userId": o.user_id,
        "mobile": mask::mobile(&o.mobile),
        "productName": o.product_name,
        "overduePeriods": o.overdue_periods,
        "firstDueDate": o.first_due_date,
        "daysOverdue": o.days_overdue,
        "overdueAmount": o.overdue_amount,
        "penalty": o.penalty,
        "totalOwed": o.total_owed,
        "lastNote": o.last_note.as_ref().map(note_json),
    })
}

pub(super) async fn list(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let page = crate::paging::page_request(&body)?;
        let f = Fields(&body);
        // An empty filter field of the page means no filter.
        let min_days = match f.optional_number_text("minDays")?.as_deref() {
            None | Some("") => 0,
            Some(text) => text.parse::<u32>().map_err(|_| codes::bad_field("minDays"))?,
        };
        let request = loan::ListOverdueRequest {
            page: crate::paging::loan_page(page),
            mobile: f.optional_text("mobile")?.to_owned(),
            min_days,
        };
        let reply = gw
            .loan
            .clone()
            .list_overdue(request)
            .await
            .map_err(|s| from_status(&s, &LOANS))?
            .into_inner();
        Ok(crate::paging::paged(
            reply.items.iter().map(overdue_json).collect(),
            page,
            reply.total,
        ))
    })
    .await
}

pub(super) async fn note(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        let f = Fields(&body);
        let note = loan::CollectionNote {
            application_id: f.text("applyId")?.to_owned(),
            operator: actor.name,
            note: f.text("note")?.to_owned(),
            at: 0,
        };
        gw.loan
            .clone()
            .add_collection_note(note)
            .await
            .map_err(|s| from_status(&s, &LOANS))?;
        Ok(Success::empty("0000", "已记录"))
    })
    .await
}

fn period_json(p: &loan::PlanPeriod) -> Value {
    let status = match p.repay_status() {
        loan::PeriodStatus::Paid => "1",
        loan::PeriodStatus::Processing => "2",
        _ => "0",
    };
    json!({
        "periodNum": p.period_num,
        "dueDate": cashloan_runtime::clock::date_cst(p.due_at),
        "duePrincipal": p.due_principal,
        "dueInterest": p.due_interest,
        "fee": p.fee,
        "dueAmount": p.due_amount,
        "repayStatus": status,
    })
}

/// One loan: its plan, payment orders, collection notes and the customer's messages.
pub(super) async fn overview(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let id = Fields(&body).text("applyId")?.to_owned();
        let app = super::application::application(&gw, &id).await?;
        let failed = |s: tonic::Status| from_status(&s, &LOANS);
        let page = |size| Some(loan::Page { num: 1, size });
        let (mut plan_client, mut orders_client, mut notes_client, mut messages_client) = (
            gw.loan.clone(),
            gw.loan.clone(),
            gw.loan.clone(),
            gw.message.clone(),
        );
        let (plan, orders, notes, messages) = tokio::join!(
            plan_client.list_plan(loan::ListPlanRequest {
                user_id: app.user_id.clone(),
                application_id: id.clone(),
                page: page(100),
            }),
            orders_client.list_payments(loan::ListPaymentsRequest {
                application_id: id.clone(),
                page: page(100),
                ..Default::default()
            }),
            notes_client.list_collection_notes(loan::ApplicationRef {
                application_id: id.clone(),
            }),
            messages_client.list_customer_messages(message::ListCustomerMessagesRequest {
                user_id: app.user_id.clone(),
                page: Some(message::Page { num: 1, size: 50 }),
            }),
        );
        let plan = plan.map_err(failed)?.into_inner();
        let orders = orders.map_err(failed)?.into_inner();
        let notes = notes.map_err(failed)?.into_inner();
        let messages = messages.map_err(failed)?.into_inner();
        let mut application = crate::handlers::loan::application_json(&app, true, &gw.config);
        application["mobile"] = json!(mask::mobile(&app.mobile));
        let result = json!({
            "application": application,
            "plan": plan.items.iter().map(period_json).collect::<Vec<_>>(),
            "payments": orders.items.iter().map(super::payments::order_json).collect::<Vec<_>>(),
            "notes": notes.items.iter().map(note_json).collect::<Vec<_>>(),
            "messages": messages.items.iter().map(|m| json!({
                "title": m.title, "content": m.content, "sendDate": format_datetime_cst(m.sent_at),
            })).collect::<Vec<_>>(),
        });
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}
