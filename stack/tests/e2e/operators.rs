//! Operators of the console (API.md §7): accounts and roles, sessions as an HttpOnly SameSite
//! cookie with a CSRF token on every change, separation of duties, maker-checker, the second
//! factor, the lockout, and who did what in the audit log.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::Sha1;

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::{application, apply, newest_application, product_id, verified_user};

pub const PASSWORD: &str = "Console-2026";

/// A browser's view of the console: the session cookie and the CSRF token the page keeps.
pub struct Console {
    http: reqwest::Client,
    base: String,
    pub cookie: String,
    pub csrf: String,
}

/// The session cookie's value and its attributes, from a login's `Set-Cookie`.
fn session_cookie(response: &reqwest::Response) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("console_session="))
        .map(|v| {
            let value = v["console_session=".len()..]
                .split(';')
                .next()
                .unwrap_or_default();
            (value.to_owned(), v.to_owned())
        })
}

pub async fn login(app: &TestApp, username: &str, password: &str, totp: &str) -> Result<Console, Value> {
    let response = app
        .http
        .post(format!("{}/console/api/login", app.admin))
        .json(&json!({"username": username, "password": password, "totp": totp}))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&response);
    let reply: Value = response.json().await.unwrap();
    match (reply["responseCode"].as_str(), cookie) {
        (Some("0000"), Some((cookie, _))) => Ok(Console {
            http: app.http.clone(),
            base: app.admin.clone(),
            cookie,
            csrf: reply["resultSet"]["csrf"].as_str().unwrap().to_owned(),
        }),
        _ => Err(reply),
    }
}

impl Console {
    /// An admin call as the page makes it; the HTTP status and the envelope.
    pub async fn call(&self, path: &str, body: Value) -> (u16, Value) {
        self.call_with(path, body, &[("x-csrf-token", self.csrf.as_str())])
            .await
    }

    pub async fn call_with(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("console_session={}", self.cookie))
            .json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    pub async fn me(&self) -> u16 {
        self.http
            .get(format!("{}/console/api/me", self.base))
            .header("cookie", format!("console_session={}", self.cookie))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// The work address an operator's links are mailed to.
pub fn email_of(username: &str) -> String {
    format!("{username}@staff.example")
}

/// Creates an operator with the bearer token and enrols them with `PASSWORD` as they would
/// through their mailed link; the reply's resultSet with `totpUri`, the second factor they
/// enrolled ("" without one).
pub async fn create(app: &TestApp, username: &str, roles: &[&str]) -> Value {
    let reply = app
        .admin_call(
            "/admin/operators/create",
            json!({"username": username, "email": email_of(username), "roles": roles}),
        )
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    assert_eq!(reply["resultSet"]["enrolmentSent"], true, "{reply}");
    let link = enrolment_token(app, &email_of(username)).expect("the link was mailed");
    let mut result = reply["resultSet"].clone();
    result["totpUri"] = json!(enrol(app, &link, PASSWORD).await);
    result
}

/// The token of the newest enrolment link mailed to `email`, read from the mail relay's queue
/// as the operator's mailbox would show it.
pub fn enrolment_token(app: &TestApp, email: &str) -> Option<String> {
    let mut letters: Vec<(String, String)> = std::fs::read_dir(app.config.operator_mail_dir())
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            Some((
                e.file_name().into_string().ok()?,
                std::fs::read_to_string(e.path()).ok()?,
            ))
        })
        .filter(|(_, text)| text.starts_with(&format!("To: {email}\r\n")))
        .collect();
    letters.sort();
    let (_, text) = letters.pop()?;
    let at = text.find("#/enrol/")? + "#/enrol/".len();
    Some(text.get(at..at + 64)?.to_owned())
}

