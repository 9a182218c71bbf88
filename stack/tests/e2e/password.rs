//! API.md §6.1 lockout, forgot password and change password (#4, #11–#15).

use serde_json::json;

use crate::e2e;
use crate::harness::{encrypt, random_mobile, StackTweak, PASSWORD};

e2e!(five_wrong_passwords_lock_the_account(app, StackTweak::login_lock(2)) {
    let (mobile, _) = app.user().await;
    for i in 0..4 {
        assert_eq!(app.login_reply(&mobile, "wrong-pass").await["responseCode"], "90002000", "try {i}");
    }
    assert_eq!(app.login_reply(&mobile, "wrong-pass").await["responseCode"], "90003000");
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90003000", "locked even with the right password");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90000000", "the lock ends");
});

e2e!(a_success_resets_the_failure_count(app) {
    let (mobile, _) = app.user().await;
    for _ in 0..4 {
        app.login_reply(&mobile, "wrong-pass").await;
    }
    app.login(&mobile, PASSWORD).await;
    for i in 0..4 {
        assert_eq!(app.login_reply(&mobile, "wrong-pass").await["responseCode"], "90002000", "try {i}");
    }
});

/// Sends and checks a forgot-password code.
async fn pass_reset_sms(app: &crate::harness::TestApp, mobile: &str) {
    assert_eq!(
        app.send_code("/openApi/forgetPwdGetSmsCode", mobile).await["responseCode"],
        "20001000"
    );
    let code = app.last_sms_code(mobile).await.unwrap();
    let checked = app
        .call(
            "/openApi/forgetPwdCheckSmsCode",
            json!({"mobile": mobile, "smscode": code}),
        )
        .await;
    assert_eq!(checked["responseCode"], "20002006");
}

async fn reset(app: &crate::harness::TestApp, mobile: &str, password: &str) -> serde_json::Value {
    app.call(
        "/openApi/userResetPwd",
        json!({"mobile": mobile, "password": encrypt(password), "confirmPassword": encrypt(password)}),
    )
    .await
}

// The registration SMS was just sent: the per-mobile cooldown is lifted.
e2e!(forgot_password_end_to_end_ends_every_session(app, StackTweak::sms_cooldown(0)) {
    let (mobile, token) = app.user().await;
    pass_reset_sms(&app, &mobile).await;
    assert_eq!(reset(&app, &mobile, "brand-new-1").await["responseCode"], "20003002");
    assert!(!app.session_valid(&token).await, "reset ends the sessions");
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90002000");
    app.login(&mobile, "brand-new-1").await;
    assert_eq!(reset(&app, &mobile, "brand-new-2").await["responseCode"], "20003003", "the mark was consumed");
});

// The registration SMS was just sent: the per-mobile cooldown is lifted.
e2e!(forgot_password_steps_cannot_be_skipped(app, StackTweak::sms_cooldown(0)) {
    let (mobile, _) = app.user().await;
    assert_eq!(reset(&app, &mobile, "brand-new-1").await["responseCode"], "20003003", "no SMS check");
    // A sent but unchecked code is not a check either. (The identity step before the SMS check:
    // customer.rs, with a verified identity.)
    assert_eq!(app.send_code("/openApi/forgetPwdGetSmsCode", &mobile).await["responseCode"], "20001000");
    assert_eq!(reset(&app, &mobile, "brand-new-1").await["responseCode"], "20003003");
    app.login(&mobile, PASSWORD).await;
});

// The registration SMS was just sent: the per-mobile cooldown is lifted.
e2e!(a_reset_with_bad_passwords_keeps_the_mark(app, StackTweak::sms_cooldown(0)) {
    let (mobile, _) = app.user().await;
    pass_reset_sms(&app, &mobile).await;
    let mismatch = app
        .call("/openApi/userResetPwd", json!({"mobile": mobile, "password": encrypt("abc123"), "confirmPassword": encrypt("abc124")}))
        .await;
    assert_eq!(mismatch["responseCode"], "20003003");
    assert_eq!(reset(&app, &mobile, "abc").await["responseCode"], "20003003");
    assert_eq!(reset(&app, &mobile, "abc123").await["responseCode"], "20003002");
});

// The registration SMS was just sent: the per-mobile cooldown is lifted.
e2e!(identity_auth_fails_for_an_account_without_real_name(app, StackTweak::sms_cooldown(0)) {
    let (mobile, _) = app.user().await;
    pass_reset_sms(&app, &mobile).await;
    let identity = app
        .call("/openApi/forgetPwdIdentityAuth", json!({"mobile": mobile, "realname": "张三", "identitycode": "11010519491231002X"}))
        .await;
    assert_eq!(identity["responseCode"], "20004001");
    // Without real-name verification the SMS step alone opens the reset.
    assert_eq!(reset(&app, &mobile, "brand-new-1").await["responseCode"], "20003002");
});

