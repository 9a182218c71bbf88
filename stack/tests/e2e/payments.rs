//! PAYMENTS.md through the app and admin APIs: each test card of the local simulator, payouts
//! in flight and declined, and money that moves once however the channel answers.

use std::future::Future;
use std::time::Duration;

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{bank_card, random_mobile, TestApp};
use crate::loans::{
    application, apply, disburse, newest_application, plan, product_id, review, verified_user,
};

/// Fast recovery and relay; the harness's long wait, so an immediate outcome is always heard.
fn quick(c: &mut cashloan_stack::StackConfig) {
    c.relay_interval_ms = 100;
    c.payments.recheck_ms = 500;
    c.payments.job_interval_ms = 200;
}

/// `quick` with a wait far below the simulator's 2 s and 5 s, so those outcomes always arrive
/// after the app was answered, however loaded the machine.
fn slow_outcomes(c: &mut cashloan_stack::StackConfig) {
    quick(c);
    c.payments.repay_wait_ms = 300;
}

/// Polls `check` every 100 ms for up to 15 s; panics with `what` when it never holds.
pub(crate) async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..150 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never: {what}");
}

/// Binds a card ending in `suffix` (a simulator behaviour) to the user.
async fn use_card(app: &TestApp, token: &str, suffix: &str) {
    let card = bank_card("6217", suffix, 16);
    let reply = app
        .call_as(
            token,
            "/appCommonApi/authUserBankCard",
            json!({"bankCardNo": card, "mobile": random_mobile()}),
        )
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
}

/// An approved 500.00 / 14-day application of the user's.
pub(crate) async fn approved(app: &TestApp, token: &str) -> String {
    let product = product_id(app, "新现金贷").await;
    assert_eq!(
        apply(app, token, application(&product, "500.00")).await["responseCode"],
        "20005000"
    );
    let id = newest_application(app, token).await;
    assert_eq!(review(app, &id, "approve").await["responseCode"], "0000");
    id
}

/// A verified user with a loan disbursed today to an ordinary card, then paying from a card
/// ending in `suffix`: (mobile, token, the first period's id).
pub(crate) async fn loan_paid_from(app: &TestApp, suffix: &str) -> (String, String, String) {
    let (mobile, token) = verified_user(app).await;
    let id = approved(app, &token).await;
    assert_eq!(disburse(app, &id, "").await["responseCode"], "0000");
    use_card(app, &token, suffix).await;
    // "0000" may be the payout still in flight (a loaded machine): the plan comes with its success.
    eventually("the payout starts the plan", || async {
        plan(app, &token, &id).await["resultSet"][0]["repayId"].is_string()
    })
    .await;
    let period = plan(app, &token, &id).await["resultSet"][0]["repayId"]
        .as_str()
        .unwrap()
        .to_owned();
    (mobile, token, period)
}

pub(crate) async fn pay(app: &TestApp, token: &str, period: &str, kind: &str) -> String {
    let reply = app
        .call_as(
            token,
            "/appCommonApi/gotoRepayment",
            json!({"id": period, "repayType": kind}),
        )
        .await;
    reply["responseCode"].as_str().unwrap().to_owned()
}

/// The repayStatus of the user's only period.
pub(crate) async fn repay_status(app: &TestApp, token: &str) -> String {
    let list = app
        .call_as(token, "/appCommonApi/getRepayInfoList", json!({}))
        .await;
    list["resultSet"][0]["repayStatus"].as_str().unwrap().to_owned()
}

pub(crate) async fn orders_of(app: &TestApp, mobile: &str, kind: &str) -> Vec<Value> {
    let list = app
        .admin_call("/admin/payments/list", json!({"mobile": mobile, "kind": kind}))
        .await;
    assert_eq!(list["responseCode"], "0000", "{list}");
    list["resultSet"].as_array().unwrap().clone()
}

