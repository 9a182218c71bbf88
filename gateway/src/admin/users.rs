//! `/admin/users/detail`: one customer by mobile, as the users page shows them — verification
//! state masked, the flags and the credit line an admin may change (through maker-checker).

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use cashloan_proto::loan::v1 as loan;
use serde_json::json;

use super::{admin, USERS};
use crate::codes::from_status;
use crate::envelope::{Fields, Success};
use crate::state::Gateway;

pub(super) async fn detail(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let mobile = Fields(&body).text("mobile")?.to_owned();
        let failed = |s: tonic::Status| from_status(&s, &USERS);
        let account = gw
            .auth
            .clone()
            .find_account(auth::FindAccountRequest { mobile })
            .await
            .map_err(failed)?
            .into_inner();
        let user_id = account.user_id.clone();
        let status = gw
            .auth
            .clone()
            .get_authentication_status(auth::UserRef {
                user_id: user_id.clone(),
            })
            .await
            .map_err(failed)?
            .into_inner();
        let credit = gw
            .loan
            .clone()
            .user_center(loan::UserCenterRequest {
                user_id: user_id.clone(),
            })
            .await
            .map_err(failed)?
            .into_inner();
        let result = json!({
            "userId": user_id,
            "mobile": cashloan_runtime::mask::mobile(&account.mobile),
            "realName": status.masked_real_name,
            "realNameVerified": status.real_name_verified,
            "bankCardVerified": status.bank_card_verified,
            "mobileVerified": status.mobile_verified,
            "customerInfoComplete": status.customer_info_complete,
            "isBlackList": if status.blacklisted { "1" } else { "0" },
            "isRisk": if status.risk { "1" } else { "0" },
            "totalCredit": credit.credit_line,
            "availableCredit": credit.available_credit,
            "totalNeedPayAmount": credit.total_need_pay_amount,
        });
        Ok(Success::new("0000", "查询成功", result))
    })
    .await
}
