//! `/admin/payments/resolve` (API.md §7, PAYMENTS.md): orders the channel left unclear — money
//! taken after a decline, a payout made after a decline, an order with no outcome for a day —
//! closed on one finance operator's request and another's confirmation, never by the token
//! alone, and never twice.

use serde_json::{json, Value};

use crate::channel_http::over_http;
use crate::fake_channel::{Behaviour, FakeChannel};
use crate::harness::{backends, TestApp};
use crate::loans::{disburse, plan, verified_user};
use crate::operators::{create, sign_in, Console};
use crate::payments::{approved, eventually, ledger_entries, loan_paid_from, orders_of, pay, repay_status};

const EVIDENCE: &str = "渠道对账单及客服工单 #2026-118";

/// Two finance operators: one asks, the other confirms.
async fn finance_pair(app: &TestApp) -> (Console, Console) {
    let mut pair = Vec::new();
    for _ in 0..2 {
        let name = format!("finance{}", rand::random_range(10_000..99_999u32));
        let created = create(app, &name, &["finance"]).await;
        pair.push(sign_in(app, &name, &created).await);
    }
    let checker = pair.pop().unwrap();
    (pair.pop().unwrap(), checker)
}

async fn ask(c: &Console, order: &str, resolution: &str) -> Value {
    let body = json!({"orderNo": order, "resolution": resolution, "evidence": EVIDENCE});
    c.call("/admin/payments/resolve", body).await.1
}

/// Asks and returns the approval's id, checking it waits.
async fn asked(c: &Console, order: &str, resolution: &str) -> String {
    let reply = ask(c, order, resolution).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    assert_eq!(reply["resultSet"]["status"], "pending");
    reply["resultSet"]["approvalId"].as_str().unwrap().to_owned()
}

async fn confirm(c: &Console, id: &str) -> Value {
    c.call(
        "/admin/approvals/decide",
        json!({"id": id, "decision": "confirm"}),
    )
    .await
    .1
}

