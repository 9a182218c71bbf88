//! API.md §1–§4 and §7–§8: transport, envelope, signatures, window, replay, sessions, admin.

use std::io::Read;

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{envelope, gzip, now_ms, sign_with, APP_KEY};

e2e!(a_signed_request_gets_a_signed_envelope(app) {
    let reply = app.call("/openApi/getCode", json!({})).await;
    assert_eq!(reply["exceptionFlag"], "0000");
    assert_eq!(reply["responseCode"], "0000");
    assert_eq!(reply["nonce"].as_str().unwrap().len(), 8);
    let captcha = reply["resultSet"].as_str().unwrap();
    assert_eq!(captcha.len(), 4);
});

e2e!(a_missing_sign_is_refused(app) {
    let body = json!({"timestamp": now_ms().to_string(), "nonce": "12345678"});
    let reply = app.post_body("/openApi/getCode", &body, None).await;
    assert_eq!(reply["responseCode"], "99990001");
    assert_eq!(reply["exceptionFlag"], "9999");
    assert_eq!(reply["resultSet"], "");
});

e2e!(a_wrong_or_foreign_sign_is_refused(app) {
    let mut body = sign_with(APP_KEY, json!({}));
    body["sign"] = json!("0123456789abcdef0123456789abcdef01234567");
    assert_eq!(app.post_body("/openApi/getCode", &body, None).await["responseCode"], "99990001");
    let other_key = sign_with("87654321", json!({}));
    assert_eq!(app.post_body("/openApi/getCode", &other_key, None).await["responseCode"], "99990001");
    let mut short = sign_with(APP_KEY, json!({}));
    short["sign"] = json!("abc");
    assert_eq!(app.post_body("/openApi/getCode", &short, None).await["responseCode"], "99990001");
});

e2e!(a_tampered_body_is_refused(app) {
    let mut body = sign_with(APP_KEY, json!({"mobile": "13800138000", "code": "abcd"}));
    body["mobile"] = json!("13800138001");
    assert_eq!(app.post_body("/openApi/getSmsCode", &body, None).await["responseCode"], "99990001");
    let mut extra = sign_with(APP_KEY, json!({}));
    extra["injected"] = json!(1);
    assert_eq!(app.post_body("/openApi/getCode", &extra, None).await["responseCode"], "99990001");
});

e2e!(an_upper_case_hex_sign_is_accepted(app) {
    let mut body = sign_with(APP_KEY, json!({}));
    body["sign"] = json!(body["sign"].as_str().unwrap().to_uppercase());
    assert_eq!(app.post_body("/openApi/getCode", &body, None).await["responseCode"], "0000");
});

e2e!(unknown_extra_fields_are_ignored_but_signed(app) {
    let body = sign_with(APP_KEY, json!({"whatever": {"nested": [1, "二"]}}));
    assert_eq!(app.post_body("/openApi/getCode", &body, None).await["responseCode"], "0000");
});

e2e!(every_active_key_verifies_during_rotation(app, |c: &mut cashloan_stack::StackConfig| {
    c.gateway.app_keys = vec!["rotated-key-2026".into(), APP_KEY.into()];
}) {
    // The harness checks responses under the old key; a request under the new key is answered
    // under the new key.
    assert_eq!(app.call("/openApi/getCode", json!({})).await["responseCode"], "0000");
    let body = sign_with("rotated-key-2026", json!({}));
    let response = app.http.post(app.url("/openApi/getCode")).json(&body).send().await.unwrap();
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["responseCode"], "0000");
    assert!(crate::app_protocol::signed_by("rotated-key-2026", reply.as_object().unwrap()));
    assert!(!crate::app_protocol::signed_by(APP_KEY, reply.as_object().unwrap()));
});

