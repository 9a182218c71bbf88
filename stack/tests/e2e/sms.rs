//! API.md §6.1 captcha and SMS code rules (#7–#9, #11, #12).

use serde_json::json;

use crate::e2e;
use crate::harness::{random_mobile, StackTweak};

e2e!(a_captcha_is_single_use_and_case_insensitive(app) {
    let mobile = random_mobile();
    let captcha = app.captcha().await;
    let sent = app.call("/openApi/getSmsCode", json!({"mobile": mobile, "code": captcha.to_uppercase()})).await;
    assert_eq!(sent["responseCode"], "20001000", "{sent}");
    let reused = app.call("/openApi/getSmsCode", json!({"mobile": random_mobile(), "code": captcha})).await;
    assert_eq!(reused["responseCode"], "10002002", "a used captcha is gone");
    let wrong = app.call("/openApi/getSmsCode", json!({"mobile": random_mobile(), "code": "zzzz"})).await;
    assert_eq!(wrong["responseCode"], "10002001");
    let garbage = app.call("/openApi/getSmsCode", json!({"mobile": random_mobile(), "code": ""})).await;
    assert_eq!(garbage["responseCode"], "10002001");
});

e2e!(a_captcha_expires(app, StackTweak::captcha_ttl(1)) {
    let captcha = app.captcha().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let late = app.call("/openApi/getSmsCode", json!({"mobile": random_mobile(), "code": captcha})).await;
    assert_eq!(late["responseCode"], "10002002");
});

e2e!(a_captcha_is_spent_even_when_the_mobile_is_refused(app) {
    let captcha = app.captcha().await;
    let bad_mobile = app.call("/openApi/forgetPwdGetSmsCode", json!({"mobile": random_mobile(), "code": captcha})).await;
    assert_eq!(bad_mobile["responseCode"], "10001000", "unregistered");
    let again = app.call("/openApi/forgetPwdGetSmsCode", json!({"mobile": random_mobile(), "code": captcha})).await;
    assert_eq!(again["responseCode"], "10002002");
});

e2e!(mobile_numbers_must_be_mainland_format(app) {
    for bad in ["1380013800", "12800138000", "abc", ""] {
        let reply = app.send_code("/openApi/getSmsCode", bad).await;
        assert_eq!(reply["responseCode"], "10001000", "{bad}");
        let check = app.call("/openApi/checkSmsCode", json!({"mobile": bad, "smscode": "123456"})).await;
        assert_eq!(check["responseCode"], "10001000", "{bad}");
    }
});

e2e!(one_send_per_mobile_per_cooldown(app, StackTweak::sms_cooldown(2)) {
    let mobile = random_mobile();
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000");
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "99990006");
    assert_eq!(app.sms_count(&mobile).await, 1);
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000");
});

// The configured cooldown is applied exactly (one_send_per_mobile_per_cooldown); here the
// launcher's default is the contract's 60 s, and it is in force without any setting.
e2e!(the_default_cooldown_is_sixty_seconds(app) {
    let defaults = cashloan_stack::StackConfig::new("x".repeat(16)).unwrap();
    assert_eq!(defaults.policy.sms_cooldown(), std::time::Duration::from_secs(60));
    let mobile = random_mobile();
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "99990006");
});

e2e!(ten_sends_per_mobile_per_day(app, StackTweak::sms_cooldown(0)) {
    let mobile = random_mobile();
    for i in 0..10 {
        assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000", "send {i}");
    }
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "99990006");
    assert_eq!(app.sms_count(&mobile).await, 10);
});

e2e!(thirty_sends_per_client_ip_per_hour(app, StackTweak::sms_cooldown(0)) {
    for i in 0..30 {
        let reply = app.send_code("/openApi/getSmsCode", &random_mobile()).await;
        assert_eq!(reply["responseCode"], "20001000", "send {i}");
    }
    let mobile = random_mobile();
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "99990006");
    assert_eq!(app.sms_count(&mobile).await, 0);
});

e2e!(the_client_ip_comes_from_a_trusted_proxy_only(app, |c: &mut cashloan_stack::StackConfig| {
    c.policy.sms_ip_hourly_limit = 2;
    c.gateway.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}) {
    let send_from = |ip: &'static str| {
        let app = &app;
        async move {
            let captcha = app.captcha().await;
            let body = crate::harness::sign_with(
                crate::harness::APP_KEY,
                json!({"mobile": random_mobile(), "code": captcha}),
            );
            let response = app
                .http
                .post(app.url("/openApi/getSmsCode"))
                .header("X-Forwarded-For", ip)
                .json(&body)
                .send()
                .await
                .unwrap();
            crate::harness::envelope(response.json().await.unwrap())["responseCode"].clone()
        }
    };
    assert_eq!(send_from("203.0.113.1").await, "20001000");
    assert_eq!(send_from("203.0.113.1").await, "20001000");
    assert_eq!(send_from("203.0.113.1").await, "99990006");
    assert_eq!(send_from("203.0.113.2").await, "20001000", "another client behind the proxy");
});

