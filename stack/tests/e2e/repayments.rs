//! API.md §6.4 repayment (#36), the repayment list (#26), the user centre (#27), penalties.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{bank_card, random_mobile, TestApp};
use crate::loans::{
    application, apply, disburse, newest_application, plan, product_id, review, verified_user,
};

/// A disbursed 500.00 / 14-day bullet loan on 新现金贷, released `days_ago` days ago.
async fn day_loan(app: &TestApp, token: &str, days_ago: u64) -> String {
    let id = crate::payments::approved(app, token).await;
    let release = app.clock.today() - chrono::Days::new(days_ago);
    assert_eq!(
        disburse(app, &id, &release.to_string()).await["responseCode"],
        "0000"
    );
    id
}

async fn periods(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    plan(app, token, id).await["resultSet"]
        .as_array()
        .unwrap()
        .clone()
}

async fn pay(app: &TestApp, token: &str, period_id: &str, kind: &str) -> Value {
    app.call_as(
        token,
        "/appCommonApi/gotoRepayment",
        json!({"id": period_id, "repayType": kind}),
    )
    .await
}

async fn repay_list(app: &TestApp, token: &str, condition: &str) -> Value {
    app.call_as(
        token,
        "/appCommonApi/getRepayInfoList",
        json!({"condition": condition}),
    )
    .await
}