/// How many of the user's messages are of `message_type`.
pub(crate) async fn messages_of_type(app: &TestApp, token: &str, message_type: &str) -> usize {
    let list = app
        .call_as(token, "/appCommonApi/getCustomMessage", json!({"pageSize": 50}))
        .await;
    list["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["messageType"] == message_type)
        .count()
}

pub(crate) fn ledger_entries(app: &TestApp, kind: &str) -> i64 {
    app.loan_database_integer(&format!(
        "SELECT COUNT(*) AS value FROM ledger_entries WHERE kind = '{kind}'"
    ))
}

pub(crate) async fn assert_books_balance(app: &TestApp) {
    let books = app.admin_call("/admin/ledger/trialBalance", json!({})).await;
    assert_eq!(books["responseCode"], "0000");
    assert_eq!(
        books["resultSet"]["totalDebit"], books["resultSet"]["totalCredit"],
        "{books}"
    );
}

e2e!(card_0000_is_declined_at_once_and_the_period_stays_free(app, quick) {
    let (mobile, token, period) = loan_paid_from(&app, "0000").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006004");
    assert_eq!(repay_status(&app, &token).await, "0", "free again, not processing");
    let orders = orders_of(&app, &mobile, "repay").await;
    assert_eq!((orders.len(), orders[0]["status"].as_str()), (1, Some("failed")));
    assert_eq!(orders[0]["reason"], "余额不足");
    use_card(&app, &token, "1234").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "0000", "another card pays it");
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    assert_books_balance(&app).await;
});

