//! The HTTP payment channel (PAYMENTS.md "The channel protocol") against a fake channel server:
//! signed requests, replies and notifications, `/notify/payment` on the gateway, lost and held
//! replies, duplicate and contradicting notifications, and the crash windows around a submit.

use std::time::Duration;

use serde_json::json;

use crate::fake_channel::{Behaviour, FakeChannel, CHANNEL_PUBLIC_KEY_PATH, MERCHANT_KEY_PATH};
use crate::harness::{backends, test_redis, Backend, TestApp};
use crate::payments::{
    assert_books_balance, eventually, ledger_entries, loan_paid_from, orders_of, pay, repay_status,
};

pub(crate) fn over_http(url: &str, c: &mut cashloan_stack::StackConfig) {
    c.relay_interval_ms = 100;
    let p = &mut c.payments;
    p.channel = "http".into();
    p.channel_url = url.to_owned();
    p.channel_merchant_no = "M100".into();
    p.channel_merchant_key = Some(MERCHANT_KEY_PATH.into());
    p.channel_public_key = Some(CHANNEL_PUBLIC_KEY_PATH.into());
    p.channel_timeout_ms = 1000;
    p.recheck_ms = 300;
    p.job_interval_ms = 100;
}

/// A wait below the fake's first delayed outcome (1.3 s), so the app always hears "processing".
fn short_wait(c: &mut cashloan_stack::StackConfig) {
    c.payments.repay_wait_ms = 300;
}

/// Runs `test` on each backend with a fresh fake channel and a stack that pays through it
/// (settings changed by `tweak`, if given).
macro_rules! channel_e2e {
    ($name:ident($app:ident, $fake:ident) $body:block) => {
        channel_e2e!($name($app, $fake, |_: &mut cashloan_stack::StackConfig| {}) $body);
    };
    ($name:ident($app:ident, $fake:ident, $tweak:expr) $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in backends() {
                eprintln!("backend: {backend:?}");
                let $fake = FakeChannel::start().await;
                let url = $fake.url.clone();
                #[allow(unused_mut)]
                let mut $app = TestApp::spawn(&backend, |c| {
                    over_http(&url, c);
                    ($tweak)(c);
                })
                .await;
                $body
                $app.stop().await;
                $fake.stop().await;
            }
        }
    };
}

/// Starts a repayment whose reply the channel holds; returns once the channel has the order
/// (the app has given up waiting).
async fn repay_with_reply_held(app: &TestApp, fake: &FakeChannel, token: &str, period: &str) {
    fake.then(Behaviour::HoldReply);
    let paying = tokio::time::timeout(Duration::from_millis(300), pay(app, token, period, "current")).await;
    assert!(paying.is_err(), "the channel holds the reply");
    eventually("the channel has the order", || async { fake.orders().len() == 2 }).await;
}

fn mismatches(app: &TestApp) -> i64 {
    app.loan_database_integer("SELECT COUNT(*) AS value FROM payment_mismatches")
}

channel_e2e!(money_moves_once_through_signed_calls(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "0000");
    let moved = fake.orders();
    assert_eq!(moved.len(), 2, "one payout, one deduction: {moved:?}");
    assert!(moved.iter().all(|(_, submissions)| *submissions == 1));
    assert_eq!(fake.refused_signatures(), 0, "every request carried the merchant's signature");
    assert_eq!(orders_of(&app, &mobile, "repay").await[0]["channelOrderNo"], format!("CH{}", moved.iter().find(|(no, _)| no.starts_with("RO")).unwrap().0));
    assert_books_balance(&app).await;
});

channel_e2e!(duplicate_notifications_settle_once_and_a_contradiction_is_a_mismatch(app, fake, short_wait) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    fake.then(Behaviour::Notify(vec![
        (Duration::from_millis(1300), "SUCCESS"),
        (Duration::from_millis(1300), "SUCCESS"),
        (Duration::from_millis(1800), "FAIL"),
    ]));
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    eventually("the notification pays it", || async { repay_status(&app, &token).await == "1" }).await;
    eventually("the contradiction is raised", || async { mismatches(&app) == 1 }).await;
    assert_eq!(repay_status(&app, &token).await, "1", "a decline after success changes nothing");
    assert_eq!(orders_of(&app, &mobile, "repay").await[0]["status"], "succeeded");
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    assert!(fake.notify_answers().iter().all(|s| *s == 200), "each answered SUCCESS: {:?}", fake.notify_answers());
    assert_books_balance(&app).await;
});