/// A console call without a session (the enrolment page's); the HTTP status and envelope.
pub async fn console_post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}{path}", app.admin))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Opens the link and sets `password`, with a code of the second factor it showed when the
/// account needs one; that factor's URI ("" without one).
pub async fn enrol(app: &TestApp, token: &str, password: &str) -> String {
    let (_, opened) = console_post(app, "/console/api/enrolment", json!({"token": token})).await;
    assert_eq!(opened["responseCode"], "0000", "{opened}");
    let uri = opened["resultSet"]["totpUri"].as_str().unwrap().to_owned();
    // The previous step's code (one step of drift), so the next login's code is new; asked
    // again with a fresh one if a step boundary passed on the way.
    for _ in 0..3 {
        let code = if uri.is_empty() {
            String::new()
        } else {
            totp_at(&uri, app.clock.now_ms(), -1)
        };
        let (_, done) = console_post(
            app,
            "/console/api/enrol",
            json!({"token": token, "password": password, "totp": code}),
        )
        .await;
        if done["responseCode"] == "0000" {
            return uri;
        }
        assert_eq!(done["responseCode"], "20009004", "{done}");
    }
    panic!("the enrolment's code was refused three times");
}

/// Logs in an operator `create` made, with a code when they enrolled a second factor.
pub async fn sign_in(app: &TestApp, username: &str, created: &Value) -> Console {
    let code = match created["totpUri"].as_str().unwrap_or_default() {
        "" => String::new(),
        uri => totp_at(uri, app.clock.now_ms(), 0),
    };
    login(app, username, PASSWORD, &code).await.unwrap()
}

/// A new operator with these roles, enrolled and logged in; with their username.
pub async fn signed_in(app: &TestApp, prefix: &str, roles: &[&str]) -> (String, Value, Console) {
    let name = unique(prefix);
    let created = create(app, &name, roles).await;
    let console = sign_in(app, &name, &created).await;
    (name, created, console)
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", rand::random_range(10_000..99_999u32))
}

