//! API.md §7 and PAYMENTS.md "The ledger": funding, payouts and repayments post balanced entries;
//! the trial balance sums them, and loans receivable equals the principal still owed.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::{
    application, apply, disburse, newest_application, plan, product_id, review, verified_user,
};

async fn trial_balance(app: &TestApp, as_of: &str) -> Value {
    let reply = app
        .admin_call("/admin/ledger/trialBalance", json!({"asOf": as_of}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].clone()
}

/// (debit, credit, balance) of one account.
fn account(tb: &Value, code: &str) -> (String, String, String) {
    let a = tb["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == code)
        .unwrap_or_else(|| panic!("account {code} listed: {tb}"));
    let text = |k: &str| a[k].as_str().unwrap().to_owned();
    (text("debit"), text("credit"), text("balance"))
}

fn balance(tb: &Value, code: &str) -> String {
    account(tb, code).2
}

e2e!(the_books_balance_and_follow_the_loans(app) {
    let empty = trial_balance(&app, "").await;
    assert_eq!(empty["accounts"].as_array().unwrap().len(), 9, "the whole chart of accounts");
    assert_eq!((empty["totalDebit"].as_str(), empty["totalCredit"].as_str()), (Some("0.00"), Some("0.00")));

    let funded = app.admin_call("/admin/ledger/fund", json!({"amount": "100000.00", "remark": "首期注资"})).await;
    assert_eq!(funded["responseCode"], "0000", "{funded}");
    for bad in [json!("-5.00"), json!("0"), json!("1.001"), json!(null)] {
        let refused = app.admin_call("/admin/ledger/fund", json!({"amount": bad})).await;
        assert_eq!(refused["responseCode"], "10001000", "{bad}");
    }
    let tb = trial_balance(&app, "").await;
    assert_eq!(account(&tb, "1012"), ("100000.00".into(), "0.00".into(), "100000.00".into()));
    assert_eq!(balance(&tb, "3001"), "100000.00");

    // A 500.00 loan for 14 days at 36 %: paid out, then repaid with 7.00 of interest.
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "0000");
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "0000");
    let tb = trial_balance(&app, "").await;
    assert_eq!((balance(&tb, "1122"), balance(&tb, "1012")), ("500.00".into(), "99500.00".into()));

    let period = plan(&app, &token, &id).await["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    let paid = app.call_as(&token, "/appCommonApi/gotoRepayment", json!({"id": period, "repayType": "current"})).await;
    assert_eq!(paid["responseCode"], "0000");
    let tb = trial_balance(&app, "").await;
    assert_eq!(balance(&tb, "1122"), "0.00", "nothing owed, nothing receivable");
    assert_eq!((balance(&tb, "1012"), balance(&tb, "6011")), ("100007.00".into(), "7.00".into()));
    assert_eq!((balance(&tb, "6021"), balance(&tb, "6031")), ("0.00".into(), "0.00".into()));
    assert_eq!(tb["totalDebit"], tb["totalCredit"]);
    // Funding 100000.00, the payout 500.00 and the repayment 507.00.
    assert_eq!(tb["totalDebit"], "101007.00");

    // Entries are dated: the day before, nothing had been posted.
    let yesterday = (app.clock.today() - chrono::Days::new(1)).to_string();
    assert_eq!(trial_balance(&app, &yesterday).await["totalDebit"], "0.00");
    let bad = app.admin_call("/admin/ledger/trialBalance", json!({"asOf": "2026-13-01"})).await;
    assert_eq!(bad["responseCode"], "10001000");
});

e2e!(a_declined_repayment_books_nothing(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    let card = crate::harness::bank_card("6217", "0000", 16);
    let carded = app.call_as(&token, "/appCommonApi/authUserBankCard", json!({"bankCardNo": card, "mobile": crate::harness::random_mobile()})).await;
    assert_eq!(carded["responseCode"], "0000");
    apply(&app, &token, application(&product, "500.00")).await;
    let id = newest_application(&app, &token).await;
    review(&app, &id, "approve").await;
    disburse(&app, &id, "").await;
    let period = plan(&app, &token, &id).await["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    let declined = app.call_as(&token, "/appCommonApi/gotoRepayment", json!({"id": period, "repayType": "all"})).await;
    assert_eq!(declined["responseCode"], "20006004");
    let tb = trial_balance(&app, "").await;
    assert_eq!((balance(&tb, "1122"), balance(&tb, "6011")), ("500.00".into(), "0.00".into()));
    assert_eq!(app.loan_database_integer("SELECT COUNT(*) AS value FROM ledger_entries"), 1, "the payout only");
});
