//! The Alibaba Cloud SMS provider, selected by configuration, against a fake Dysmsapi that checks
//! signatures and fails on demand. The provider does not depend on the storage backend, so these
//! run on the embedded defaults only.

use std::time::Duration;

use serde_json::{json, Value};

use crate::fake_aliyun::{Answer, FakeAliyun, KEY_SECRET, SIGN_NAME};
use crate::harness::{random_mobile, Backend, TestApp};

async fn stack_on(fake: &FakeAliyun, secret: &str, timeout_ms: u64) -> TestApp {
    TestApp::spawn(&Backend::Embedded, |c| {
        fake.configure(c, secret);
        c.aliyun.timeout_ms = timeout_ms;
        c.aliyun.retries = 2;
    })
    .await
}

fn template_param(request: &std::collections::BTreeMap<String, String>) -> Value {
    serde_json::from_str(&request["TemplateParam"]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_go_out_signed_and_are_retried_through_vendor_failures() {
    let fake = FakeAliyun::start(vec![
        Answer::Error(503, "ServiceUnavailable"),
        Answer::Error(400, "Throttling.User"),
        Answer::Ok,
    ])
    .await;
    let app = stack_on(&fake, KEY_SECRET, 2000).await;
    let mobile = random_mobile();
    let sent = app.send_code("/openApi/getSmsCode", &mobile).await;
    assert_eq!(sent["responseCode"], "20001000", "{sent}");
    let requests = fake.accepted();
    assert_eq!(requests.len(), 3, "two retries, each freshly signed");
    assert!(fake.rejected().is_empty(), "{:?}", fake.rejected());
    let last = &requests[2];
    assert_eq!(last["PhoneNumbers"], mobile);
    assert_eq!(last["TemplateCode"], "SMS_REG");
    assert_eq!(last["SignName"], SIGN_NAME);
    let code = template_param(last)["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    // The code the vendor delivered is the one the service checks.
    let checked = app
        .call(
            "/openApi/checkSmsCode",
            json!({"mobile": mobile, "smscode": code}),
        )
        .await;
    assert_eq!(checked["responseCode"], "20002006", "{checked}");
    // With a real vendor no text (and so no code) is kept in our database.
    assert_eq!(app.sms_count(&mobile).await, 0);
    app.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_not_retried() {
    let fake = FakeAliyun::start(vec![Answer::Error(200, "isv.MOBILE_NUMBER_ILLEGAL")]).await;
    let app = stack_on(&fake, KEY_SECRET, 2000).await;
    let mobile = random_mobile();
    let refused = app.send_code("/openApi/getSmsCode", &mobile).await;
    assert_eq!(refused["responseCode"], "20001001", "{refused}");
    assert_eq!(fake.accepted().len(), 1, "a refusal is final");
    // A refused send leaves no cooldown: the next one goes out.
    let sent = app.send_code("/openApi/getSmsCode", &mobile).await;
    assert_eq!(sent["responseCode"], "20001000", "{sent}");
    app.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_refused_by_the_signature_check() {
    let fake = FakeAliyun::start(vec![]).await;
    let app = stack_on(&fake, "not-the-secret", 2000).await;
    let reply = app.send_code("/openApi/getSmsCode", &random_mobile()).await;
    assert_eq!(reply["responseCode"], "20001001", "{reply}");
    assert_eq!(
        fake.rejected(),
        ["SignatureDoesNotMatch"],
        "checked, refused, not retried"
    );
    assert!(fake.accepted().is_empty());
    app.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_that_hangs_is_cut_off_and_tried_again() {
    let fake = FakeAliyun::start(vec![Answer::Hang(Duration::from_secs(10)), Answer::Ok]).await;
    let app = stack_on(&fake, KEY_SECRET, 400).await;
    let started = std::time::Instant::now();
    let sent = app.send_code("/openApi/getSmsCode", &random_mobile()).await;
    assert_eq!(sent["responseCode"], "20001000", "{sent}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the hanging call was abandoned"
    );
    assert_eq!(fake.accepted().len(), 2);
    app.stop().await;
    fake.stop().await;
}
