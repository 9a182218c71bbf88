//! Credit decisions end to end (DECISIONS.md, API.md §6.7): the default ruleset and the local
//! bureau decide automatic products by themselves, reproducibly by the ID number's sequence code;
//! manual products keep the decision for the reviewer; the borrower is told why and may ask a
//! person once. Spoken through the app's and the admin's protocol only.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{encrypt, id_card, id_card_aged, TestApp, PASSWORD};
use crate::loans::{
    application, apply, my_applications, newest_application, plan, product_id, review, verified_user_with,
};
use crate::payments::eventually;

/// The sample products decided by the rules, the bureau's silence counted after half a second.
pub(crate) fn automatic(c: &mut cashloan_stack::StackConfig) {
    c.sample_review_mode = 1;
    c.bureau_timeout_ms = 500;
}

/// An ID number ending its sequence code in `seq`, of someone 30 to 49 (no two users share one).
fn id_with(seq: &str) -> String {
    use chrono::Datelike;
    let year = cashloan_runtime::clock::today_cst().year() - rand::random_range(31..=50);
    id_card(
        &format!(
            "{year}{:02}{:02}",
            rand::random_range(1..=12),
            rand::random_range(1..=28)
        ),
        seq,
    )
}

/// An ordinary sequence code: the bureau's ordinary answer.
pub(crate) fn ordinary_id() -> String {
    id_with(&format!("{:03}", rand::random_range(100..990)))
}

/// A verified user of `id` who applied for `amount` on 新现金贷: (mobile, token, application id).
pub(crate) async fn applicant(app: &TestApp, id: String, amount: &str) -> (String, String, String) {
    let user = verified_user_with(app, id).await;
    let product = product_id(app, "新现金贷").await;
    let reply = apply(app, &user.token, application(&product, amount)).await;
    assert_eq!(reply["responseCode"], "20005000", "{reply}");
    let apply_id = newest_application(app, &user.token).await;
    (user.mobile, user.token, apply_id)
}

async fn decision(app: &TestApp, token: &str, id: &str) -> Value {
    app.call_as(
        token,
        "/appCommonApi/getLoanDecision",
        json!({"loanProductApplyId": id}),
    )
    .await
}

/// #41 once a decision is there.
pub(crate) async fn decided(app: &TestApp, token: &str, id: &str) -> Value {
    eventually("the application is decided", || async {
        decision(app, token, id).await["resultSet"]["decidedBy"] != ""
    })
    .await;
    decision(app, token, id).await["resultSet"].clone()
}

