//! API.md §6.1 registration, login, logout, feedback and app versions (#4, #10, #16–#18).

use serde_json::json;

use crate::e2e;
use crate::harness::{encrypt, random_mobile, StackTweak, PASSWORD};

e2e!(register_then_login_end_to_end(app) {
    let mobile = random_mobile();
    app.register(&mobile, PASSWORD).await;
    let reply = app.login_reply(&mobile, PASSWORD).await;
    assert_eq!(reply["responseCode"], "90000000");
    assert_eq!(reply["exceptionFlag"], "0000");
    let token = reply["resultSet"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{token}");
    assert!(app.session_valid(token).await);
});

e2e!(login_sets_the_session_cookie(app) {
    let mobile = random_mobile();
    app.register(&mobile, PASSWORD).await;
    let body = crate::harness::sign_with(crate::harness::APP_KEY,
        json!({"username": mobile, "password": encrypt(PASSWORD), "appType": "02", "token": "push-token"}));
    let response = app.http.post(app.url("/security/login")).json(&body).send().await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let reply = crate::harness::envelope(response.json().await.unwrap());
    let token = reply["resultSet"].as_str().unwrap();
    assert!(cookie.starts_with(&format!("JSESSIONID={token}")), "{cookie}");
    assert!(cookie.contains("Path=/") && cookie.contains("HttpOnly"), "{cookie}");
});

e2e!(register_without_the_sms_check_fails_and_creates_nothing(app) {
    let mobile = random_mobile();
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000");
    let reply = app
        .call("/openApi/userRegister", json!({"mobile": mobile, "password": encrypt(PASSWORD), "confirmPassword": encrypt(PASSWORD)}))
        .await;
    assert_eq!(reply["responseCode"], "20003001");
    assert_eq!(app.login_reply(&mobile, PASSWORD).await["responseCode"], "90001000", "no account was created");
});

e2e!(register_refuses_bad_passwords_without_spending_the_mark(app) {
    let mobile = random_mobile();
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000");
    let code = app.last_sms_code(&mobile).await.unwrap();
    assert_eq!(app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await["responseCode"], "20002006");
    let register = |password: &str, confirmation: &str| {
        app.call("/openApi/userRegister", json!({"mobile": mobile, "password": encrypt(password), "confirmPassword": encrypt(confirmation)}))
    };
    assert_eq!(register("abc123", "abc124").await["responseCode"], "20003001", "mismatch");
    assert_eq!(register("abc12", "abc12").await["responseCode"], "20003001", "too short");
    assert_eq!(register(&"a".repeat(21), &"a".repeat(21)).await["responseCode"], "20003001", "too long");
    assert_eq!(register("abc123", "abc123").await["responseCode"], "20003000");
    assert_eq!(register("abc123", "abc123").await["responseCode"], "10001000", "already registered");
});

e2e!(the_registration_mark_expires(app, StackTweak::flow_mark_ttl(1)) {
    let mobile = random_mobile();
    assert_eq!(app.send_code("/openApi/getSmsCode", &mobile).await["responseCode"], "20001000");
    let code = app.last_sms_code(&mobile).await.unwrap();
    assert_eq!(app.call("/openApi/checkSmsCode", json!({"mobile": mobile, "smscode": code})).await["responseCode"], "20002006");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let reply = app
        .call("/openApi/userRegister", json!({"mobile": mobile, "password": encrypt(PASSWORD), "confirmPassword": encrypt(PASSWORD)}))
        .await;
    assert_eq!(reply["responseCode"], "20003001");
});

e2e!(a_password_that_does_not_decrypt_is_10001000(app) {
    let mobile = random_mobile();
    let reply = app
        .call("/security/login", json!({"username": mobile, "password": "not-des!", "appType": "1", "token": ""}))
        .await;
    assert_eq!(reply["responseCode"], "10001000");
    let reply = app
        .call("/openApi/userRegister", json!({"mobile": mobile, "password": "AAAAAAAAAAA=", "confirmPassword": "AAAAAAAAAAA="}))
        .await;
    assert_eq!(reply["responseCode"], "10001000");
});

e2e!(login_codes_for_unknown_accounts_wrong_passwords_and_bad_fields(app) {
    let (mobile, _) = app.user().await;
    assert_eq!(app.login_reply(&random_mobile(), PASSWORD).await["responseCode"], "90001000");
    assert_eq!(app.login_reply(&mobile, "wrong-pass").await["responseCode"], "90002000");
    let bad_type = app
        .call("/security/login", json!({"username": mobile, "password": encrypt(PASSWORD), "appType": "4", "token": ""}))
        .await;
    assert_eq!(bad_type["responseCode"], "10001000");
    let missing = app.call("/security/login", json!({"username": mobile, "appType": "1"})).await;
    assert_eq!(missing["responseCode"], "10001000");
});

e2e!(logout_ends_the_session_by_any_source(app) {
    let (mobile, token) = app.user().await;
    let reply = app.call("/appApi/quitMobileLogin", json!({"sessionId": token})).await;
    assert_eq!(reply["responseCode"], "20003010");
    assert!(!app.session_valid(&token).await);
    let second = app.login(&mobile, PASSWORD).await;
    assert_eq!(app.call_as(&second, "/appApi/quitMobileLogin", json!({})).await["responseCode"], "20003010");
    assert!(!app.session_valid(&second).await);
    // Unknown or already-ended sessions are a success too.
    assert_eq!(app.call("/appApi/quitMobileLogin", json!({"sessionId": token})).await["responseCode"], "20003010");
    assert_eq!(app.call("/appApi/quitMobileLogin", json!({"sessionId": "nonsense"})).await["responseCode"], "20003010");
});

e2e!(logout_ends_only_that_session(app) {
    let (mobile, first) = app.user().await;
    let second = app.login(&mobile, PASSWORD).await;
    assert_eq!(app.call("/appApi/quitMobileLogin", json!({"sessionId": first})).await["responseCode"], "20003010");
    assert!(!app.session_valid(&first).await);
    assert!(app.session_valid(&second).await);
});

e2e!(sessions_expire_when_unused(app, StackTweak::session_ttl(2)) {
    let (_, token) = app.user().await;
    // Each use slides the expiry.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        assert!(app.session_valid(&token).await);
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(!app.session_valid(&token).await);
});

e2e!(feedback_needs_a_registered_mobile_and_sane_text(app) {
    let (mobile, _) = app.user().await;
    let ok = app.call("/appApi/commitSuggestion", json!({"mobile": mobile, "suggestion": "还款提醒能早一天吗?", "source": "1"})).await;
    assert_eq!(ok["responseCode"], "20003006");
    let stranger = app.call("/appApi/commitSuggestion", json!({"mobile": random_mobile(), "suggestion": "hi", "source": "1"})).await;
    assert_eq!(stranger["responseCode"], "10001000");
    assert_eq!(stranger["responseMessage"], "账号不存在");
    for bad in [String::new(), "   ".to_string(), "意".repeat(501)] {
        let reply = app.call("/appApi/commitSuggestion", json!({"mobile": mobile, "suggestion": bad, "source": "1"})).await;
        assert_eq!(reply["responseCode"], "20003007");
    }
    let longest = app.call("/appApi/commitSuggestion", json!({"mobile": mobile, "suggestion": "意".repeat(500), "source": "1"})).await;
    assert_eq!(longest["responseCode"], "20003006");
});

e2e!(app_versions_are_published_and_detected(app) {
    assert_eq!(app.call("/appApi/appVersionDetection", json!({"appType": "2"})).await["responseCode"], "20003009");
    let published = app
        .admin_call("/admin/appVersions/publish", json!({"appType": "2", "latestVersion": "1.3.0",
            "minSupportedVersion": "1.1.0", "downloadUrl": "https://example.com/app.ipa", "releaseNotes": "修复若干问题"}))
        .await;
    assert_eq!(published["responseCode"], "0000", "{published}");
    let old = app.call("/appApi/appVersionDetection", json!({"appType": "02", "appVersion": "1.0.9"})).await;
    assert_eq!(old["responseCode"], "20003008");
    assert_eq!(old["resultSet"], json!({"appType": "2", "latestVersion": "1.3.0", "minSupportedVersion": "1.1.0",
        "downloadUrl": "https://example.com/app.ipa", "releaseNotes": "修复若干问题", "forceUpdate": "1"}));
    let current = app.call("/appApi/appVersionDetection", json!({"appType": "2", "appVersion": "1.10.0"})).await;
    assert_eq!(current["resultSet"]["forceUpdate"], "0", "1.10.0 is above 1.1.0 numerically");
    let unsaid = app.call("/appApi/appVersionDetection", json!({"appType": "2"})).await;
    assert_eq!(unsaid["resultSet"]["forceUpdate"], "0");
    assert_eq!(app.call("/appApi/appVersionDetection", json!({"appType": "1"})).await["responseCode"], "20003009", "per app type");
    assert_eq!(app.call("/appApi/appVersionDetection", json!({"appType": "7"})).await["responseCode"], "20003009");
    let bad_version = app.call("/appApi/appVersionDetection", json!({"appType": "2", "appVersion": "v1"})).await;
    assert_eq!(bad_version["responseCode"], "20003009");
    let refused = app
        .admin_call("/admin/appVersions/publish", json!({"appType": "2", "latestVersion": "1.0", "minSupportedVersion": "2.0"}))
        .await;
    assert_eq!(refused["responseCode"], "10001000");
    assert!(refused["responseMessage"].as_str().unwrap().contains("minSupportedVersion"), "{refused}");
});