channel_e2e!(a_notification_not_signed_by_the_channel_is_refused_and_changes_nothing(app, fake, short_wait) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    // Accepted, and then silence: the order waits.
    fake.then(Behaviour::Notify(vec![]));
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    let order = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let forged = json!({"orderNo": order, "channelOrderNo": "X", "status": "SUCCESS", "code": "", "amount": 50700,
        "finishedAt": "2026-12-01 10:00:00", "timestamp": 1, "sign": "bm90IGEgc2lnbmF0dXJl"});
    let answer = http.post(app.url("/notify/payment")).json(&forged).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let garbage = http.post(app.url("/notify/payment")).body("status=SUCCESS").send().await.unwrap();
    assert_eq!(garbage.status().as_u16(), 400);
    assert_eq!(repay_status(&app, &token).await, "2", "still processing");
    assert_eq!(ledger_entries(&app, "repayment"), 0);
    assert_eq!(orders_of(&app, &mobile, "repay").await[0]["status"], "submitted");
});

channel_e2e!(a_notification_for_an_unknown_order_is_acknowledged_and_raised(app, fake) {
    let (_, token, period) = loan_paid_from(&app, "1234").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "0000");
    let before = ledger_entries(&app, "repayment");
    fake.notify_stranger("RO19990101000001", &app.url("/notify/payment")).await;
    assert_eq!(fake.notify_answers().last(), Some(&200), "acknowledged, so the channel stops resending");
    assert_eq!(mismatches(&app), 1, "raised for an operator");
    fake.notify_stranger("RO19990101000001", &app.url("/notify/payment")).await;
    assert_eq!(mismatches(&app), 1, "once");
    assert_eq!(app.loan_database_integer("SELECT COUNT(*) AS value FROM payment_orders"), 2, "no order created");
    // The same success again for a settled order is a duplicate, not a mismatch.
    let order = fake.orders().into_iter().find(|(no, _)| no.starts_with("RO")).unwrap().0;
    fake.change_mind(&order, "SUCCESS", &app.url("/notify/payment")).await;
    assert_eq!(mismatches(&app), 1);
    assert_eq!(ledger_entries(&app, "repayment"), before);
});

channel_e2e!(only_a_final_decline_fails_an_order(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    fake.then(Behaviour::Decline("INSUFFICIENT_BALANCE"));
    assert_eq!(pay(&app, &token, &period, "current").await, "20006004", "a final decline");
    assert_eq!(ledger_entries(&app, "repayment"), 0);
    // A busy channel took nothing: the query finds no order, which is submitted again under its
    // number and paid.
    fake.then(Behaviour::Busy);
    let code = pay(&app, &token, &period, "current").await;
    // Never 20006004: not a final answer, so recovery asks, finds nothing, and submits again
    // (within the wait or after it).
    assert!(code == "0000" || code == "20006005", "{code}");
    eventually("resubmitted and paid", || async { repay_status(&app, &token).await == "1" }).await;
    let busy = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    assert_eq!(fake.orders().into_iter().find(|(no, _)| *no == busy).map(|o| o.1), Some(2));
    assert_eq!(ledger_entries(&app, "repayment"), 1);
});

channel_e2e!(a_lost_reply_is_recovered_by_query_and_charged_once(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    fake.then(Behaviour::LoseReply);
    assert_eq!(pay(&app, &token, &period, "current").await, "0000", "recovery's query settles it within the wait");
    let orders = orders_of(&app, &mobile, "repay").await;
    assert_eq!((orders.len(), orders[0]["status"].as_str()), (1, Some("succeeded")));
    let repay = fake.orders().into_iter().find(|(no, _)| no.starts_with("RO")).unwrap();
    assert_eq!(repay.1, 1, "queried, not submitted again");
    assert_eq!(ledger_entries(&app, "repayment"), 1);
});