async fn centre(app: &TestApp, token: &str) -> Value {
    let reply = app
        .call_as(token, "/appCommonApi/getUserCenterInfo", json!({}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].clone()
}

async fn status_of(app: &TestApp, token: &str) -> String {
    let list = app
        .call_as(token, "/appCommonApi/getLoanApplyInfoList", json!({}))
        .await;
    list["resultSet"][0]["applyStatus"].as_str().unwrap().to_owned()
}

e2e!(a_day_loan_from_application_to_paid_off_and_again(app) {
    let (mobile, token) = verified_user(&app).await;
    let before = centre(&app, &token).await;
    assert_eq!((before["totalCredit"].as_str(), before["availableCredit"].as_str()), (Some("5000.00"), Some("5000.00")));
    assert_eq!(before["mobile"], format!("{}****{}", &mobile[..3], &mobile[7..]));
    assert_eq!(before["realName"], "王*明");
    let id = day_loan(&app, &token, 0).await;
    let owed = centre(&app, &token).await;
    assert_eq!((owed["availableCredit"].as_str(), owed["totalApplyAmount"].as_str(), owed["totalNeedPayAmount"].as_str()),
        (Some("4500.00"), Some("500.00"), Some("507.00")));
    let unpaid = repay_list(&app, &token, "2").await;
    assert_eq!(unpaid["total"], 1);
    let item = &unpaid["resultSet"][0];
    assert_eq!((item["needPayTotalAmount"].as_str(), item["duePenalty"].as_str(), item["repayStatus"].as_str()), (Some("507.00"), Some("0.00"), Some("0")));
    assert_eq!(item["productName"], "新现金贷");
    assert!(item["dueRepayDate"].as_str().unwrap().ends_with(" 23:59:59"));
    let period = periods(&app, &token, &id).await[0]["repayId"].as_str().unwrap().to_owned();
    assert_eq!(pay(&app, &token, &period, "current").await["responseCode"], "0000");
    assert_eq!(pay(&app, &token, &period, "current").await["responseCode"], "20006002");
    assert_eq!(pay(&app, &token, &period, "all").await["responseCode"], "20006002");
    assert_eq!(status_of(&app, &token).await, "5");
    let after = centre(&app, &token).await;
    assert_eq!((after["availableCredit"].as_str(), after["totalNeedPayAmount"].as_str()), (Some("5000.00"), Some("0.00")));
    let paid = repay_list(&app, &token, "1").await;
    assert_eq!((paid["total"].clone(), paid["resultSet"][0]["needPayTotalAmount"].clone()), (json!(1), json!("0.00")));
    assert_eq!(repay_list(&app, &token, "4").await["total"], 1, "paid before its due date");
    assert_eq!(repay_list(&app, &token, "2").await["total"], 0);
    let product = product_id(&app, "新现金贷").await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000", "credit restored");
});

e2e!(a_three_month_annuity_paid_in_order_then_paid_off(app) {
    let flexible = crate::products::flexible_product("FLEX");
    let product = app.admin_call("/admin/products/upsert", flexible).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = verified_user(&app).await;
    let terms = json!({"productId": product, "amount": "3000.00", "termCount": "3", "termUnit": "2", "repayTermCount": "1",
        "repayTermUnit": "2", "repayType": "3", "interestRate": "0.24", "longitude": "0", "latitude": "0", "orderId": "o-1",
        "purpose": "16", "otherChannels": "02", "phonebookList": []});
    assert_eq!(apply(&app, &token, terms).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    review(&app, &id, "start").await;
    review(&app, &id, "approve").await;
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "0000");
    let plan = periods(&app, &token, &id).await;
    assert_eq!(plan.len(), 3);
    assert_eq!(plan[0]["dueInterest"], "60.00", "3000.00 × 2 %");
    let (p1, p2) = (plan[0]["repayId"].as_str().unwrap(), plan[1]["repayId"].as_str().unwrap());
    assert_eq!(pay(&app, &token, p2, "current").await["responseCode"], "20006003", "period 1 first");
    assert_eq!(pay(&app, &token, p1, "current").await["responseCode"], "0000");
    assert_eq!(status_of(&app, &token).await, "4");
    // Paying off the rest on the release day: period 2 has not begun, so no interest is due and
    // exactly the remaining principal is charged. A = 1040.26 (3000.00 at 2 % a month over 3),
    // period 1 repaid 980.26 of principal: 2019.74 is left.
    assert_eq!(pay(&app, &token, p2, "all").await["responseCode"], "0000");
    let charged = |sql: &str| app.loan_database_integer(sql);
    assert_eq!(charged("SELECT CAST(COUNT(*) AS BIGINT) AS value FROM repayments WHERE kind = 'all'"), 1);
    assert_eq!(charged("SELECT total_fen AS value FROM repayments WHERE kind = 'all'"), 201_974);
    assert_eq!(charged("SELECT principal_fen AS value FROM repayments WHERE kind = 'all'"), 201_974);
    assert_eq!(charged("SELECT interest_fen + fee_fen + penalty_fen AS value FROM repayments WHERE kind = 'all'"), 0);
    assert_eq!(status_of(&app, &token).await, "5");
    let after = centre(&app, &token).await;
    assert_eq!((after["availableCredit"].as_str(), after["totalNeedPayAmount"].as_str()), (Some("5000.00"), Some("0.00")));
    assert_eq!(repay_list(&app, &token, "1").await["total"], 3);
    let again = json!({"productId": product, "amount": "3000.00", "termCount": "3", "termUnit": "2", "repayTermCount": "1",
        "repayTermUnit": "2", "repayType": "3", "interestRate": "0.24", "longitude": "0", "latitude": "0", "orderId": "o-2",
        "purpose": "16", "otherChannels": "02", "phonebookList": []});
    assert_eq!(apply(&app, &token, again).await["responseCode"], "20005000", "a paid-off loan frees the slot");
});

e2e!(an_overdue_period_carries_the_exact_penalty(app) {
    let (_, token) = verified_user(&app).await;
    // Released 20 days ago for 14 days: 6 days overdue; 507.00 × 0.36 / 360 × 6 = 3.042.
    let id = day_loan(&app, &token, 20).await;
    let overdue = repay_list(&app, &token, "3").await;
    assert_eq!(overdue["total"], 1);
    let item = &overdue["resultSet"][0];
    assert_eq!((item["duePenalty"].as_str(), item["dueTotalAmount"].as_str(), item["needPayTotalAmount"].as_str()),
        (Some("3.04"), Some("510.04"), Some("510.04")));
    assert_eq!(centre(&app, &token).await["totalNeedPayAmount"], "510.04");
    // Two days later: 8 days, 4.056.
    app.clock.advance_days(2);
    assert_eq!(repay_list(&app, &token, "3").await["resultSet"][0]["duePenalty"], "4.06");
    let period = periods(&app, &token, &id).await[0]["repayId"].as_str().unwrap().to_owned();
    assert_eq!(pay(&app, &token, &period, "current").await["responseCode"], "0000");
    // Frozen at payment, whatever the clock does next.
    app.clock.advance_days(5);
    let paid = repay_list(&app, &token, "1").await;
    assert_eq!((paid["resultSet"][0]["duePenalty"].as_str(), paid["resultSet"][0]["needPayTotalAmount"].as_str()), (Some("4.06"), Some("0.00")));
    assert_eq!(repay_list(&app, &token, "4").await["total"], 0, "paid late, not early");
});

e2e!(eight_concurrent_repayments_charge_once(app) {
    let (_, token) = verified_user(&app).await;
    let id = day_loan(&app, &token, 0).await;
    let period = periods(&app, &token, &id).await[0]["repayId"].as_str().unwrap().to_owned();
    let calls = (0..8).map(|i| pay(&app, &token, &period, if i % 2 == 0 { "current" } else { "all" }));
    let replies = futures_util::future::join_all(calls).await;
    let codes: Vec<&str> = replies.iter().map(|r| r["responseCode"].as_str().unwrap()).collect();
    assert_eq!(codes.iter().filter(|c| **c == "0000").count(), 1, "{codes:?}");
    assert!(
        codes.iter().filter(|c| **c != "0000").all(|c| *c == "20006006" || *c == "20006002"),
        "the others meet the reservation or the paid period: {codes:?}"
    );
    let paid = repay_list(&app, &token, "1").await;
    assert_eq!(paid["total"], 1);
    assert_eq!(paid["resultSet"][0]["dueTotalAmount"], "507.00", "one payment's worth");
    assert_eq!(centre(&app, &token).await["availableCredit"], "5000.00");
    let recorded = app.loan_database_integer("SELECT COUNT(*) AS value FROM repayments");
    let charged = app.loan_database_integer("SELECT CAST(COALESCE(SUM(total_fen), 0) AS BIGINT) AS value FROM repayments");
    assert_eq!((recorded, charged), (1, 50_700), "one repayment of 507.00 stored");
    let booked = app.loan_database_integer("SELECT COUNT(*) AS value FROM ledger_entries WHERE kind = 'repayment'");
    assert_eq!(booked, 1, "and booked once");
    let orders = app.loan_database_integer("SELECT COUNT(*) AS value FROM payment_orders WHERE kind = 'repay'");
    assert_eq!(orders, 1, "one payment order: the channel was asked once");
    let books = app.admin_call("/admin/ledger/trialBalance", json!({})).await;
    assert_eq!(books["resultSet"]["totalDebit"], books["resultSet"]["totalCredit"]);
});

e2e!(a_declined_deduction_changes_nothing(app) {
    let (_, token) = verified_user(&app).await;
    // The local channel declines cards ending in 0000.
    let card = bank_card("6217", "0000", 16);
    let reply = app.call_as(&token, "/appCommonApi/authUserBankCard", json!({"bankCardNo": card, "mobile": random_mobile()})).await;
    assert_eq!(reply["responseCode"], "0000");
    let id = day_loan(&app, &token, 0).await;
    let period = periods(&app, &token, &id).await[0]["repayId"].as_str().unwrap().to_owned();
    assert_eq!(pay(&app, &token, &period, "current").await["responseCode"], "20006004");
    assert_eq!(pay(&app, &token, &period, "all").await["responseCode"], "20006004");
    assert_eq!(repay_list(&app, &token, "2").await["total"], 1, "still unpaid");
    assert_eq!(status_of(&app, &token).await, "4");
    assert_eq!(centre(&app, &token).await["totalNeedPayAmount"], "507.00");
    assert_eq!(app.loan_database_integer("SELECT COUNT(*) AS value FROM repayments"), 0, "nothing recorded");
});

e2e!(nobody_pays_or_sees_another_users_loan(app) {
    let (_, owner) = verified_user(&app).await;
    let id = day_loan(&app, &owner, 0).await;
    let period = periods(&app, &owner, &id).await[0]["repayId"].as_str().unwrap().to_owned();
    let (_, intruder) = verified_user(&app).await;
    assert_eq!(pay(&app, &intruder, &period, "current").await["responseCode"], "20006001");
    assert_eq!(pay(&app, &intruder, "no-such-period", "all").await["responseCode"], "20006001");
    assert_eq!(repay_list(&app, &intruder, "0").await["total"], 0);
    assert_eq!(repay_list(&app, &owner, "0").await["total"], 1, "the owner's period is untouched");
    assert_eq!(repay_list(&app, &owner, "2").await["total"], 1);
    assert_eq!(pay(&app, &owner, &period, "sometimes").await["responseCode"], "10001000");
    assert_eq!(repay_list(&app, &owner, "7").await["responseCode"], "10001000");
});

e2e!(credit_is_zero_until_verified(app) {
    let (_, token) = app.user().await;
    let c = centre(&app, &token).await;
    assert_eq!((c["totalCredit"].as_str(), c["availableCredit"].as_str(), c["realName"].as_str()), (Some("0.00"), Some("0.00"), Some("")));
});