e2e!(timestamps_outside_the_window_are_refused(app) {
    for offset_ms in [-301_000i64, 301_000] {
        let body = sign_with(APP_KEY, json!({"timestamp": (now_ms() + offset_ms).to_string()}));
        assert_eq!(app.post_body("/openApi/getCode", &body, None).await["responseCode"], "99990002", "{offset_ms}");
    }
    let inside = sign_with(APP_KEY, json!({"timestamp": (now_ms() - 290_000).to_string()}));
    assert_eq!(app.post_body("/openApi/getCode", &inside, None).await["responseCode"], "0000");
    for bad in [json!("12x4"), json!(""), json!(null)] {
        let body = sign_with(APP_KEY, json!({"timestamp": bad}));
        assert_eq!(app.post_body("/openApi/getCode", &body, None).await["responseCode"], "99990002", "{bad}");
    }
});

e2e!(a_replayed_signature_is_refused_and_does_nothing(app) {
    let mobile = crate::harness::random_mobile();
    let captcha = app.captcha().await;
    let body = sign_with(APP_KEY, json!({"mobile": mobile, "code": captcha}));
    assert_eq!(app.post_body("/openApi/getSmsCode", &body, None).await["responseCode"], "20001000");
    assert_eq!(app.post_body("/openApi/getSmsCode", &body, None).await["responseCode"], "99990003");
    assert_eq!(app.sms_count(&mobile).await, 1, "the replay sent nothing");
    // A new nonce is a new request (and meets the 60 s cooldown, not the replay guard).
    let again = sign_with(APP_KEY, json!({"mobile": mobile, "code": app.captcha().await}));
    assert_eq!(app.post_body("/openApi/getSmsCode", &again, None).await["responseCode"], "99990006");
});

// The gateway checks the replay guard and the session at the same time; the replay verdict wins.
e2e!(a_replayed_session_request_is_refused_whatever_its_session(app) {
    let (_, token) = app.user().await;
    let body = sign_with(APP_KEY, json!({}));
    let path = "/appCommonApi/getAuthenticationStatus";
    assert_eq!(app.post_body(path, &body, Some(&token)).await["responseCode"], "0000");
    assert_eq!(app.post_body(path, &body, Some(&token)).await["responseCode"], "99990003");
    let stranger = sign_with(APP_KEY, json!({}));
    assert_eq!(app.post_body(path, &stranger, Some("0123456789ABCDEF0123456789ABCDEF")).await["responseCode"], "99990004");
    assert_eq!(
        app.post_body(path, &stranger, Some("0123456789ABCDEF0123456789ABCDEF")).await["responseCode"],
        "99990003",
        "a replay is a replay before it is a bad session"
    );
    assert!(app.session_valid(&token).await);
});

e2e!(malformed_bodies_get_10001000(app) {
    for raw in ["{not json", "[1,2]", "\"text\"", ""] {
        let response = app.post_raw("/openApi/getCode", raw.to_owned()).await;
        assert_eq!(response.status(), 200);
        let reply = envelope(response.json().await.unwrap());
        assert_eq!(reply["responseCode"], "10001000", "{raw:?}");
    }
    let no_nonce = json!({"timestamp": now_ms().to_string()});
    let mut body = no_nonce.as_object().unwrap().clone();
    let sign = crate::app_protocol::sign(APP_KEY, &body);
    body.insert("sign".into(), json!(sign));
    assert_eq!(app.post_body("/openApi/getCode", &Value::Object(body), None).await["responseCode"], "10001000");
    let wrong_type = sign_with(APP_KEY, json!({"mobile": 13800138000u64, "code": "abcd"}));
    assert_eq!(app.post_body("/openApi/getSmsCode", &wrong_type, None).await["responseCode"], "10001000");
});

e2e!(bodies_over_one_mebibyte_get_413(app) {
    let big = sign_with(APP_KEY, json!({"padding": "x".repeat(1024 * 1024)}));
    let response = app.post_raw("/openApi/getCode", big.to_string()).await;
    assert_eq!(response.status(), 413);
    // A small gzip body that inflates past the limit is refused too.
    let bomb = gzip(big.to_string().as_bytes());
    let response = app
        .http
        .post(app.url("/openApi/getCode"))
        .header("Content-Encoding", "gzip")
        .body(bomb)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
});