// The registration SMS was just sent: the per-mobile cooldown is lifted.
e2e!(a_reset_lifts_the_lock(app, StackTweak::sms_cooldown(0)) {
    let (mobile, _) = app.user().await;
    for _ in 0..5 {
        app.login_reply(&mobile, "wrong-pass").await;
    }
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90003000");
    pass_reset_sms(&app, &mobile).await;
    assert_eq!(reset(&app, &mobile, "brand-new-1").await["responseCode"], "20003002");
    app.login(&mobile, "brand-new-1").await;
});

async fn modify(
    app: &crate::harness::TestApp,
    token: Option<&str>,
    mobile: &str,
    old: &str,
    new: &str,
) -> serde_json::Value {
    let fields = json!({"mobile": mobile, "oldPassword": encrypt(old), "newPassword": encrypt(new)});
    match token {
        Some(token) => app.call_as(token, "/appApi/modifyPwd", fields).await,
        None => app.call("/appApi/modifyPwd", fields).await,
    }
}

e2e!(modify_password_checks_the_old_one_and_ends_every_session(app) {
    let (mobile, first) = app.user().await;
    let second = app.login(&mobile, PASSWORD).await;
    assert_eq!(modify(&app, Some(&first), &mobile, "not-mine", "brand-new-1").await["responseCode"], "20003015");
    assert!(app.session_valid(&second).await, "a failed change ends nothing");
    assert_eq!(modify(&app, Some(&first), &mobile, PASSWORD, "brand-new-1").await["responseCode"], "20003004");
    assert!(!app.session_valid(&first).await);
    assert!(!app.session_valid(&second).await, "the other sessions end too");
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90002000");
    app.login(&mobile, "brand-new-1").await;
});

e2e!(modify_password_without_a_session_and_its_failures(app) {
    let (mobile, _) = app.user().await;
    assert_eq!(modify(&app, None, &random_mobile(), PASSWORD, "brand-new-1").await["responseCode"], "10001000");
    assert_eq!(modify(&app, None, &mobile, PASSWORD, "short").await["responseCode"], "20003005");
    assert_eq!(modify(&app, None, &mobile, PASSWORD, "brand-new-1").await["responseCode"], "20003004");
    app.login(&mobile, "brand-new-1").await;
});

e2e!(modify_password_cannot_be_used_to_guess_past_the_lock(app) {
    let (mobile, _) = app.user().await;
    for _ in 0..4 {
        assert_eq!(modify(&app, None, &mobile, "guess-xx", "brand-new-1").await["responseCode"], "20003015");
    }
    assert_eq!(modify(&app, None, &mobile, "guess-xx", "brand-new-1").await["responseCode"], "20003005");
    assert_eq!(modify(&app, None, &mobile, PASSWORD, "brand-new-1").await["responseCode"], "20003005", "locked");
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90003000");
});

e2e!(one_address_guessing_over_many_accounts_is_stopped_before_their_locks(app, |c: &mut cashloan_stack::StackConfig| {
    c.policy.login_ip_hourly_failures = 3;
    c.gateway.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}) {
    let login_from = |ip: &'static str, mobile: String, password: &'static str| {
        let app = &app;
        async move {
            let body = crate::harness::sign_with(
                crate::harness::APP_KEY,
                json!({"username": mobile, "password": crate::harness::encrypt(password), "appType": "1", "token": ""}),
            );
            let response = app.http.post(app.url("/security/login")).header("X-Forwarded-For", ip).json(&body).send().await.unwrap();
            crate::harness::envelope(response.json().await.unwrap())["responseCode"].clone()
        }
    };
    let (first, second) = (crate::harness::random_mobile(), crate::harness::random_mobile());
    app.register(&first, "secret-1").await;
    app.register(&second, "secret-2").await;
    // Three failures from one address, on different accounts and a mobile nobody registered.
    assert_eq!(login_from("203.0.113.7", first.clone(), "guess-1").await, "90002000");
    assert_eq!(login_from("203.0.113.7", second.clone(), "guess-2").await, "90002000");
    assert_eq!(login_from("203.0.113.7", crate::harness::random_mobile(), "guess-3").await, "90001000");
    assert_eq!(login_from("203.0.113.7", first.clone(), "secret-1").await, "99990006", "that address is stopped, even with the right password");
    // Nobody's account is locked by it: their owners log in from elsewhere.
    assert_eq!(login_from("198.51.100.4", first, "secret-1").await, "90000000");
    assert_eq!(login_from("198.51.100.4", second, "secret-2").await, "90000000");
});
