//! `/admin/users/detail`: one customer by mobile, as the users page shows them — verification
//! state masked, the flags and the credit line an admin may change (through maker-checker).

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::admin;
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

pub(super) async fn detail(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let mobile = Fields(&body).text("mobile")?.to_owned();
        let c = super::customer_state::read(&gw, &mobile).await?;
        let (status, credit) = (&c.status, &c.credit);
        let result = json!({
            "userId": c.account.user_id,
            "mobile": cashloan_runtime::mask::mobile(&c.account.mobile),
            "realName": status.masked_real_name,
            "realNameVerified": status.real_name_verified,
            "bankCardVerified": status.bank_card_verified,
            "mobileVerified": status.mobile_verified,
            "customerInfoComplete": status.customer_info_complete,
            "isBlackList": c.blacklisted(),
            "isRisk": c.risk(),
            "totalCredit": credit.credit_line,
            "availableCredit": credit.available_credit,
            "totalNeedPayAmount": credit.total_need_pay_amount,
        });
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}