e2e!(gzip_works_both_ways(app) {
    let body = sign_with(APP_KEY, json!({}));
    let response = app
        .http
        .post(app.url("/openApi/getCode"))
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "gzip")
        .header("Accept-Encoding", "gzip")
        .body(gzip(body.to_string().as_bytes()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut text).unwrap();
    let reply = envelope(serde_json::from_str(&text).unwrap());
    assert_eq!(reply["responseCode"], "0000");
});

e2e!(unknown_paths_404_and_wrong_methods_405(app) {
    assert_eq!(app.post_raw("/openApi/nothing", "{}").await.status(), 404);
    assert_eq!(app.post_raw("/ security/login", "{}").await.status(), 404);
    let get = app.http.get(app.url("/openApi/getCode")).send().await.unwrap();
    assert_eq!(get.status(), 405);
    let put = app.http.put(app.url("/security/login")).send().await.unwrap();
    assert_eq!(put.status(), 405);
});

e2e!(the_h5_pages_are_html_by_get_and_post(app) {
    for (path, title) in [("/open/registrationProtocol", "用户注册协议"), ("/open/loanHelp", "借款帮助")] {
        for response in [
            app.http.get(app.url(path)).send().await.unwrap(),
            app.http.post(app.url(path)).send().await.unwrap(),
        ] {
            assert_eq!(response.status(), 200);
            assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!("<title>{title}</title>")), "{path}");
        }
    }
});

e2e!(health_readiness_and_metrics(app) {
    assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    app.call("/openApi/getCode", json!({})).await;
    let body = sign_with(APP_KEY, json!({}));
    let mut tampered = body.clone();
    tampered["x"] = json!(1);
    app.post_body("/openApi/getCode", &tampered, None).await;
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("gateway_requests_total{path=\"/openApi/getCode\",code=\"0000\"} 1"), "{metrics}");
    assert!(metrics.contains("gateway_requests_total{path=\"/openApi/getCode\",code=\"99990001\"} 1"), "{metrics}");
    assert!(metrics.contains("gateway_request_duration_seconds_bucket{path=\"/openApi/getCode\",code=\"0000\",le=\"+Inf\"} 1"));
});

