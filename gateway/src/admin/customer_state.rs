//! A customer as operators see and change them, found by mobile: the account, the verification
//! state and flags (masked values only) and the credit line. Read by the users page, the summary
//! a checker confirms, and the before/after values of the audit log.

use cashloan_proto::auth::v1 as auth;
use cashloan_proto::loan::v1 as loan;

use super::USERS;
use crate::codes::{from_status, Failure};
use crate::state::Gateway;

pub struct CustomerState {
    pub account: auth::SessionUser,
    pub status: auth::AuthenticationStatus,
    pub credit: loan::UserCenterReply,
}

/// Unknown mobiles are refused (10001000).
pub async fn read(gw: &Gateway, mobile: &str) -> Result<CustomerState, Failure> {
    let failed = |s: tonic::Status| from_status(&s, &USERS);
    let account = gw
        .auth
        .clone()
        .find_account(auth::FindAccountRequest {
            mobile: mobile.to_owned(),
        })
        .await
        .map_err(failed)?
        .into_inner();
    let user = || auth::UserRef {
        user_id: account.user_id.clone(),
    };
    let status = gw
        .auth
        .clone()
        .get_authentication_status(user())
        .await
        .map_err(failed)?
        .into_inner();
    let credit = gw
        .loan
        .clone()
        .user_center(loan::UserCenterRequest {
            user_id: account.user_id.clone(),
        })
        .await
        .map_err(failed)?
        .into_inner();
    Ok(CustomerState {
        account,
        status,
        credit,
    })
}

impl CustomerState {
    pub fn blacklisted(&self) -> &'static str {
        if self.status.blacklisted {
            "1"
        } else {
            "0"
        }
    }

    pub fn risk(&self) -> &'static str {
        if self.status.risk {
            "1"
        } else {
            "0"
        }
    }
}