e2e!(card_0001_is_processing_until_the_notification_pays_it_once(app, slow_outcomes) {
    let (mobile, token, period) = loan_paid_from(&app, "0001").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    assert_eq!(repay_status(&app, &token).await, "2", "shown as processing");
    assert_eq!(pay(&app, &token, &period, "current").await, "20006006", "reserved: nothing charged again");
    assert_eq!(pay(&app, &token, &period, "all").await, "20006006");
    eventually("the notification pays the period", || async { repay_status(&app, &token).await == "1" }).await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006002");
    eventually("message 16 arrives", || async { messages_of_type(&app, &token, "16").await == 1 }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(messages_of_type(&app, &token, "16").await, 1, "told once");
    assert_eq!(messages_of_type(&app, &token, "99").await, 0);
    let orders = orders_of(&app, &mobile, "repay").await;
    assert_eq!((orders.len(), orders[0]["status"].as_str()), (1, Some("succeeded")));
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    assert_books_balance(&app).await;
});

e2e!(card_0002_unknown_outcome_is_recovered_by_query_and_charged_once(app, slow_outcomes) {
    let (mobile, token, period) = loan_paid_from(&app, "0002").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    let orders = orders_of(&app, &mobile, "repay").await;
    assert_eq!(orders[0]["status"], "unknown", "a timeout is never a failure");
    eventually("recovery's query settles it", || async { repay_status(&app, &token).await == "1" }).await;
    let orders = orders_of(&app, &mobile, "repay").await;
    assert_eq!((orders.len(), orders[0]["status"].as_str()), (1, Some("succeeded")));
    assert_eq!(app.loan_database_integer("SELECT COUNT(*) AS value FROM repayments"), 1);
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    eventually("message 16 arrives", || async { messages_of_type(&app, &token, "16").await == 1 }).await;
    assert_books_balance(&app).await;
});

e2e!(card_0003_triple_notification_settles_once(app, quick) {
    let (mobile, token, period) = loan_paid_from(&app, "0003").await;
    // The first notification beats the reply; either way the call sees the success.
    assert_eq!(pay(&app, &token, &period, "current").await, "0000");
    // Let the other two notifications arrive.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(orders_of(&app, &mobile, "repay").await.len(), 1);
    assert_eq!(ledger_entries(&app, "repayment"), 1, "one settlement, one entry");
    assert_eq!(app.loan_database_integer("SELECT COUNT(*) AS value FROM repayments"), 1);
    eventually("message 16 arrives", || async { messages_of_type(&app, &token, "16").await == 1 }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(messages_of_type(&app, &token, "16").await, 1);
    assert_books_balance(&app).await;
});

e2e!(card_0004_fails_by_notification_frees_the_period_and_tells_the_customer(app, slow_outcomes) {
    let (mobile, token, period) = loan_paid_from(&app, "0004").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    eventually("the failure frees the period", || async { repay_status(&app, &token).await == "0" }).await;
    let orders = orders_of(&app, &mobile, "repay").await;
    assert_eq!((orders[0]["status"].as_str(), orders[0]["reason"].as_str()), (Some("failed"), Some("余额不足")));
    eventually("a type-99 notice arrives", || async { messages_of_type(&app, &token, "99").await == 1 }).await;
    assert_eq!(messages_of_type(&app, &token, "16").await, 0);
    assert_eq!(ledger_entries(&app, "repayment"), 0, "nothing booked");
    use_card(&app, &token, "1234").await;
    // Immediate, but this test's wait is short: the answer may still be "processing".
    let again = pay(&app, &token, &period, "all").await;
    assert!(again == "0000" || again == "20006005", "free to pay again: {again}");
    eventually("the other card pays it", || async { repay_status(&app, &token).await == "1" }).await;
    assert_books_balance(&app).await;
});

e2e!(a_declined_payout_is_20008004_and_may_start_again(app, quick) {
    let (mobile, token) = verified_user(&app).await;
    use_card(&app, &token, "0009").await;
    let id = approved(&app, &token).await;
    let reply = disburse(&app, &id, "").await;
    assert_eq!(reply["responseCode"], "20008004", "{reply}");
    assert!(reply["responseMessage"].as_str().unwrap().contains("账户状态异常"), "the channel's reason: {reply}");
    let list = app.call_as(&token, "/appCommonApi/getLoanApplyInfoList", json!({})).await;
    assert_eq!(list["resultSet"][0]["applyStatus"], "2", "still approved");
    assert_eq!(plan(&app, &token, &id).await["total"], 0, "no plan");
    assert_eq!(ledger_entries(&app, "payout"), 0);
    use_card(&app, &token, "1234").await;
    let again = disburse(&app, &id, "").await;
    assert_eq!(again["responseCode"], "0000", "{again}");
    let orders = orders_of(&app, &mobile, "payout").await;
    assert_eq!(orders.len(), 2);
    assert_eq!(again["resultSet"], orders[0]["orderNo"], "the answer names the new order");
    assert!(orders[0]["orderNo"].as_str().unwrap().starts_with("PO"));
    assert_eq!((orders[0]["status"].as_str(), orders[1]["status"].as_str()), (Some("succeeded"), Some("failed")));
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "20008001", "paid out once");
    assert_books_balance(&app).await;
});

e2e!(a_payout_in_flight_blocks_a_second_and_starts_the_plan_when_it_succeeds(app, slow_outcomes) {
    let (mobile, token) = verified_user(&app).await;
    use_card(&app, &token, "0001").await;
    let id = approved(&app, &token).await;
    let reply = disburse(&app, &id, "").await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    let order_no = reply["resultSet"].as_str().unwrap().to_owned();
    let list = app.call_as(&token, "/appCommonApi/getLoanApplyInfoList", json!({})).await;
    assert_eq!(list["resultSet"][0]["applyStatus"], "2", "pending: not yet disbursed");
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "20008003");
    eventually("the payout's notification disburses it", || async {
        let list = app.call_as(&token, "/appCommonApi/getLoanApplyInfoList", json!({})).await;
        list["resultSet"][0]["applyStatus"] == "4"
    })
    .await;
    assert_eq!(plan(&app, &token, &id).await["total"], 1);
    let orders = orders_of(&app, &mobile, "payout").await;
    assert_eq!((orders.len(), orders[0]["orderNo"].as_str()), (1, Some(order_no.as_str())));
    eventually("message 14 arrives", || async { messages_of_type(&app, &token, "14").await == 1 }).await;
    assert_eq!(ledger_entries(&app, "payout"), 1);
    assert_books_balance(&app).await;
});

