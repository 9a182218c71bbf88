//! API.md §6.3 products (product-service) and the §6.4 quote (loan-service).

use actix_web::web::Data;
use cashloan_proto::loan::v1 as pb;
use cashloan_proto::product::v1 as product;
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::codes::{bad_field, from_status, Failure, Failures};
use crate::envelope::{Outcome, Success};
use crate::product_wire;
use crate::state::Gateway;

const PRODUCTS: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #20: products on sale, in their configured order.
pub async fn product_list(gw: Data<Gateway>, _call: Call) -> Outcome {
    let list = gw
        .product
        .clone()
        .list_products(product::ListProductsRequest {})
        .await
        .map_err(|s| from_status(&s, &PRODUCTS))?
        .into_inner();
    let items = list
        .products
        .iter()
        .map(|p| Value::Object(product_wire::summary(p)))
        .collect();
    Ok(Success::new("0000", "获取产品展示信息成功", Value::Array(items)))
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
    match body.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(bad_field(name)),
    }
}

const QUOTE: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #22: the quote with its full schedule.
pub async fn quote(gw: Data<Gateway>, call: Call) -> Outcome {
    let b = &call.body;
    let request = pb::QuoteRequest {
        user_id: call.user()?.user_id.clone(),
        product_id: call.fields().text("productId")?.to_owned(),
        amount: term_text(b, "amount")?,
        term_count: term_text(b, "termCount")?,
        term_unit: term_text(b, "termUnit")?,
        repay_term_count: term_text(b, "repayTermCount")?,
        repay_term_unit: term_text(b, "repayTermUnit")?,
        repay_type: term_text(b, "repayType")?,
        interest_rate: term_text(b, "interestRate")?,
    };
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
    });
    Ok(Success::new("0000", "获取申请确认信息成功", result))
}
