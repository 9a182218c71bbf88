//! Payment orders for operators (API.md §7): `/admin/payments/list`, `/admin/payments/settle`,
//! `/admin/payments/resolve` (maker-checker), `/admin/reconciliation/run` and
//! `/admin/reconciliation/mismatches`.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::loan::v1 as loan;
use cashloan_runtime::clock::format_datetime_cst;
use serde_json::{json, Map, Value};

use super::{admin, approvals};
use crate::codes::{self, from_status, Failures};
use crate::envelope::{Fields, Outcome, Success};
use crate::state::Gateway;

pub(crate) const PAYMENTS: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

pub(super) fn order_json(o: &loan::PaymentOrder) -> Value {
    json!({
        "orderNo": o.order_no,
        "kind": o.kind,
        "applyId": o.application_id,
        "periods": o.periods,
        "amount": o.amount,
        "status": o.status,
        "channelOrderNo": o.channel_order_no,
        "reason": o.reason,
        "createdAt": format_datetime_cst(o.created_at),
        "settledAt": if o.settled_at == 0 { String::new() } else { format_datetime_cst(o.settled_at) },
    })
}

pub(super) async fn list(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let page = crate::paging::page_request(&body)?;
        let f = Fields(&body);
        let request = loan::ListPaymentsRequest {
            kind: f.optional_text("kind")?.to_owned(),
            status: f.optional_text("status")?.to_owned(),
            mobile: f.optional_text("mobile")?.to_owned(),
            page: crate::paging::loan_page(page),
            application_id: f.optional_text("applyId")?.to_owned(),
        };
        let reply = gw
            .loan
            .clone()
            .list_payments(request)
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        let items = reply.items.iter().map(order_json).collect();
        Ok(crate::paging::paged(items, page, reply.total))
    })
    .await
}

pub(super) async fn settle(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let request = loan::SettlePaymentRequest {
            order_no: Fields(&body).text("orderNo")?.to_owned(),
        };
        let order = gw
            .payments
            .clone()
            .settle_payment(request)
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        Ok(Success::new("0000", "操作成功", order_json(&order)))
    })
    .await
}

/// The resolve request as loan-service takes it.
fn resolve_request(
    body: &Map<String, Value>,
    maker: &str,
    checker: &str,
    dry_run: bool,
) -> Result<loan::ResolvePaymentRequest, codes::Failure> {
    let f = Fields(body);
    Ok(loan::ResolvePaymentRequest {
        order_no: f.text("orderNo")?.to_owned(),
        resolution: f.text("resolution")?.to_owned(),
        evidence: f.text("evidence")?.to_owned(),
        maker: maker.to_owned(),
        checker: checker.to_owned(),
        dry_run,
    })
}

/// Always waits for a second operator; the token alone cannot resolve (it is no person to be
/// one of the two). Checked first, so nobody is asked to confirm what cannot be done.
pub(super) async fn resolve(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, actor| async move {
        if actor.is_token() {
            return Err(codes::forbidden());
        }
        let check = resolve_request(&body, &actor.name, "", true)?;
        let order_no = check.order_no.clone();
        let reply = gw
            .payments
            .clone()
            .resolve_payment(check)
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        approvals::propose(
            &gw,
            &actor,
            "/admin/payments/resolve",
            &order_no,
            &body,
            reply.summary,
        )
        .await
    })
    .await
}

/// Carries out a confirmed resolution: asked by `maker`, confirmed by `checker`.
pub(super) async fn resolve_now(
    gw: &Gateway,
    body: &Map<String, Value>,
    maker: &str,
    checker: &str,
) -> Outcome {
    let request = resolve_request(body, maker, checker, false)?;
    let order_no = request.order_no.clone();
    let reply = gw
        .payments
        .clone()
        .resolve_payment(request)
        .await
        .map_err(|s| from_status(&s, &PAYMENTS))?
        .into_inner();
    let order = reply.order.unwrap_or_default();
    let mut done = Success::new(
        "0000",
        "操作成功",
        json!({"summary": reply.summary, "order": order_json(&order)}),
    );
    // A refund answers with the refund order; the waiting order closes when it succeeds.
    done.changes = Some(if order.order_no == order_no {
        json!({"status": {"before": "waiting", "after": order.status}})
    } else {
        json!({"refundOrder": {"before": null, "after": order.order_no}})
    });
    Ok(done)
}

pub(super) async fn reconcile(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let request = loan::ReconcileRequest {
            date: Fields(&body).text("date")?.to_owned(),
        };
        let reply = gw
            .payments
            .clone()
            .reconcile(request)
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        let result = json!({"statement": if reply.ready { "READY" } else { "NOT_READY" },
            "matched": reply.matched, "mismatched": reply.mismatched});
        Ok(Success::new("0000", "操作成功", result))
    })
    .await
}

pub(super) async fn mismatches(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let page = crate::paging::page_request(&body)?;
        let request = loan::ListMismatchesRequest {
            date: Fields(&body).optional_text("date")?.to_owned(),
            page: crate::paging::loan_page(page),
        };
        let reply = gw
            .loan
            .clone()
            .list_mismatches(request)
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        let items = reply
            .items
            .iter()
            .map(|m| {
                json!({"orderNo": m.order_no, "date": m.day, "channelSays": m.channel_says,
                    "ledgerSays": m.ledger_says, "resolution": m.resolution,
                    "createdAt": format_datetime_cst(m.created_at)})
            })
            .collect();
        Ok(crate::paging::paged(items, page, reply.total))
    })
    .await
}