/// The secret of an `otpauth://` URI, decoded from base32.
fn secret_of(uri: &str) -> Vec<u8> {
    let text = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap();
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u64, 0);
    for c in text.bytes() {
        let v = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            .bytes()
            .position(|a| a == c)
            .unwrap() as u64;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// RFC 6238: HMAC-SHA1 of the 30-second step, dynamically truncated to 6 digits.
pub fn totp(uri: &str, offset_steps: i64) -> String {
    totp_at(uri, crate::harness::now_ms(), offset_steps)
}

/// The code at `now_ms`: a test that moved the stack's clock moved the authenticator's too.
pub fn totp_at(uri: &str, now_ms: i64, offset_steps: i64) -> String {
    let step = now_ms / 1000 / 30 + offset_steps;
    let mut mac = Hmac::<Sha1>::new_from_slice(&secret_of(uri)).unwrap();
    mac.update(&step.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let o = (d[19] & 0xf) as usize;
    let n = u32::from_be_bytes([d[o] & 0x7f, d[o + 1], d[o + 2], d[o + 3]]);
    format!("{:06}", n % 1_000_000)
}

async fn submitted_application(app: &TestApp) -> String {
    let product = product_id(app, "新现金贷").await;
    let (_, token) = verified_user(app).await;
    assert_eq!(
        apply(app, &token, application(&product, "500.00")).await["responseCode"],
        "20005000"
    );
    newest_application(app, &token).await
}

async fn status_of(app: &TestApp, id: &str) -> Value {
    let list = app
        .admin_call("/admin/loans/list", json!({"pageSize": 100}))
        .await;
    list["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .map(|a| a["applyStatus"].clone())
        .unwrap()
}

e2e!(roles_limit_what_an_operator_may_do_and_the_audit_names_them(app) {
    let reviewer = unique("reviewer");
    create(&app, &reviewer, &["reviewer"]).await;
    let id = submitted_application(&app).await;
    let console = login(&app, &reviewer, PASSWORD, "").await.unwrap();

    let (status, listed) = console.call("/admin/loans/list", json!({"status": "0"})).await;
    assert_eq!((status, listed["responseCode"].as_str()), (200, Some("0000")), "{listed}");
    let (status, approved) = console.call("/admin/loans/review", json!({"applyId": id, "decision": "approve"})).await;
    assert_eq!((status, approved["responseCode"].as_str()), (200, Some("0000")), "{approved}");

    for path in ["/admin/loans/disburse", "/admin/audit/list", "/admin/products/upsert", "/admin/operators/create"] {
        let (status, refused) = console.call(path, json!({"applyId": id})).await;
        assert_eq!((status, refused["responseCode"].as_str()), (403, Some("99990007")), "{path}: {refused}");
    }
    assert_eq!(status_of(&app, &id).await, "2", "the refused payout did not start");

    crate::payments::eventually("the outcomes are recorded", || async {
        let log = app.admin_call("/admin/audit/list", json!({"operator": reviewer, "pageSize": 20})).await;
        log["resultSet"].as_array().unwrap().iter().all(|e| e["outcome"] != "")
    })
    .await;
    let log = app.admin_call("/admin/audit/list", json!({"operator": reviewer, "pageSize": 20})).await;
    let seen: Vec<(&str, &str, &str)> = log["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| (e["action"].as_str().unwrap(), e["role"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("/console/api/login", "", "0000 登录成功"),
            ("/admin/loans/list", "reviewer", "0000 查询成功"),
            ("/admin/loans/review", "reviewer", "0000 操作成功"),
            ("/admin/loans/disburse", "reviewer", "99990007 无权执行此操作"),
            ("/admin/audit/list", "reviewer", "99990007 无权执行此操作"),
            ("/admin/products/upsert", "reviewer", "99990007 无权执行此操作"),
            ("/admin/operators/create", "reviewer", "99990007 无权执行此操作"),
        ]
    );
    let login_entry = &log["resultSet"].as_array().unwrap().last().unwrap()["request"];
    assert!(!login_entry.as_str().unwrap().contains(PASSWORD), "{login_entry}");
});

e2e!(whoever_approved_a_loan_cannot_start_its_payout(app) {
    let (maker, checker) = (unique("maker"), unique("checker"));
    let made = create(&app, &maker, &["reviewer"]).await;
    let paying = create(&app, &checker, &["finance"]).await;
    let id = submitted_application(&app).await;
    let reviewer = login(&app, &maker, PASSWORD, "").await.unwrap();
    let (_, approved) = reviewer.call("/admin/loans/review", json!({"applyId": id, "decision": "approve"})).await;
    assert_eq!(approved["responseCode"], "0000", "{approved}");

    // The same person, moved to finance, still may not pay out what they approved. Finance needs
    // a second factor they have not enrolled: the move ends their session and mails a new link.
    let moved = app
        .admin_call("/admin/operators/update", json!({"id": made["id"], "roles": ["finance"]}))
        .await;
    assert_eq!((moved["responseCode"].as_str(), moved["resultSet"]["enrolmentSent"].as_bool()), (Some("0000"), Some(true)), "{moved}");
    assert_eq!(reviewer.me().await, 401, "the session ended");
    let link = enrolment_token(&app, &email_of(&maker)).unwrap();
    let uri = enrol(&app, &link, PASSWORD).await;
    assert!(uri.starts_with("otpauth://"), "{uri}");
    let moved = login(&app, &maker, PASSWORD, &totp(&uri, 0)).await.unwrap();
    let (status, refused) = moved.call("/admin/loans/disburse", json!({"applyId": id})).await;
    assert_eq!((status, refused["responseCode"].as_str()), (200, Some("20008006")), "{refused}");
    assert_eq!(status_of(&app, &id).await, "2");

    let finance = sign_in(&app, &checker, &paying).await;
    let (_, paid) = finance.call("/admin/loans/disburse", json!({"applyId": id})).await;
    assert_eq!(paid["responseCode"], "0000", "{paid}");
    assert_eq!(status_of(&app, &id).await, "4");
});

e2e!(a_change_without_the_csrf_token_or_from_another_site_is_refused(app) {
    let reviewer = unique("csrf");
    create(&app, &reviewer, &["reviewer"]).await;
    let id = submitted_application(&app).await;
    let console = login(&app, &reviewer, PASSWORD, "").await.unwrap();
    let approve = json!({"applyId": id, "decision": "approve"});

    let (status, reply) = console.call_with("/admin/loans/review", approve.clone(), &[]).await;
    assert_eq!((status, reply["responseCode"].as_str()), (403, Some("99990008")), "no token: {reply}");
    let (status, reply) = console
        .call_with("/admin/loans/review", approve.clone(), &[("x-csrf-token", "0123456789ABCDEF0123456789ABCDEF")])
        .await;
    assert_eq!((status, reply["responseCode"].as_str()), (403, Some("99990008")), "wrong token: {reply}");
    let forged = [("x-csrf-token", console.csrf.as_str()), ("origin", "http://evil.example")];
    let (status, reply) = console.call_with("/admin/loans/review", approve.clone(), &forged).await;
    assert_eq!((status, reply["responseCode"].as_str()), (403, Some("99990008")), "other origin: {reply}");
    assert_eq!(status_of(&app, &id).await, "0", "nothing changed");

    // Login CSRF: another site cannot log the browser in.
    let reply: Value = app
        .http
        .post(format!("{}/console/api/login", app.admin))
        .header("origin", "http://evil.example")
        .json(&json!({"username": reviewer, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["responseCode"], "99990008");

    let (status, reply) = console.call("/admin/loans/review", approve).await;
    assert_eq!((status, reply["responseCode"].as_str()), (200, Some("0000")), "{reply}");
});

e2e!(the_session_is_an_http_only_strict_cookie_and_ends(app) {
    let name = unique("session");
    let created = create(&app, &name, &["auditor"]).await;
    let response = app
        .http
        .post(format!("{}/console/api/login", app.admin))
        .json(&json!({"username": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (_, attributes) = session_cookie(&response).unwrap();
    assert!(attributes.contains("HttpOnly"), "{attributes}");
    assert!(attributes.contains("SameSite=Strict"), "{attributes}");
    assert!(!attributes.contains("Max-Age") && !attributes.contains("Expires"), "ends with the browser: {attributes}");

    let console = login(&app, &name, PASSWORD, "").await.unwrap();
    assert_eq!(console.me().await, 200);
    let (_, out) = console.call("/console/api/logout", json!({})).await;
    assert_eq!(out["responseCode"], "0000");
    assert_eq!(console.me().await, 401, "logged out");

    // A reset, or disabling, ends every session at once; the operator's own new password
    // through their new link ends any session opened meanwhile too.
    let console = login(&app, &name, PASSWORD, "").await.unwrap();
    let changed = app
        .admin_call("/admin/operators/update", json!({"id": created["id"], "reset": "1"}))
        .await;
    assert_eq!(changed["responseCode"], "0000", "{changed}");
    assert_eq!(console.me().await, 401, "reset");
    enrol(&app, &enrolment_token(&app, &email_of(&name)).unwrap(), "Another-2026").await;
    let console = login(&app, &name, "Another-2026", "").await.unwrap();
    app.admin_call("/admin/operators/update", json!({"id": created["id"], "disabled": "1"})).await;
    assert_eq!(console.me().await, 401, "disabled");
    assert_eq!(login(&app, &name, "Another-2026", "").await.err().unwrap()["responseCode"], "20009001");
    assert_eq!(console.call("/admin/loans/list", json!({})).await.0, 401);
});

e2e!(separation_of_duties_and_account_rules(app) {
    let create_as_token = |username: String, roles: Value| {
        let app = &app;
        async move {
            app.admin_call("/admin/operators/create", json!({"username": username, "email": email_of(&username), "roles": roles})).await
        }
    };
    let both = create_as_token(unique("both"), json!(["reviewer", "finance"])).await;
    assert_eq!(both["responseCode"], "20009005", "{both}");
    let weak = unique("weak");
    let made = create_as_token(weak.clone(), json!(["auditor"])).await;
    assert_eq!(made["responseCode"], "0000", "{made}");
    let link = enrolment_token(&app, &email_of(&weak)).unwrap();
    let (_, short) = console_post(&app, "/console/api/enrol", json!({"token": link, "password": "short"})).await;
    assert_eq!(short["responseCode"], "20009007", "{short}");
    let unknown = create_as_token(unique("root"), json!(["root"])).await;
    assert_eq!(unknown["responseCode"], "10001000", "{unknown}");
    let nowhere = app
        .admin_call("/admin/operators/create", json!({"username": unique("mail"), "email": "not-an-address", "roles": ["auditor"]}))
        .await;
    assert_eq!(nowhere["responseCode"], "10001000", "{nowhere}");
    let name = unique("dup");
    create(&app, &name, &["auditor"]).await;
    let again = create_as_token(name.to_uppercase(), json!(["auditor"])).await;
    assert_eq!(again["responseCode"], "20009006", "usernames ignore case: {again}");

    // An admin manages others, never their own roles.
    let admin_name = unique("admin");
    let admin = create(&app, &admin_name, &["admin"]).await;
    let uri = admin["totpUri"].as_str().unwrap().to_owned();
    let console = login(&app, &admin_name, PASSWORD, &totp(&uri, 0)).await.unwrap();
    let (_, own) = console.call("/admin/operators/update", json!({"id": admin["id"], "roles": ["admin", "auditor"]})).await;
    assert_eq!(own["responseCode"], "20009005", "{own}");
    let (_, list) = console.call("/admin/operators/list", json!({})).await;
    let me = list["resultSet"].as_array().unwrap().iter().find(|o| o["username"] == admin_name).unwrap().clone();
    assert_eq!(me["roles"], json!(["admin"]), "unchanged");
    assert!(me.get("passwordHash").is_none() && !list.to_string().contains("argon2"), "{list}");
    let made_name = unique("made");
    let (_, made) = console
        .call("/admin/operators/create", json!({"username": made_name, "email": email_of(&made_name), "roles": "reviewer,auditor"}))
        .await;
    assert_eq!(made["responseCode"], "0000", "{made}");
    let (_, list) = console.call("/admin/operators/list", json!({})).await;
    let made = list["resultSet"].as_array().unwrap().iter().find(|o| o["id"] == made["resultSet"]["id"]).unwrap().clone();
    assert_eq!(made["createdBy"], admin_name);
});

e2e!(admins_log_in_with_a_one_time_second_factor(app) {
    let name = unique("admin");
    let created = create(&app, &name, &["admin"]).await;
    let uri = created["totpUri"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    let without = login(&app, &name, PASSWORD, "").await.err().unwrap();
    assert_eq!(without["responseCode"], "20009003");
    let wrong = login(&app, &name, PASSWORD, &totp(&uri, 5)).await.err().unwrap();
    assert_eq!(wrong["responseCode"], "20009004");
    let code = totp(&uri, 0);
    assert!(login(&app, &name, PASSWORD, &code).await.is_ok());
    let replayed = login(&app, &name, PASSWORD, &code).await.err().unwrap();
    assert_eq!(replayed["responseCode"], "20009004", "each code once");
    assert!(login(&app, &name, PASSWORD, &totp(&uri, 1)).await.is_ok(), "the next step's code, within the drift allowed");
    let plain = create(&app, &unique("reviewer"), &["reviewer"]).await;
    assert_eq!(plain["totpUri"], "", "optional below admin");
});

e2e!(five_failed_logins_lock_the_operator(app) {
    let name = unique("locked");
    create(&app, &name, &["auditor"]).await;
    for _ in 0..4 {
        assert_eq!(login(&app, &name, "Wrong-password-1", "").await.err().unwrap()["responseCode"], "20009001");
    }
    assert_eq!(login(&app, &name, "Wrong-password-1", "").await.err().unwrap()["responseCode"], "20009002");
    assert_eq!(login(&app, &name, PASSWORD, "").await.err().unwrap()["responseCode"], "20009002", "locked even with the right password");
    // An unknown name reads like a wrong password.
    assert_eq!(login(&app, &unique("nobody"), PASSWORD, "").await.err().unwrap()["responseCode"], "20009001");
});

e2e!(the_console_page_allows_nothing_from_elsewhere(app) {
    let response = app.http.get(format!("{}/console", app.admin)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    for directive in ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let page = response.text().await.unwrap();
    for asset in ["/console/app.js", "/console/console.css"] {
        assert!(page.contains(asset), "{asset}");
    }
    // Every module the page loads, followed from app.js through its imports.
    let mut modules = vec!["/console/app.js".to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(module) = modules.pop() {
        if !seen.insert(module.clone()) {
            continue;
        }
        let response = app.http.get(format!("{}{module}", app.admin)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{module}");
        assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
        let text = response.text().await.unwrap();
        assert!(!text.contains("https://") && !text.contains("http://"), "{module} loads nothing from elsewhere");
        let folder = &module[..module.rfind('/').unwrap() + 1];
        for line in text.lines().filter(|l| l.starts_with("import ")) {
            let target = line.rsplit_once("from \"").unwrap().1.trim_end_matches("\";");
            let joined = match target.strip_prefix("../") {
                Some(up) => format!("{}{up}", &folder[..folder[..folder.len() - 1].rfind('/').unwrap() + 1]),
                None => format!("{folder}{}", target.trim_start_matches("./")),
            };
            modules.push(joined);
        }
    }
    assert!(seen.len() > 5, "a core and a module a page: {seen:?}");
    let missing = app.http.get(format!("{}/console/nothing.js", app.admin)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(!page.contains("<script>") && !page.contains(" style=\""), "no inline script or style");
});

e2e!(the_product_editor_gets_every_product_in_the_shape_it_saves(app) {
    let listed = app.admin_call("/admin/products/list", json!({})).await;
    let products = listed["resultSet"].as_array().unwrap().clone();
    assert_eq!(products.len(), 3, "{listed}");
    let mut off_sale = products.iter().find(|p| p["name"] == "员工贷").unwrap().clone();
    off_sale["onSale"] = json!("0");
    let saved = app.admin_call("/admin/products/upsert", off_sale.clone()).await;
    assert_eq!(saved["responseCode"], "0000", "what the list gives is what upsert takes: {saved}");
    let again = app.admin_call("/admin/products/list", json!({})).await;
    let stored = again["resultSet"].as_array().unwrap().iter().find(|p| p["id"] == off_sale["id"]).unwrap().clone();
    assert_eq!(stored, off_sale, "listed though off sale, unchanged otherwise");
    let on_sale: Value = app.call("/openCommonApi/getLoanProductList", json!({})).await;
    assert!(!on_sale["resultSet"].to_string().contains("员工贷"), "the app no longer sees it");
});

e2e!(an_applications_page_shows_the_applicant_masked_and_who_moved_it(app) {
    let user = crate::loans::verified_user_numbers(&app).await;
    let product = product_id(&app, "新现金贷").await;
    assert_eq!(apply(&app, &user.token, application(&product, "700.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &user.token).await;
    let name = unique("detail");
    create(&app, &name, &["reviewer"]).await;
    let reviewer = login(&app, &name, PASSWORD, "").await.unwrap();
    let (_, approved) = reviewer
        .call("/admin/loans/review", json!({"applyId": id, "decision": "approve", "replyAmount": "600.00", "remark": "收入核实"}))
        .await;
    assert_eq!(approved["responseCode"], "0000", "{approved}");

    let (status, detail) = reviewer.call("/admin/loans/detail", json!({"applyId": id})).await;
    assert_eq!((status, detail["responseCode"].as_str()), (200, Some("0000")), "{detail}");
    let shown = detail["resultSet"].to_string();
    for whole in [&user.mobile, &user.id_card, &user.bank_card, &user.contact_phone] {
        assert!(!shown.contains(whole.as_str()), "{whole} shown whole: {shown}");
    }
    assert!(!shown.contains("王父") && !shown.contains("王小明"), "names masked: {shown}");
    let r = &detail["resultSet"];
    assert_eq!(r["application"]["replyAmount"], "600.00");
    assert_eq!(r["verification"]["realNameVerified"], true);
    assert_eq!(r["verification"]["bankCardVerified"], true);
    assert_eq!(r["verification"]["idCardNo"].as_str().unwrap().len(), 18, "masked, not empty");
    assert_eq!(r["contacts"][0]["realName"], "王*");
    assert_eq!(r["profile"]["house_address_detail"], "****", "{r}");
    assert_eq!(r["profile"]["registry_detail"], "****", "{r}");
    assert!(!r["profile"]["house_address_city"].as_str().unwrap().is_empty(), "the region is kept");
    assert!(!r["credit"]["totalCredit"].as_str().unwrap().is_empty());
    let moves: Vec<(&str, &str, &str)> = r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["toStatus"].as_str().unwrap(), h["actor"].as_str().unwrap(), h["remark"].as_str().unwrap()))
        .collect();
    assert_eq!(moves.last().unwrap(), &("2", name.as_str(), "收入核实"), "{moves:?}");
    assert_eq!(moves[0].0, "0", "the application's creation first");

    // The customer whose data it carried is named in the audit entry.
    crate::payments::eventually("the detail read is recorded", || async {
        let log = app.admin_call("/admin/audit/list", json!({"operator": name, "action": "/admin/loans/detail"})).await;
        log["resultSet"][0]["customers"].as_array().is_some_and(|c| !c.is_empty())
    })
    .await;
    let (_, unknown) = reviewer.call("/admin/loans/detail", json!({"applyId": "no-such"})).await;
    assert_eq!(unknown["responseCode"], "10001000");
});

/// An admin operator logged in with their second factor.
async fn admin_console(app: &TestApp) -> Console {
    let name = unique("admin");
    let uri = create(app, &name, &["admin"]).await["totpUri"]
        .as_str()
        .unwrap()
        .to_owned();
    login(app, &name, PASSWORD, &totp(&uri, 0)).await.unwrap()
}

async fn flags_and_credit(app: &TestApp, token: &str) -> (String, String) {
    let status = crate::customer::status(app, token).await;
    let center = app
        .call_as(token, "/appCommonApi/getUserCenterInfo", json!({}))
        .await;
    (
        status["isBlackList"].as_str().unwrap().to_owned(),
        center["resultSet"]["totalCredit"].as_str().unwrap().to_owned(),
    )
}

e2e!(credit_and_blacklist_changes_wait_for_a_second_operator(app) {
    let (mobile, token) = verified_user(&app).await;
    let before = flags_and_credit(&app, &token).await;
    let (maker, checker) = (admin_console(&app).await, admin_console(&app).await);
    let (_, asked) = maker.call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1", "totalCredit": "8000.00"})).await;
    assert_eq!(asked["responseCode"], "0000", "{asked}");
    assert_eq!(asked["resultSet"]["status"], "pending");
    let id = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    assert_eq!(flags_and_credit(&app, &token).await, before, "nothing changes until confirmed");

    let (_, pending) = checker.call("/admin/approvals/list", json!({"status": "pending", "pageSize": 50})).await;
    let item = pending["resultSet"].as_array().unwrap().iter().find(|a| a["id"] == id.as_str()).unwrap().clone();
    let summary = item["summary"].as_str().unwrap();
    assert!(summary.contains("黑名单 否 → 是") && summary.contains(&format!("总额度 {} → 8000.00", before.1)), "{summary}");
    assert!(!summary.contains(&mobile), "masked: {summary}");

    let (_, own) = maker.call("/admin/approvals/decide", json!({"id": id, "decision": "confirm"})).await;
    assert_eq!(own["responseCode"], "20009009", "the maker cannot check: {own}");
    let token_confirm = app.admin_call("/admin/approvals/decide", json!({"id": id, "decision": "confirm"})).await;
    assert_eq!(token_confirm["responseCode"], "99990007", "nor the token alone: {token_confirm}");
    let reviewer_name = unique("reviewer");
    create(&app, &reviewer_name, &["reviewer"]).await;
    let reviewer = login(&app, &reviewer_name, PASSWORD, "").await.unwrap();
    let (status, wrong_role) = reviewer.call("/admin/approvals/decide", json!({"id": id, "decision": "confirm"})).await;
    assert_eq!((status, wrong_role["responseCode"].as_str()), (200, Some("99990007")), "{wrong_role}");
    assert_eq!(flags_and_credit(&app, &token).await, before);

    let (_, confirmed) = checker.call("/admin/approvals/decide", json!({"id": id, "decision": "confirm"})).await;
    assert_eq!(confirmed["responseCode"], "0000", "{confirmed}");
    assert_eq!(flags_and_credit(&app, &token).await.0, "1");
    // The token acts at once (emergencies); a blacklisted user's credit reads 0, so it is read after.
    let lifted = app.admin_call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "0"})).await;
    assert_eq!(lifted["responseMessage"], "更新成功", "{lifted}");
    assert_eq!(flags_and_credit(&app, &token).await, ("0".to_owned(), "8000.00".to_owned()));
    let (_, again) = checker.call("/admin/approvals/decide", json!({"id": id, "decision": "confirm"})).await;
    assert_eq!(again["responseCode"], "20009010", "once: {again}");
    let (_, done) = checker.call("/admin/approvals/list", json!({"status": "done", "pageSize": 50})).await;
    let item = done["resultSet"].as_array().unwrap().iter().find(|a| a["id"] == id.as_str()).unwrap().clone();
    assert_eq!((item["madeBy"].as_str().is_some(), item["outcome"].as_str()), (true, Some("0000 更新成功")));

    // A rejected request changes nothing; a risk flag alone needs no second operator.
    let (_, asked) = maker.call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1"})).await;
    let id = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    let (_, rejected) = checker.call("/admin/approvals/decide", json!({"id": id, "decision": "reject"})).await;
    assert_eq!((rejected["responseCode"].as_str(), rejected["resultSet"]["status"].as_str()), (Some("0000"), Some("rejected")));
    assert_eq!(flags_and_credit(&app, &token).await.0, "0");
    let (_, risk) = maker.call("/admin/users/update", json!({"mobile": mobile, "isRisk": "1"})).await;
    assert_eq!((risk["responseCode"].as_str(), risk["responseMessage"].as_str()), (Some("0000"), Some("更新成功")));
    let (_, unknown) = maker.call("/admin/users/update", json!({"mobile": crate::harness::random_mobile(), "isBlackList": "1"})).await;
    assert_eq!(unknown["responseCode"], "10001000", "nobody is asked to confirm the impossible");
});

e2e!(a_payout_with_a_past_release_date_waits_for_a_second_operator(app) {
    let id = submitted_application(&app).await;
    assert_eq!(crate::loans::review(&app, &id, "approve").await["responseCode"], "0000");
    let (_, _, maker) = signed_in(&app, "finance", &["finance"]).await;
    let (_, _, checker) = signed_in(&app, "finance", &["finance"]).await;
    let yesterday = (chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let (_, asked) = maker.call("/admin/loans/disburse", json!({"applyId": id, "releaseDate": yesterday})).await;
    assert_eq!(asked["resultSet"]["status"], "pending", "{asked}");
    assert_eq!(status_of(&app, &id).await, "2", "no payout yet");
    let approval = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    let (_, own) = maker.call("/admin/approvals/decide", json!({"id": approval, "decision": "confirm"})).await;
    assert_eq!(own["responseCode"], "20009009");
    let (_, paid) = checker.call("/admin/approvals/decide", json!({"id": approval, "decision": "confirm"})).await;
    assert_eq!(paid["responseCode"], "0000", "{paid}");
    assert!(paid["resultSet"].as_str().unwrap().starts_with("PO"), "the payout order: {paid}");
    assert_eq!(status_of(&app, &id).await, "4");
    let (_, bad) = maker.call("/admin/loans/disburse", json!({"applyId": id, "releaseDate": "2026-13-40"})).await;
    assert_eq!(bad["responseCode"], "10001000", "{bad}");
});

e2e!(disabling_an_operator_withdraws_the_requests_they_left_waiting(app) {
    let (mobile, token) = verified_user(&app).await;
    let before = flags_and_credit(&app, &token).await;
    let name = unique("admin");
    let created = create(&app, &name, &["admin"]).await;
    let maker = login(&app, &name, PASSWORD, &totp(created["totpUri"].as_str().unwrap(), 0)).await.unwrap();
    let checker = admin_console(&app).await;
    let (_, asked) = maker.call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1"})).await;
    let id = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    let disabled = app.admin_call("/admin/operators/update", json!({"id": created["id"], "disabled": "1"})).await;
    assert_eq!(disabled["responseCode"], "0000", "{disabled}");
    // The request no longer speaks for anyone: confirming it does nothing.
    let (_, confirmed) = checker.call("/admin/approvals/decide", json!({"id": id, "decision": "confirm"})).await;
    assert_eq!(confirmed["responseCode"], "20009010", "already closed: {confirmed}");
    assert_eq!(flags_and_credit(&app, &token).await, before, "nothing changed");
    let (_, withdrawn) = checker.call("/admin/approvals/list", json!({"status": "withdrawn", "pageSize": 50})).await;
    assert!(withdrawn["resultSet"].as_array().unwrap().iter().any(|a| a["id"] == id.as_str()), "{withdrawn}");
});
