//! API.md §6.5 messages and §7 system-message publishing; loan events delivered once.

use cashloan_proto::message::v1 as pb;
use serde_json::json;

use crate::e2e;
use crate::harness::TestApp;

e2e!(system_messages_are_published_and_paged_newest_first(app) {
    let empty = app.call("/openCommonApi/getSystemMessage", json!({})).await;
    assert_eq!((empty["responseCode"].clone(), empty["total"].clone(), empty["pages"].clone()), (json!("0000"), json!(0), json!(0)));
    for (i, kind) in ["0", "1", "01"].iter().enumerate() {
        let reply = app
            .admin_call("/admin/messages/system", json!({"messageTitle": format!("公告{i}"), "messageContent": "系统维护通知",
                "messageType": kind, "eventUrl": format!("https://example.com/{i}")}))
            .await;
        assert_eq!(reply["responseCode"], "0000", "{reply}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let bad = app.admin_call("/admin/messages/system", json!({"messageTitle": "x", "messageContent": "y", "messageType": "2"})).await;
    assert_eq!(bad["responseCode"], "10001000");
    let first = app.call("/openCommonApi/getSystemMessage", json!({"pageNum": 1, "pageSize": 2})).await;
    assert_eq!((first["total"].clone(), first["pages"].clone(), first["isLastPage"].clone()), (json!(3), json!(2), json!(false)));
    let items = first["resultSet"].as_array().unwrap();
    assert_eq!(items[0]["messageTitle"], "公告2", "newest first");
    assert_eq!(items[0]["messageType"], "1");
    assert_eq!(items[0]["eventUrl"], "https://example.com/2");
    assert_eq!(items[0]["sendDate"].as_str().unwrap().len(), 19);
    let second = app.call("/openCommonApi/getSystemMessage", json!({"pageNum": 2, "pageSize": 2})).await;
    assert_eq!(second["resultSet"][0]["messageTitle"], "公告0");
});

pub async fn auth_user_id(app: &TestApp, mobile: &str) -> String {
    use cashloan_proto::auth::v1 as auth;
    let mut client = auth::auth_client::AuthClient::new(app.service_channel("auth-service", Some("gateway")));
    client
        .find_account(auth::FindAccountRequest {
            mobile: mobile.to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .user_id
}

e2e!(a_loan_event_becomes_one_message_and_one_sms_however_often_delivered(app) {
    let (mobile, token) = app.user().await;
    let user_id = auth_user_id(&app, &mobile).await;
    let mut messages = pb::message_client::MessageClient::new(app.service_channel("message-service", Some("loan")));
    let event = pb::LoanEvent {
        event_id: "evt-disbursed-1".into(),
        user_id,
        mobile: mobile.clone(),
        kind: pb::LoanEventKind::Disbursed.into(),
        product_name: "新现金贷".into(),
        application_code: "CL20261128000001".into(),
        amount: "500.00".into(),
        date: String::new(),
        occurred_at: 0,
    };
    assert!(messages.deliver_loan_event(event.clone()).await.unwrap().into_inner().created);
    assert!(!messages.deliver_loan_event(event.clone()).await.unwrap().into_inner().created, "a redelivery creates nothing");
    let mine = app.call_as(&token, "/appCommonApi/getCustomMessage", json!({})).await;
    assert_eq!(mine["total"], 1);
    let m = &mine["resultSet"][0];
    assert_eq!((m["messageType"].as_str(), m["messageTitle"].as_str()), (Some("14"), Some("借款已放款")));
    assert!(m["messageContent"].as_str().unwrap().contains("500.00"));
    assert!(m.get("eventUrl").is_none());
    assert_texts(&app, &mobile, "放款", 1).await;
    let (_, other) = app.user().await;
    assert_eq!(app.call_as(&other, "/appCommonApi/getCustomMessage", json!({})).await["total"], 0);
    assert_eq!(app.call("/appCommonApi/getCustomMessage", json!({})).await["responseCode"], "99990004");
    let unknown = pb::LoanEvent { event_id: "evt-2".into(), kind: 0, ..event };
    assert!(messages.deliver_loan_event(unknown).await.is_err());
});

/// Asserts that exactly `expected` texts to `mobile` contain `needle` once sending settles (loan
/// texts go out apart from the delivery call).
pub async fn assert_texts(app: &TestApp, mobile: &str, needle: &str, expected: usize) {
    let count = || async {
        let outbox = app
            .admin_call("/admin/sms/outbox", json!({"mobile": mobile, "limit": 100}))
            .await;
        outbox["resultSet"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["content"].as_str().unwrap().contains(needle))
            .count()
    };
    for _ in 0..50 {
        if count().await >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(count().await, expected, "texts containing {needle}");
}

/// The user's messages once `count` have arrived (the relay runs every 100 ms in these tests).
pub async fn messages_when(app: &TestApp, token: &str, count: u64) -> serde_json::Value {
    for _ in 0..100 {
        let reply = app
            .call_as(token, "/appCommonApi/getCustomMessage", json!({"pageSize": 20}))
            .await;
        if reply["total"] == count {
            return reply;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{count} messages did not arrive");
}

e2e!(a_loans_life_tells_the_customer_each_step_once(app, |c: &mut cashloan_stack::StackConfig| c.relay_interval_ms = 100) {
    use crate::loans::{application, apply, disburse, newest_application, plan, product_id, review, verified_user};
    let (mobile, token) = verified_user(&app).await;
    let product = product_id(&app, "新现金贷").await;
    apply(&app, &token, application(&product, "500.00")).await;
    let id = newest_application(&app, &token).await;
    review(&app, &id, "start").await;
    review(&app, &id, "approve").await;
    disburse(&app, &id, "").await;
    let period = plan(&app, &token, &id).await["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    let paid = app.call_as(&token, "/appCommonApi/gotoRepayment", json!({"id": period, "repayType": "current"})).await;
    assert_eq!(paid["responseCode"], "0000");
    let reply = messages_when(&app, &token, 4).await;
    let types: Vec<&str> = reply["resultSet"].as_array().unwrap().iter().map(|m| m["messageType"].as_str().unwrap()).collect();
    let mut sorted = types.clone();
    sorted.sort();
    assert_eq!(sorted, ["11", "12", "14", "16"], "each step once");
    assert!(reply["resultSet"][0]["messageContent"].as_str().unwrap().contains("507.00"), "the repayment is newest: {reply}");
    // Nothing more arrives later, and each came with one SMS.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/getCustomMessage", json!({})).await["total"], 4);
    assert_texts(&app, &mobile, "CL", 4).await;
});

e2e!(events_wait_while_message_service_is_down_then_arrive_once(app, |c: &mut cashloan_stack::StackConfig| c.relay_interval_ms = 100) {
    use crate::loans::{application, apply, newest_application, product_id, review, verified_user};
    let (mobile, token) = verified_user(&app).await;
    let product = product_id(&app, "新现金贷").await;
    app.stack.as_mut().unwrap().stop_service("message-service").await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    review(&app, &id, "approve").await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let pending = app.loan_database_integer("SELECT COUNT(*) AS value FROM outbox WHERE delivered_at IS NULL");
    let tried = app.loan_database_integer("SELECT CAST(COALESCE(MAX(attempts), 0) AS BIGINT) AS value FROM outbox");
    assert_eq!(pending, 2, "both events wait");
    assert!(tried >= 1, "and were tried");
    // Back up: each waiting event arrives, once, with its one SMS.
    app.stack.as_mut().unwrap().restart_message_service().await.unwrap();
    let reply = messages_when(&app, &token, 2).await;
    let mut types: Vec<&str> = reply["resultSet"].as_array().unwrap().iter().map(|m| m["messageType"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(types, ["11", "12"]);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/getCustomMessage", json!({})).await["total"], 2);
    assert_eq!(app.loan_database_integer("SELECT COUNT(*) AS value FROM outbox WHERE delivered_at IS NULL"), 0);
    assert_texts(&app, &mobile, "CL", 2).await;
});

/// A verified user with a disbursed 14-day loan of 500.00 on 新现金贷; returns the session token.
async fn disbursed_loan(app: &TestApp) -> String {
    use crate::loans::{application, apply, disburse, newest_application, product_id, review, verified_user};
    let (_, token) = verified_user(app).await;
    let product = product_id(app, "新现金贷").await;
    apply(app, &token, application(&product, "500.00")).await;
    let id = newest_application(app, &token).await;
    review(app, &id, "approve").await;
    disburse(app, &id, "").await;
    token
}

e2e!(reminders_and_overdue_notices_come_once_each(app, |c: &mut cashloan_stack::StackConfig| {
    c.relay_interval_ms = 50;
    c.job_interval_ms = 50;
}) {
    let token = disbursed_loan(&app).await;
    let before = messages_when(&app, &token, 3).await; // 11, 12, 14
    assert!(before["resultSet"].as_array().unwrap().iter().all(|m| m["messageType"] != "15"));
    // The day before the 14-day due date: one reminder, however many job rounds run.
    app.clock.advance_days(13);
    let reminded = messages_when(&app, &token, 4).await;
    assert_eq!(reminded["resultSet"][0]["messageType"], "15");
    assert!(reminded["resultSet"][0]["messageContent"].as_str().unwrap().contains("507.00"));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/getCustomMessage", json!({})).await["total"], 4);
    // The day after the missed due date: one overdue notice.
    app.clock.advance_days(2);
    let overdue = messages_when(&app, &token, 5).await;
    assert_eq!(overdue["resultSet"][0]["messageType"], "17");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/getCustomMessage", json!({})).await["total"], 5);
});

e2e!(a_job_that_missed_the_days_catches_up(app, |c: &mut cashloan_stack::StackConfig| {
    c.relay_interval_ms = 50;
    c.job_interval_ms = 50;
}) {
    let token = disbursed_loan(&app).await;
    messages_when(&app, &token, 3).await;
    // The job never saw the day before: on the due date itself the reminder still goes out.
    app.clock.advance_days(14);
    let reminded = messages_when(&app, &token, 4).await;
    assert_eq!(reminded["resultSet"][0]["messageType"], "15");
    // Nor the day after: five days late, one overdue notice, and no more rounds add any.
    app.clock.advance_days(5);
    let overdue = messages_when(&app, &token, 5).await;
    assert_eq!(overdue["resultSet"][0]["messageType"], "17");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/getCustomMessage", json!({})).await["total"], 5);
});