e2e!(forwarded_for_is_ignored_without_trusted_proxies(app, |c: &mut cashloan_stack::StackConfig| {
    c.policy.sms_ip_hourly_limit = 1;
}) {
    for (ip, expected) in [("203.0.113.1", "20001000"), ("203.0.113.2", "99990006")] {
        let captcha = app.captcha().await;
        let body = crate::harness::sign_with(crate::harness::APP_KEY, json!({"mobile": random_mobile(), "code": captcha}));
        let response = app.http.post(app.url("/openApi/getSmsCode")).header("X-Forwarded-For", ip).json(&body).send().await.unwrap();
        assert_eq!(crate::harness::envelope(response.json().await.unwrap())["responseCode"], expected, "{ip}");
    }
});

e2e!(five_wrong_tries_void_the_code(app) {
    let mobile = random_mobile();
    app.send_code("/openApi/getSmsCode", &mobile).await;
    let code = app.last_sms_code(&mobile).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let reply = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": wrong})).await;
        assert_eq!(reply["responseCode"], "20002005", "try {i}");
    }
    let late = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await;
    assert_eq!(late["responseCode"], "20002004", "the code is void after five wrong tries");
});

e2e!(four_wrong_tries_leave_the_code_usable(app) {
    let mobile = random_mobile();
    app.send_code("/openApi/getSmsCode", &mobile).await;
    let code = app.last_sms_code(&mobile).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": wrong})).await;
    }
    let ok = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await;
    assert_eq!(ok["responseCode"], "20002006");
});

e2e!(a_code_is_single_use(app) {
    let mobile = random_mobile();
    app.send_code("/openApi/getSmsCode", &mobile).await;
    let code = app.last_sms_code(&mobile).await.unwrap();
    let first = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await;
    assert_eq!(first["responseCode"], "20002006");
    let second = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await;
    assert_eq!(second["responseCode"], "20002004");
});

e2e!(a_code_never_sent_or_expired_is_20002004(app, StackTweak::sms_code_ttl(1)) {
    let never = app.call("/openApi/checkSmsCode", json!({"mobile": random_mobile(), "smscode": "123456"})).await;
    assert_eq!(never["responseCode"], "20002004");
    let mobile = random_mobile();
    app.send_code("/openApi/getSmsCode", &mobile).await;
    let code = app.last_sms_code(&mobile).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let late = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await;
    assert_eq!(late["responseCode"], "20002004");
});

e2e!(codes_are_per_purpose(app) {
    let (mobile, _) = app.user().await;
    // A registered mobile cannot get or check a registration code...
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "10001000");
    let check = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": "123456"})).await;
    assert_eq!(check["responseCode"], "10001000");
    // ...and an unregistered one cannot use the forgot-password flow.
    let stranger = random_mobile();
    assert_eq!(app.send_code("/openApi/forgetPwdGetSmsCode", &stranger).await["responseCode"], "10001000");
    let check = app.call("/openApi/forgetPwdCheckSmsCode", json!({"mobile": stranger, "smscode": "123456"})).await;
    assert_eq!(check["responseCode"], "10001000");
});

e2e!(sms_texts_carry_the_code_as_the_only_six_digit_run_and_are_kept_without_it(app) {
    let mobile = random_mobile();
    app.send_code("/openApi/getSmsCode", &mobile).await;
    let runs = |text: &str| text.split(|c: char| !c.is_ascii_digit()).filter(|r| r.len() == 6).count();
    let delivered = app.last_sms_text(&mobile).unwrap();
    assert!(delivered.starts_with("【现金贷】"), "{delivered}");
    assert_eq!(runs(&delivered), 1, "{delivered}");
    // What operators see of it once sent: the same text, its code masked (issue 28, finding 6).
    let outbox = app.admin_call("/admin/sms/outbox", json!({"mobile": mobile})).await;
    let sms = &outbox["resultSet"][0];
    assert_eq!(sms["mobile"], mobile.as_str());
    let content = sms["content"].as_str().unwrap();
    assert_eq!((runs(content), content.contains("******")), (0, true), "{content}");
    assert_eq!(content, delivered.replace(&app.last_sms_code(&mobile).await.unwrap(), "******"));
    assert_eq!(sms["sendDate"].as_str().unwrap().len(), 19);
});

e2e!(a_refused_sms_is_20001001_and_leaves_no_code(app) {
    // The local provider refuses the reserved 1700000xxxx range, as a carrier would.
    let mobile = "17000001234";
    let reply = app.send_code("/openApi/getSmsCode", mobile).await;
    assert_eq!(reply["responseCode"], "20001001", "{reply}");
    let check = app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": "123456"})).await;
    assert_eq!(check["responseCode"], "20002004");
    // Nothing was delivered, so the cooldown does not apply.
    assert_eq!(app.send_code("/openApi/getSmsCode", mobile).await["responseCode"], "20001001");
});