channel_e2e!(a_process_that_stopped_after_submitting_is_settled_by_recovery_once(app, fake, |c: &mut cashloan_stack::StackConfig| {
    c.payments.recheck_ms = 2000;
}) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    repay_with_reply_held(&app, &fake, &token, &period).await;
    // The process stops with the reply outstanding, and starts again.
    app.restart().await;
    fake.release();
    eventually("recovery settles it", || async {
        orders_of(&app, &mobile, "repay").await[0]["status"] == "succeeded"
    })
    .await;
    assert_eq!(fake.orders().len(), 2, "the money moved once");
    // The embedded session store does not survive the restart: read the plan directly.
    assert_eq!(
        app.loan_database_integer("SELECT COUNT(*) AS value FROM repayment_periods WHERE status = 1"),
        1
    );
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    assert_books_balance(&app).await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_cut_after_the_channel_succeeded_settles_once_it_returns() {
    let Some((proxy, proxied)) = crate::resilience::CuttableProxy::for_test_postgres().await else {
        eprintln!("TEST_POSTGRES not set: skipped");
        return;
    };
    let fake = FakeChannel::start().await;
    let url = fake.url.clone();
    let backend = Backend::Real {
        postgres: Some(proxied),
        redis: test_redis(),
    };
    let app = TestApp::spawn(&backend, |c| {
        over_http(&url, c);
        // Recovery looks only after the database is back.
        c.payments.recheck_ms = 3000;
    })
    .await;
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    repay_with_reply_held(&app, &fake, &token, &period).await;
    proxy.cut();
    fake.release();
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.restore();
    eventually("the order settles once the database is back", || async {
        orders_of(&app, &mobile, "repay")
            .await
            .first()
            .is_some_and(|o| o["status"] == "succeeded")
    })
    .await;
    assert_eq!(repay_status(&app, &token).await, "1");
    assert_eq!(fake.orders().len(), 2, "the money moved once");
    assert_eq!(ledger_entries(&app, "repayment"), 1);
    assert_books_balance(&app).await;
    app.stop().await;
    fake.stop().await;
}

channel_e2e!(reconciliation_settles_open_orders_and_lists_every_difference(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    let (mobile2, token2, period2) = loan_paid_from(&app, "1234").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "0000");
    // Accepted and never notified; the channel finished it all the same.
    fake.then(Behaviour::Notify(vec![]));
    assert_eq!(pay(&app, &token2, &period2, "current").await, "20006005");
    let open = orders_of(&app, &mobile2, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    fake.finish_quietly(&open, "SUCCESS");
    // Three differences: a line for an order we never made, an order missing from the
    // statement, an amount that differs.
    let today = app.clock.today().to_string();
    fake.statement_adds(&format!("RO19990101000009,CHX,deduct,100,SUCCESS,{today} 09:00:00"));
    let repaid = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    fake.statement_omits(&repaid);
    let payout2 = orders_of(&app, &mobile2, "payout").await[0]["orderNo"].as_str().unwrap().to_owned();
    fake.statement_amount(&payout2, 50_001);
    fake.statement_ready(false);
    let early = app.admin_call("/admin/reconciliation/run", json!({"date": today})).await;
    assert_eq!((early["responseCode"].as_str(), early["resultSet"]["statement"].as_str()), (Some("0000"), Some("NOT_READY")));
    fake.statement_ready(true);
    let run = app.admin_call("/admin/reconciliation/run", json!({"date": today})).await;
    assert_eq!(run["resultSet"], json!({"statement": "READY", "matched": 2, "mismatched": 3}), "{run}");
    assert_eq!(repay_status(&app, &token2).await, "1", "the open order was settled from the statement");
    let listed = app.admin_call("/admin/reconciliation/mismatches", json!({"date": today})).await;
    assert_eq!(listed["total"], 3, "{listed}");
    let orders: Vec<&str> = listed["resultSet"].as_array().unwrap().iter().map(|m| m["orderNo"].as_str().unwrap()).collect();
    for expected in ["RO19990101000009", repaid.as_str(), payout2.as_str()] {
        assert!(orders.contains(&expected), "{expected} in {orders:?}");
    }
    // Nothing was corrected silently, and running again raises nothing new.
    assert_eq!(orders_of(&app, &mobile2, "payout").await[0]["status"], "succeeded");
    let again = app.admin_call("/admin/reconciliation/run", json!({"date": today})).await;
    assert_eq!(again["resultSet"]["mismatched"], 3);
    assert_eq!(app.admin_call("/admin/reconciliation/mismatches", json!({"date": today})).await["total"], 3);
    assert_eq!(app.admin_call("/admin/reconciliation/run", json!({"date": "2026-13-01"})).await["responseCode"], "10001000");
    assert_books_balance(&app).await;
});

channel_e2e!(days_a_period_spent_held_by_an_order_the_channel_never_had_owe_no_penalty(app, fake) {
    use crate::loans::{disburse, plan, verified_user};
    // Released 20 days ago for 14 days: 6 days overdue, 507.00 × 0.36 / 360 × 6 = 3.04.
    let (mobile, token) = verified_user(&app).await;
    let id = crate::payments::approved(&app, &token).await;
    let release = app.clock.today() - chrono::Days::new(20);
    assert_eq!(disburse(&app, &id, &release.to_string()).await["responseCode"], "0000");
    let period = plan(&app, &token, &id).await["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    // The channel is busy whenever the order is sent: it never takes it.
    for _ in 0..200 {
        fake.then(Behaviour::Busy);
    }
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    let held_from = app.clock.today();
    // Nearly a day later (past the hour of resubmissions, short of the 24 h of `manual`).
    app.clock.advance_ms(23 * 3600 * 1000);
    eventually("the order fails: the channel never had it", || async {
        let order = &orders_of(&app, &mobile, "repay").await[0];
        order["status"] == "failed" && order["reason"] == "渠道无此订单"
    })
    .await;
    let held_days = (app.clock.today() - held_from).num_days();
    let overdue = app.call_as(&token, "/appCommonApi/getRepayInfoList", json!({"condition": "3"})).await;
    assert_eq!(overdue["resultSet"][0]["repayStatus"], "0", "free again");
    assert_eq!(
        overdue["resultSet"][0]["duePenalty"], "3.04",
        "the {held_days} day(s) it was held are not charged"
    );
});

channel_e2e!(a_payout_sent_back_is_booked_freezes_the_plan_and_is_raised(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    let payout = orders_of(&app, &mobile, "payout").await[0]["orderNo"].as_str().unwrap().to_owned();
    // 退票: the bank sends the loan back days later.
    fake.change_mind(&payout, "RETURNED", &app.url("/notify/payment")).await;
    assert_eq!(fake.notify_answers().last(), Some(&200));
    assert_eq!(orders_of(&app, &mobile, "payout").await[0]["status"], "returned");
    assert_eq!(ledger_entries(&app, "payout_return"), 1, "Dr 1012 / Cr 1122");
    assert_eq!(mismatches(&app), 1, "raised for an operator");
    assert_eq!(pay(&app, &token, &period, "current").await, "20008001", "a frozen plan takes no repayment");
    // The books still agree: the frozen plan owes nothing, and 1122 is back to zero.
    assert_books_balance(&app).await;
    fake.change_mind(&payout, "RETURNED", &app.url("/notify/payment")).await;
    assert_eq!(ledger_entries(&app, "payout_return"), 1, "returned once");
});

channel_e2e!(a_payout_sent_back_after_the_loan_was_repaid_is_raised_and_never_credited_again(app, fake) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    assert_eq!(pay(&app, &token, &period, "current").await, "0000", "the loan is repaid");
    let payout = orders_of(&app, &mobile, "payout").await[0]["orderNo"].as_str().unwrap().to_owned();
    // 退票 days later, after the customer paid everything back.
    fake.change_mind(&payout, "RETURNED", &app.url("/notify/payment")).await;
    assert_eq!(fake.notify_answers().last(), Some(&200), "acknowledged");
    assert_eq!(ledger_entries(&app, "payout_return"), 0, "1122 is not credited a second time");
    assert_eq!(orders_of(&app, &mobile, "payout").await[0]["status"], "succeeded", "as booked");
    assert_eq!(mismatches(&app), 1, "an operator's case");
    let books = app.admin_call("/admin/ledger/trialBalance", json!({})).await;
    for invariant in books["resultSet"]["invariants"].as_array().unwrap() {
        assert_eq!(invariant["holds"], true, "{invariant}");
    }
    fake.change_mind(&payout, "RETURNED", &app.url("/notify/payment")).await;
    assert_eq!(mismatches(&app), 1, "raised once");
});

channel_e2e!(a_channel_signed_notification_out_of_its_window_is_kept_and_refused(app, fake, short_wait) {
    let (mobile, token, period) = loan_paid_from(&app, "1234").await;
    // Accepted, and then silence: the order waits for its notification.
    fake.then(Behaviour::Notify(vec![]));
    assert_eq!(pay(&app, &token, &period, "current").await, "20006005");
    let order = orders_of(&app, &mobile, "repay").await[0]["orderNo"].as_str().unwrap().to_owned();
    let url = app.url("/notify/payment");
    // Signed by the channel, but sent in 1970 (a replay of an old one, or a clock gone wrong).
    assert_eq!(fake.notify_at(&order, "SUCCESS", 1000, &url).await, 400);
    let late = chrono::Utc::now().timestamp_millis() - 301_000;
    assert_eq!(fake.notify_at(&order, "SUCCESS", late, &url).await, 400, "just outside ±300 s");
    assert_eq!(repay_status(&app, &token).await, "2", "still processing: nothing moved");
    assert_eq!(ledger_entries(&app, "repayment"), 0);
    assert_eq!(mismatches(&app), 2, "each kept for the record");
    let fresh = chrono::Utc::now().timestamp_millis();
    assert_eq!(fake.notify_at(&order, "SUCCESS", fresh, &url).await, 200, "a current one settles");
    assert_eq!(repay_status(&app, &token).await, "1");
    assert_eq!(ledger_entries(&app, "repayment"), 1);
});