e2e!(every_response_names_its_trace(app) {
    let mut seen = std::collections::HashSet::new();
    for path in ["/openApi/getCode", "/no/such/route"] {
        let response = app.http.post(app.url(path)).json(&sign_with(APP_KEY, json!({}))).send().await.unwrap();
        let id = response.headers()["x-trace-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        assert!(seen.insert(id), "one trace per request");
    }
});

e2e!(admin_endpoints_refuse_a_wrong_or_missing_token(app) {
    let url = format!("{}/admin/sms/outbox", app.admin);
    let body = json!({"mobile": "13800138000"});
    let none = app.http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let wrong = app.http.post(&url).bearer_auth("not-the-token-at-all").json(&body).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let publish = app
        .http
        .post(format!("{}/admin/appVersions/publish", app.admin))
        .bearer_auth(format!("{}x", app.admin_token))
        .json(&json!({"appType": "1", "latestVersion": "9.9.9", "minSupportedVersion": "9.9.9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), 401);
    let detect = app.call("/appApi/appVersionDetection", json!({"appType": "1"})).await;
    assert_eq!(detect["responseCode"], "20003009", "nothing was published");
    assert_eq!(app.admin_call("/admin/sms/outbox", body).await["responseCode"], "0000");
});

e2e!(sessions_are_read_from_header_cookie_and_body(app) {
    let (_, token_a) = app.user().await;
    let (mobile_b, _) = app.user().await;
    // A's session presented on B's change-password: the session is resolved from each source
    // and found not to belong to B.
    let fields = json!({"mobile": mobile_b, "oldPassword": crate::harness::encrypt("wrong-one"),
        "newPassword": crate::harness::encrypt("newpass99")});
    let by_header = app.call_as(&token_a, "/appApi/modifyPwd", fields.clone()).await;
    assert_eq!(by_header["responseCode"], "20003005", "{by_header}");
    let by_cookie: Value = app
        .http
        .post(app.url("/appApi/modifyPwd"))
        .header("Cookie", format!("JSESSIONID={token_a}"))
        .json(&sign_with(APP_KEY, fields.clone()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(envelope(by_cookie)["responseCode"], "20003005");
    let mut with_body = fields.clone();
    with_body["sessionId"] = json!(token_a);
    assert_eq!(app.call("/appApi/modifyPwd", with_body).await["responseCode"], "20003005");
    // An unknown session from any source is 99990004.
    let bogus = "0123456789ABCDEF0123456789ABCDEF";
    assert_eq!(app.call_as(bogus, "/appApi/modifyPwd", fields.clone()).await["responseCode"], "99990004");
    let mut bogus_body = fields;
    bogus_body["sessionId"] = json!(bogus);
    assert_eq!(app.call("/appApi/modifyPwd", bogus_body).await["responseCode"], "99990004");
});

e2e!(the_header_wins_over_cookie_and_body(app) {
    let (_, token) = app.user().await;
    let bogus = "0123456789ABCDEF0123456789ABCDEF";
    let fields = json!({"mobile": "13000000000", "oldPassword": crate::harness::encrypt("whatever1"),
        "newPassword": crate::harness::encrypt("whatever2"), "sessionId": bogus});
    let reply: Value = app
        .http
        .post(app.url("/appApi/modifyPwd"))
        .bearer_auth(&token)
        .header("Cookie", format!("JSESSIONID={bogus}"))
        .json(&sign_with(APP_KEY, fields))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(envelope(reply)["responseCode"], "10001000", "the valid header session was used");
});

/// The value of one series in a Prometheus text page (0 when absent).
fn metric(page: &str, series: &str) -> u64 {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

e2e!(business_events_and_downstream_calls_are_counted(app) {
    let page = || async { app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap() };
    let before = page().await;
    let mobile = crate::harness::random_mobile();
    app.register(&mobile, crate::harness::PASSWORD).await;
    assert_eq!(app.login_reply(&mobile, "wrong-password").await["responseCode"], "90002000");
    app.login(&mobile, crate::harness::PASSWORD).await;
    let after = page().await;
    // Other tests in this process count too: each series grew by at least what this test did.
    for (series, at_least) in [
        ("cashloan_registrations_total{}", 1),
        ("cashloan_logins_total{outcome=\"failed\"}", 1),
        ("cashloan_logins_total{outcome=\"ok\"}", 1),
        ("cashloan_sms_total{provider=\"log\",outcome=\"sent\"}", 1),
        ("grpc_client_duration_seconds_count{service=\"cashloan.auth.v1.Auth\",method=\"Login\",outcome=\"ok\"}", 1),
        ("grpc_client_duration_seconds_count{service=\"cashloan.auth.v1.Auth\",method=\"Login\",outcome=\"error\"}", 1),
    ] {
        assert!(metric(&after, series) >= metric(&before, series) + at_least, "{series}: {after}");
    }
});

// API.md §3: the guard remembers signatures, not nonces: 8-digit nonces collide between clients.
e2e!(replays_are_recognised_by_signature_not_by_nonce(app) {
    let (timestamp, nonce) = (now_ms().to_string(), "42424242");
    let first = sign_with(APP_KEY, json!({"timestamp": timestamp, "nonce": nonce}));
    assert_eq!(app.post_body("/openApi/getCode", &first, None).await["responseCode"], "0000");
    let other_body = sign_with(APP_KEY, json!({"timestamp": timestamp, "nonce": nonce, "appVersion": "1.0.0"}));
    assert_eq!(app.post_body("/openApi/getCode", &other_body, None).await["responseCode"], "0000", "same nonce, other request");
    // The same signature written in upper case is still the same signature.
    let mut shouted = first.clone();
    shouted["sign"] = json!(first["sign"].as_str().unwrap().to_uppercase());
    assert_eq!(app.post_body("/openApi/getCode", &shouted, None).await["responseCode"], "99990003");
});