/// The trial balance's invariants all hold (debits equal credits, 1122 equals the plans, every
/// succeeded order booked, every entry naming an order); the balance of `account`.
async fn books_hold(app: &TestApp, account: &str) -> String {
    let books = app.admin_call("/admin/ledger/trialBalance", json!({})).await;
    for invariant in books["resultSet"]["invariants"].as_array().unwrap() {
        assert_eq!(invariant["holds"], true, "{invariant}");
    }
    let row = books["resultSet"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == account)
        .cloned();
    row.map(|a| a["balance"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A repayment declined by the channel, which then takes the money anyway: (mobile, token,
/// period, the order).
async fn overpaid(app: &TestApp, fake: &FakeChannel) -> (String, String, String, String) {
    let (mobile, token, period) = loan_paid_from(app, "1234").await;
    fake.then(Behaviour::Decline("INSUFFICIENT_BALANCE"));
    assert_eq!(pay(app, &token, &period, "current").await, "20006004");
    let order = orders_of(app, &mobile, "repay").await[0]["orderNo"]
        .as_str()
        .unwrap()
        .to_owned();
    fake.change_mind(&order, "SUCCESS", &app.url("/notify/payment"))
        .await;
    assert_eq!(orders_of(app, &mobile, "repay").await[0]["status"], "mismatch");
    assert_eq!(books_hold(app, "2241").await, "507.00", "booked to overpayments");
    (mobile, token, period, order)
}

channel_e2e!(an_overpayment_is_applied_once_on_a_second_operators_word(app, fake) {
    let (mobile, token, _, order) = overpaid(&app, &fake).await;
    let by_token = app.admin_call("/admin/payments/resolve", json!({"orderNo": order, "resolution": "apply", "evidence": EVIDENCE})).await;
    assert_eq!(by_token["responseCode"], "99990007", "the token alone cannot: {by_token}");
    let (maker, checker) = finance_pair(&app).await;
    assert_eq!(ask(&maker, &order, "succeeded").await["responseCode"], "20009013", "the money is there: apply or refund");
    let long = json!({"orderNo": order, "resolution": "apply", "evidence": "证".repeat(501)});
    assert_eq!(maker.call("/admin/payments/resolve", long).await.1["responseCode"], "10001000");
    let no_evidence = json!({"orderNo": order, "resolution": "apply"});
    assert_eq!(maker.call("/admin/payments/resolve", no_evidence).await.1["responseCode"], "10001000");

    let first = asked(&maker, &order, "apply").await;
    assert_eq!(repay_status(&app, &token).await, "0", "nothing happens until confirmed");
    assert_eq!(confirm(&maker, &first).await["responseCode"], "20009009", "the maker cannot confirm");
    // Two requests for the same order confirmed at the same moment: applied once.
    let second = asked(&checker, &order, "apply").await;
    let (a, b) = tokio::join!(confirm(&checker, &first), confirm(&maker, &second));
    let mut codes = [a["responseCode"].as_str().unwrap(), b["responseCode"].as_str().unwrap()];
    codes.sort();
    assert_eq!(codes, ["0000", "20009012"], "{a} {b}");

    assert_eq!(repay_status(&app, &token).await, "1", "the period is paid by the overpayment");
    assert_eq!(orders_of(&app, &mobile, "repay").await[0]["status"], "succeeded");
    assert_eq!(ledger_entries(&app, "overpayment_applied"), 1);
    assert_eq!(ledger_entries(&app, "repayment"), 0, "not booked as a second collection");
    assert_eq!(books_hold(&app, "2241").await, "0.00");
    let noted = app.admin_call("/admin/reconciliation/mismatches", json!({"pageSize": 50})).await;
    let item = noted["resultSet"].as_array().unwrap().iter().find(|m| m["orderNo"] == order.as_str()).unwrap().clone();
    let resolution = item["resolution"].as_str().unwrap();
    assert!(resolution.starts_with("apply：") && resolution.contains(EVIDENCE), "{resolution}");
    assert_eq!(ask(&maker, &order, "refund").await["responseCode"], "20009012", "nothing left to resolve");
});

channel_e2e!(an_overpayment_for_a_period_paid_meanwhile_is_refunded_to_the_card(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    fake.then(Behaviour::Decline("INSUFFICIENT_BALANCE"));
    assert_eq!(pay(&app, &token, &period, "current").await, "20006004");
    let declined = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    assert_eq!(pay(&app, &token, &period, "current").await, "0000", "the customer pays again");
    fake.change_mind(&declined, "SUCCESS", &app.url("/notify/payment")).await;
    let (maker, checker) = finance_pair(&app).await;

    let apply = asked(&maker, &declined, "apply").await;
    assert_eq!(confirm(&checker, &apply).await["responseCode"], "20009013", "its period is paid");
    assert_eq!(ledger_entries(&app, "overpayment_applied"), 0);

    let refund = asked(&maker, &declined, "refund").await;
    let done = confirm(&checker, &refund).await;
    assert_eq!(done["responseCode"], "0000", "{done}");
    let refund_order = done["resultSet"]["order"].clone();
    assert_eq!((refund_order["kind"].as_str(), refund_order["status"].as_str()), (Some("refund"), Some("succeeded")));
    assert_eq!(refund_order["amount"], "507.00");
    let refund_no = refund_order["orderNo"].as_str().unwrap();
    assert!(refund_no.starts_with("FO"), "{refund_no}");
    assert!(fake.orders().iter().any(|(no, n)| no == refund_no && *n == 1), "sent once to the channel as a payout");
    let repays = orders_of(&app, &mobile, "repay").await;
    let closed = repays.iter().find(|o| o["orderNo"] == declined.as_str()).unwrap();
    assert_eq!(closed["status"], "succeeded", "the channel did take that money");
    assert_eq!(ledger_entries(&app, "refund"), 1);
    assert_eq!(ledger_entries(&app, "repayment"), 1, "the period was paid once");
    assert_eq!(books_hold(&app, "2241").await, "0.00");
    assert_eq!(ask(&maker, &declined, "refund").await["responseCode"], "20009012", "refunded once");
});

channel_e2e!(an_order_without_an_outcome_for_a_day_is_closed_as_failed_and_frees_its_period(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    // Accepted, and then silence: every query says PROCESSING.
    fake.then(Behaviour::Notify(vec![]));
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    app.clock.advance_ms(25 * 3600 * 1000);
    eventually("after a day the order waits for an operator", || async {
        orders_of(&app, &mobile, "repay").await[0]["status"] == "manual"
    })
    .await;
    assert_eq!(pay(&app, &token, &period, "current").await, "20006006", "still held");
    let (maker, checker) = finance_pair(&app).await;
    let order = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    assert_eq!(ask(&maker, &order, "apply").await["responseCode"], "20009013", "no money came in");
    let id = asked(&maker, &order, "failed").await;
    let done = confirm(&checker, &id).await;
    assert_eq!(done["responseCode"], "0000", "{done}");
    assert_eq!(done["resultSet"]["order"]["status"], "failed");
    assert_eq!(repay_status(&app, &token).await, "0", "free again");
    assert_eq!(pay(&app, &token, &period, "current").await, "0000");
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    books_hold(&app, "1122").await;
});

channel_e2e!(a_payout_made_after_its_decline_stands_and_the_loan_starts(app, fake) {
    let (mobile, token) = verified_user(&app).await;
    let id = approved(&app, &token).await;
    fake.then(Behaviour::Decline("ACCOUNT_ABNORMAL"));
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "20008004");
    let payout = orders_of(&app, &mobile, "payout").await[0]["orderNo"].as_str().unwrap().to_owned();
    fake.change_mind(&payout, "SUCCESS", &app.url("/notify/payment")).await;
    assert_eq!(books_hold(&app, "1221").await, "500.00", "a disputed payout");
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "20008003", "no second payout meanwhile");
    let (maker, checker) = finance_pair(&app).await;
    assert_eq!(ask(&maker, &payout, "refund").await["responseCode"], "20009013");
    let asked_id = asked(&maker, &payout, "succeeded").await;
    let done = confirm(&checker, &asked_id).await;
    assert_eq!(done["responseCode"], "0000", "{done}");
    assert!(plan(&app, &token, &id).await["resultSet"][0]["repayId"].is_string(), "the plan starts");
    assert_eq!(orders_of(&app, &mobile, "payout").await[0]["status"], "succeeded");
    assert_eq!(ledger_entries(&app, "disputed_payout_settled"), 1);
    assert_eq!(books_hold(&app, "1221").await, "0.00");
    assert_eq!(books_hold(&app, "1122").await, "500.00", "owed as the plan says");
});