async fn status(app: &TestApp, token: &str) -> String {
    my_applications(app, token, json!({})).await["resultSet"][0]["applyStatus"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn record(app: &TestApp, id: &str) -> Value {
    let reply = app
        .admin_call("/admin/risk/decisions/get", json!({"applyId": id}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].clone()
}

fn codes(reasons: &Value) -> Vec<String> {
    reasons
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|r| r["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn payouts(app: &TestApp, mobile: &str) -> u64 {
    let reply = app
        .admin_call(
            "/admin/payments/list",
            json!({"kind": "payout", "mobile": mobile, "pageNum": "1", "pageSize": "10"}),
        )
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["total"].as_u64().unwrap_or_default()
}

e2e!(the_default_rules_and_the_local_bureau_decide_automatic_products(app, automatic) {
    // A clean applicant: approved and paid out, with no operator call.
    let (mobile, token, id) = applicant(&app, ordinary_id(), "500.00").await;
    let d = decided(&app, &token, &id).await;
    assert_eq!((d["decidedBy"].as_str(), d["outcome"].as_str()), (Some("machine"), Some("approve")), "{d}");
    assert_eq!((d["reasons"].clone(), d["reviewRequestable"].as_str()), (json!([]), Some("0")));
    eventually("the payout starts the plan", || async {
        plan(&app, &token, &id).await["resultSet"][0]["repayId"].is_string()
    })
    .await;
    assert_eq!(status(&app, &token).await, "4");
    assert_eq!(payouts(&app, &mobile).await, 1);
    assert_eq!(record(&app, &id).await["band"], "A");

    let rejected = [
        (id_with("990"), "BUREAU_BLACKLIST", "综合评估未通过"),
        (id_with("991"), "MULTI_LENDING_HIGH", "近期多头借贷较多"),
        (id_with("994"), "SCORE_BAND", "综合评分不足"),
        (id_card_aged(19, &format!("{:03}", rand::random_range(100..990))), "AGE", "年龄不符合产品要求"),
        (id_card_aged(56, &format!("{:03}", rand::random_range(100..990))), "AGE", "年龄不符合产品要求"),
    ];
    let referred = [(id_with("992"), "MULTI_LENDING"), (id_with("993"), "BUREAU_UNAVAILABLE")];
    let mut waiting = Vec::new();
    for (number, code, text) in rejected {
        let (mobile, token, id) = applicant(&app, number, "500.00").await;
        waiting.push((mobile, token, id, "reject", code, text));
    }
    for (number, code) in referred {
        let (mobile, token, id) = applicant(&app, number, "500.00").await;
        waiting.push((mobile, token, id, "refer", code, ""));
    }
    for (mobile, token, id, outcome, code, text) in waiting {
        let d = decided(&app, &token, &id).await;
        assert_eq!(d["outcome"], outcome, "{code}: {d}");
        let shown = d.to_string();
        assert!(!shown.contains("score") && !shown.contains("band"), "nothing of the score reaches the app: {shown}");
        if outcome == "reject" {
            assert_eq!(d["reasons"], json!([{"code": code, "text": text}]), "{d}");
            assert_eq!(status(&app, &token).await, "3");
            assert_eq!(d["reviewRequestable"], "1");
        } else {
            // Referred: in the reviewers' queue, the reason shown to them only.
            assert_eq!(d["reasons"], json!([]));
            assert_eq!(status(&app, &token).await, "1");
            assert!(codes(&record(&app, &id).await["reasons"]).contains(&code.to_owned()), "{code}");
        }
        assert_eq!(payouts(&app, &mobile).await, 0, "{code}: no money without an approval");
    }
});

e2e!(a_device_used_by_three_users_is_referred(app, automatic) {
    let device = format!("device-{}", rand::random::<u32>());
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let user = verified_user_with(&app, ordinary_id()).await;
        // The app's login names the device (login's `token`).
        let login = app
            .call("/security/login", json!({"username": user.mobile, "password": encrypt(PASSWORD), "appType": "1", "token": device}))
            .await;
        assert_eq!(login["responseCode"], "90000000", "{login}");
        let token = login["resultSet"].as_str().unwrap().to_owned();
        let product = product_id(&app, "新现金贷").await;
        assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
        let id = newest_application(&app, &token).await;
        outcomes.push((decided(&app, &token, &id).await["outcome"].as_str().unwrap_or_default().to_owned(), id));
    }
    let seen: Vec<&str> = outcomes.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(seen, ["approve", "approve", "refer"]);
    assert!(codes(&record(&app, &outcomes[2].1).await["reasons"]).contains(&"DEVICE_SHARED".to_owned()));
});

e2e!(a_smaller_approval_waits_for_the_borrower_then_pays_out_by_itself(app, automatic) {
    // 995: score 600, band C, at most 1000.00.
    let (mobile, token, id) = applicant(&app, id_with("995"), "3000.00").await;
    let d = decided(&app, &token, &id).await;
    assert_eq!(d["outcome"], "approve", "{d}");
    let item = &my_applications(&app, &token, json!({})).await["resultSet"][0];
    assert_eq!((item["applyStatus"].as_str(), item["replyAmount"].as_str(), item["needConfirm"].as_str()), (Some("2"), Some("1000.00"), Some("1")), "{item}");
    assert_eq!(payouts(&app, &mobile).await, 0, "no payout on terms not agreed");
    let confirm = json!({"loanProductApplyId": id});
    assert_eq!(app.call_as(&token, "/appCommonApi/confirmLoanTerms", confirm.clone()).await["responseCode"], "0000");
    eventually("the confirmed approval is paid out", || async { status(&app, &token).await == "4" }).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/confirmLoanTerms", confirm).await["responseCode"], "0000");
    assert_eq!(plan(&app, &token, &id).await["resultSet"][0]["duePrincipal"], "1000.00");
    assert_eq!(payouts(&app, &mobile).await, 1, "paid out once");
    assert!(!record(&app, &id).await["payoutOrderNo"].as_str().unwrap_or_default().is_empty());
});

e2e!(a_manual_product_keeps_the_decision_for_the_reviewer_and_records_an_override(app) {
    let (_, token, id) = applicant(&app, id_with("990"), "500.00").await;
    eventually("the rules' recommendation is recorded", || async {
        app.admin_call("/admin/risk/decisions/get", json!({"applyId": id})).await["resultSet"]["outcome"] == "reject"
    })
    .await;
    // Never applied: the application waits for a person, who sees the reasons.
    assert_eq!(status(&app, &token).await, "0");
    assert_eq!(decision(&app, &token, &id).await["resultSet"]["decidedBy"], "");
    let r = record(&app, &id).await;
    assert_eq!((r["automatic"].as_bool(), codes(&r["reasons"])), (Some(false), vec!["BUREAU_BLACKLIST".to_owned()]));
    assert_eq!(r["override"], Value::Null);
    let reply = app
        .admin_call("/admin/loans/review", json!({"applyId": id, "decision": "approve", "remark": "核实为误报"}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    assert_eq!(record(&app, &id).await["override"], json!({"outcome": "approve", "remark": "核实为误报"}));
    let d = decision(&app, &token, &id).await["resultSet"].clone();
    assert_eq!((d["decidedBy"].as_str(), d["outcome"].as_str()), (Some("person"), Some("approve")));
    // A manual product is never paid out by itself.
    assert_eq!(status(&app, &token).await, "2");
    // The day's statistics count the override.
    let today = app.clock.today().format("%Y-%m-%d").to_string();
    let stats = app.admin_call("/admin/risk/stats", json!({"from": today, "to": today})).await;
    assert_eq!((stats["resultSet"][0]["overrides"].as_i64(), stats["resultSet"][0]["outcomes"]["reject"].as_i64()), (Some(1), Some(1)), "{stats}");
});

e2e!(a_rejected_borrower_may_ask_a_person_once_within_fifteen_days(app, automatic) {
    let (_, token, id) = applicant(&app, id_with("994"), "500.00").await;
    let (_, late_token, late_id) = applicant(&app, id_with("994"), "500.00").await;
    assert_eq!(decided(&app, &token, &id).await["reviewRequestable"], "1");
    assert_eq!(decided(&app, &late_token, &late_id).await["outcome"], "reject");
    // Someone else's application is nobody's (BOLA).
    let ask = |reason: &str| json!({"loanProductApplyId": id, "reason": reason});
    assert_eq!(decision(&app, &late_token, &id).await["responseCode"], "10001000");
    assert_eq!(app.call_as(&late_token, "/appCommonApi/requestManualReview", ask("我的收入稳定")).await["responseCode"], "10001000");
    assert_eq!(status(&app, &token).await, "3", "refusals change nothing");
    assert_ne!(app.call_as(&token, "/appCommonApi/requestManualReview", ask("")).await["responseCode"], "0000");
    assert_ne!(app.call_as(&token, "/appCommonApi/requestManualReview", ask(&"长".repeat(201))).await["responseCode"], "0000");
    let asked = app.call_as(&token, "/appCommonApi/requestManualReview", ask("我的收入稳定")).await;
    assert_eq!(asked["responseCode"], "0000", "{asked}");
    assert_eq!(status(&app, &token).await, "1", "back in the reviewers' queue");
    assert_eq!(decision(&app, &token, &id).await["resultSet"]["reviewRequestable"], "0");
    assert_eq!(record(&app, &id).await["reviewReason"], "我的收入稳定");
    assert_eq!(app.call_as(&token, "/appCommonApi/requestManualReview", ask("再次")).await["responseCode"], "20005007");
    // The person's decision is final.
    assert_eq!(review(&app, &id, "reject").await["responseCode"], "0000");
    assert_eq!(decision(&app, &token, &id).await["resultSet"]["decidedBy"], "person");
    assert_eq!(app.call_as(&token, "/appCommonApi/requestManualReview", ask("第三次")).await["responseCode"], "20005007");
    // Past 15 days: too late.
    app.clock.advance_days(16);
    let late = json!({"loanProductApplyId": late_id, "reason": "我的收入稳定"});
    assert_eq!(app.call_as(&late_token, "/appCommonApi/requestManualReview", late).await["responseCode"], "20005007");
    assert_eq!(status(&app, &late_token).await, "3");
});

e2e!(decisions_wait_for_risk_service_and_people_get_them_after_the_give_up(app, automatic) {
    app.stack.as_mut().unwrap().stop_service("risk-service").await;
    let (mobile, token, id) = applicant(&app, ordinary_id(), "500.00").await;
    eventually("the worker takes the application into review", || async { status(&app, &token).await == "1" }).await;
    // Several rounds of the worker: nothing is approved without a decision.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(status(&app, &token).await, "1");
    assert_eq!(decision(&app, &token, &id).await["resultSet"]["decidedBy"], "");
    assert_eq!(payouts(&app, &mobile).await, 0);
    app.stack.as_mut().unwrap().restart_risk_service().await.unwrap();
    eventually("decided and paid out once risk-service is back", || async { status(&app, &token).await == "4" }).await;

    // Down for longer than DECISION_GIVE_UP_S: referred to people.
    app.stack.as_mut().unwrap().stop_service("risk-service").await;
    let (_, token, id) = applicant(&app, ordinary_id(), "500.00").await;
    eventually("the worker takes the application into review", || async { status(&app, &token).await == "1" }).await;
    app.clock.advance_ms(601_000);
    let d = decided(&app, &token, &id).await;
    assert_eq!((d["decidedBy"].as_str(), d["outcome"].as_str()), (Some("machine"), Some("refer")), "{d}");
    assert_eq!(status(&app, &token).await, "1");
    app.stack.as_mut().unwrap().restart_risk_service().await.unwrap();
    let r = record(&app, &id).await;
    assert_eq!((codes(&r["reasons"]), r["rulesetVersion"].as_str()), (vec!["RISK_UNAVAILABLE".to_owned()], Some("")), "{r}");
});