e2e!(operators_settle_an_order_on_demand(app, |c: &mut cashloan_stack::StackConfig| {
    c.payments.repay_wait_ms = 500;
    // Recovery would not look for a minute: the operator asks.
    c.payments.recheck_ms = 60_000;
}) {
    let (mobile, token, period) = loan_paid_from(&app, "0002").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    let order_no = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    let early = app.admin_call("/admin/payments/settle", json!({"orderNo": order_no})).await;
    assert_eq!((early["responseCode"].as_str(), early["resultSet"]["status"].as_str()), (Some("0000"), Some("unknown")),
        "the channel still processes it: {early}");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let settled = app.admin_call("/admin/payments/settle", json!({"orderNo": order_no})).await;
    assert_eq!(settled["resultSet"]["status"], "succeeded", "{settled}");
    assert_eq!(repay_status(&app, &token).await, "1");
    let unknown = app.admin_call("/admin/payments/settle", json!({"orderNo": "RO19990101000001"})).await;
    assert_eq!(unknown["responseCode"], "10001000");
    let bad = app.admin_call("/admin/payments/list", json!({"status": "paid"})).await;
    assert_eq!(bad["responseCode"], "10001000");
});

e2e!(thirty_two_repayments_wait_for_a_slow_channel_side_by_side(app, |c: &mut cashloan_stack::StackConfig| {
    c.payments.channel_latency_ms = 2000;
    // Side by side, every answer comes within the wait even on a loaded machine; one after
    // another (64 s) most would not.
    c.payments.repay_wait_ms = 12_000;
    // 32 registrations from one address.
    c.policy.sms_ip_hourly_limit = 100;
}) {
    let loans = futures_util::future::join_all((0..32).map(|_| loan_paid_from(&app, "1234"))).await;
    let codes = futures_util::future::join_all(loans.iter().map(|(_, token, period)| pay(&app, token, period, "current"))).await;
    assert!(codes.iter().all(|c| c == "0000"), "{codes:?}");
    assert_eq!(ledger_entries(&app, "repayment"), 32);
    assert_books_balance(&app).await;
});

e2e!(a_day_of_simulated_payments_reconciles_cleanly(app, quick) {
    let (_, token, period) = loan_paid_from(&app, "1234").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "0000");
    let today = app.clock.today().to_string();
    let run = app.admin_call("/admin/reconciliation/run", json!({"date": today})).await;
    assert_eq!(run["resultSet"], json!({"statement": "READY", "matched": 2, "mismatched": 0}), "{run}");
    let listed = app.admin_call("/admin/reconciliation/mismatches", json!({})).await;
    assert_eq!(listed["total"], 0, "{listed}");
});

e2e!(the_default_wait_ends_in_processing_not_in_a_timeout(app, |c: &mut cashloan_stack::StackConfig| {
    c.payments.repay_wait_ms = cashloan_stack::StackConfig::new(String::new()).unwrap().payments.repay_wait_ms;
}) {
    // REPAY_WAIT_MS (3 s) against the 5 s of card 0001: the app hears "processing", the gateway's
    // deadline for money calls is longer than the wait.
    let (_, token, period) = loan_paid_from(&app, "0001").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
});

e2e!(no_payout_goes_to_a_customer_blacklisted_after_approval(app, quick) {
    let (mobile, token) = verified_user(&app).await;
    let id = approved(&app, &token).await;
    let set = app.admin_call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1"})).await;
    assert_eq!(set["responseCode"], "0000");
    let reply = disburse(&app, &id, "").await;
    assert_eq!(reply["responseCode"], "20008004", "{reply}");
    assert!(reply["responseMessage"].as_str().unwrap().contains("暂不符合"), "{reply}");
    let orders = orders_of(&app, &mobile, "payout").await;
    assert_eq!((orders.len(), orders[0]["status"].as_str()), (1, Some("failed")), "refused before the channel");
    assert_eq!(ledger_entries(&app, "payout"), 0);
});
