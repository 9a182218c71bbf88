//! The route table: path, access, handler; it reads like API.md §6.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::web::Data;
use futures_util::future::LocalBoxFuture;

use crate::call::Call;
use crate::envelope::Outcome;
use crate::handlers::{account, app, consent, customer, decision, loan};
use crate::state::Gateway;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session needed.
    Open,
    /// A valid session is required (`99990004` otherwise).
    Session,
    /// A session is optional, but one that is sent must be valid.
    OptionalSession,
}

pub type Handler = fn(Data<Gateway>, Call) -> LocalBoxFuture<'static, Outcome>;

#[derive(Clone, Copy)]
pub enum Kind {
    /// A signed JSON API call.
    Api(Access, Handler),
    /// An unsigned H5 page (GET or POST).
    Page(&'static str),
}

#[derive(Clone, Copy)]
pub struct Route {
    pub path: &'static str,
    pub kind: Kind,
}

macro_rules! api {
    ($path:literal, $access:ident, $handler:path) => {
        Route {
            path: $path,
            kind: Kind::Api(Access::$access, |gw, call| Box::pin($handler(gw, call))),
        }
    };
}

/// The route of `path`, if it has one.
pub fn lookup(path: &str) -> Option<Route> {
    static TABLE: LazyLock<HashMap<&'static str, Route>> = LazyLock::new(table);
    TABLE.get(path).copied()
}

pub fn table() -> HashMap<&'static str, Route> {
    let routes = [
        // §6.1 Account
        api!("/security/login", Open, account::login),
        Route {
            path: "/open/registrationProtocol",
            kind: Kind::Page(include_str!("../pages/registration_protocol.html")),
        },
        Route {
            path: "/open/loanHelp",
            kind: Kind::Page(include_str!("../pages/loan_help.html")),
        },
        api!("/openApi/getCode", Open, account::get_captcha),
        api!("/openApi/getSmsCode", Open, account::get_register_sms_code),
        api!("/openApi/checkSmsCode", Open, account::check_register_sms_code),
        api!("/openApi/userRegister", Open, account::register),
        api!("/openApi/forgetPwdGetSmsCode", Open, account::get_reset_sms_code),
        api!(
            "/openApi/forgetPwdCheckSmsCode",
            Open,
            account::check_reset_sms_code
        ),
        api!(
            "/openApi/forgetPwdIdentityAuth",
            Open,
            account::verify_reset_identity
        ),
        api!("/openApi/userResetPwd", Open, account::reset_password),
        api!("/appApi/modifyPwd", OptionalSession, account::modify_password),
        api!("/appApi/commitSuggestion", Open, app::commit_suggestion),
        api!("/appApi/appVersionDetection", Open, app::detect_version),
        api!("/appApi/quitMobileLogin", Open, account::logout),
        // §6.2 Customer verification and profile
        api!(
            "/appCommonApi/getAuthenticationStatus",
            Session,
            customer::authentication_status
        ),
        api!(
            "/appCommonApi/authUserBankCard",
            Session,
            customer::verify_bank_card
        ),
        api!("/appCommonApi/authUserMobile", Session, customer::verify_carrier),
        api!(
            "/appCommonApi/authRealNameInfo",
            Session,
            customer::verify_real_name
        ),
        api!("/appCommonApi/getPerfectUserInfo", Session, customer::get_profile),
        api!(
            "/appCommonApi/savePerfectUserInfo",
            Session,
            customer::save_profile
        ),
        api!(
            "/appCommonApi/saveOrUpdateRelShip",
            Session,
            customer::save_contact
        ),
        // §6.6 Consents and contracts
        api!("/appCommonApi/getConsents", Session, consent::list),
        api!("/appCommonApi/acceptConsent", Session, consent::accept),
        api!("/appCommonApi/withdrawConsent", Session, consent::withdraw),
        api!("/appCommonApi/confirmLoanTerms", Session, loan::confirm_terms),
        // §6.3 Products, §6.4 Loans
        api!("/openCommonApi/getLoanProductList", Open, loan::product_list),
        api!("/openCommonApi/getLoanProductDetails", Open, loan::product_detail),
        api!("/appCommonApi/getLoanApplyConfirmInfo", Session, loan::quote),
        api!("/appCommonApi/loanProductApply", Session, loan::apply),
        api!("/appCommonApi/getLoanApplyInfoList", Session, loan::applications),
        api!("/appCommonApi/getLoanApplyRepayList", Session, loan::plan),
        api!("/appCommonApi/getRepayInfoList", Session, loan::repayments),
        api!("/appCommonApi/getUserCenterInfo", Session, loan::user_center),
        api!("/appCommonApi/gotoRepayment", Session, loan::repay),
        // §6.7 Credit decisions
        api!("/appCommonApi/getLoanDecision", Session, decision::get),
        api!(
            "/appCommonApi/requestManualReview",
            Session,
            decision::request_review
        ),
        // §6.5 Messages
        api!("/appCommonApi/getCustomMessage", Session, app::custom_messages),
        api!("/openCommonApi/getSystemMessage", Open, app::system_messages),
    ];
    routes.into_iter().map(|r| (r.path, r)).collect()
}
