//! The books (API.md §7): `/admin/ledger/trialBalance` and `/admin/ledger/fund`.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::loan::v1 as loan;
use serde_json::{json, Value};

use super::admin;
use crate::codes::{from_status, Failures};
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

pub(crate) const LEDGER: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

pub(super) async fn trial_balance(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let request = loan::TrialBalanceRequest {
            as_of: Fields(&body).optional_text("asOf")?.to_owned(),
        };
        let reply = gw
            .loan
            .clone()
            .trial_balance(request)
            .await
            .map_err(|s| from_status(&s, &LEDGER))?
            .into_inner();
        let accounts: Vec<Value> = reply
            .accounts
            .iter()
            .map(|a| {
                json!({"account": a.code.to_string(), "name": a.name, "debit": a.debit, "credit": a.credit,
                    "balance": a.balance})
            })
            .collect();
        let invariants: Vec<Value> = reply
            .invariants
            .iter()
            .map(|i| json!({"name": i.name, "holds": i.holds, "detail": i.detail}))
            .collect();
        let result = json!({"accounts": accounts, "totalDebit": reply.total_debit, "totalCredit": reply.total_credit,
            "invariants": invariants});
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}

pub(super) async fn fund(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let request = loan::FundChannelRequest {
            amount: Fields(&body).number_text("amount")?,
            remark: Fields(&body).optional_text("remark")?.to_owned(),
        };
        gw.loan
            .clone()
            .fund_channel(request)
            .await
            .map_err(|s| from_status(&s, &LEDGER))?;
        Ok(Success::empty("0000", "操作成功"))
    })
    .await
}
