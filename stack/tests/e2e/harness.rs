//! The end-to-end harness: a whole stack per test on free loopback ports, with a fresh database
//! and key namespace, driven over HTTP by a client that signs like the app.

use std::io::Write;
use std::time::Duration;

use crate::app_protocol;
use cashloan_stack::{Stack, StackConfig};
use serde_json::{json, Map, Value};

pub const APP_KEY: &str = "12345678";
pub const PASSWORD: &str = "pass1234";

/// Where a test's stack keeps its state.
#[derive(Clone, Debug)]
pub enum Backend {
    Embedded,
    /// PostgreSQL and/or Redis, from `TEST_POSTGRES` / `TEST_REDIS`.
    Real {
        postgres: Option<String>,
        redis: Option<String>,
    },
}

/// The embedded defaults always; the real servers too when the environment names them; and a
/// Redis Cluster (`TEST_REDIS_CLUSTER`) with the embedded database.
pub fn backends() -> Vec<Backend> {
    let postgres = env("TEST_POSTGRES");
    let redis = test_redis();
    let mut list = vec![Backend::Embedded];
    if postgres.is_some() || redis.is_some() {
        list.push(Backend::Real { postgres, redis });
    }
    if let Some(cluster) = env("TEST_REDIS_CLUSTER") {
        list.push(Backend::Real {
            postgres: None,
            redis: Some(cluster),
        });
    }
    list
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn test_redis() -> Option<String> {
    env("TEST_REDIS")
}

pub struct TestApp {
    pub api: String,
    pub admin: String,
    pub admin_token: String,
    pub http: reqwest::Client,
    pub stack: Option<Stack>,
    /// The clock of date rules; tests advance it instead of sleeping.
    pub clock: cashloan_runtime::clock::Clock,
    data: tempfile::TempDir,
    postgres_cleanup: Option<(String, String)>,
    /// What the stack was started with, for a restart on the same data.
    pub config: StackConfig,
}

pub fn random_mobile() -> String {
    format!(
        "13{}{:08}",
        rand::random_range(5..=9),
        rand::random_range(0..100_000_000u32)
    )
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub fn nonce() -> String {
    format!("{:08}", rand::random_range(0..100_000_000u32))
}

/// The body with fresh system fields and a signature under `key`.
pub fn sign_with(key: &str, fields: Value) -> Value {
    let mut body: Map<String, Value> = match fields {
        Value::Object(map) => map,
        _ => panic!("request fields are an object"),
    };
    body.entry("timestamp")
        .or_insert_with(|| json!(now_ms().to_string()));
    body.entry("nonce").or_insert_with(|| json!(nonce()));
    let sign = app_protocol::sign(key, &body);
    body.insert("sign".into(), json!(sign));
    Value::Object(body)
}

pub fn encrypt(password: &str) -> String {
    app_protocol::des_encrypt(APP_KEY, password)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The first run of exactly six digits in a text.
pub fn six_digits(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return Some(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    None
}

impl TestApp {
    pub async fn spawn(backend: &Backend, tweak: impl FnOnce(&mut StackConfig)) -> TestApp {
        let data = tempfile::tempdir().unwrap();
        let admin_token = format!("test-admin-token-{}", rand::random::<u64>());
        let mut config = StackConfig::new(admin_token.clone()).unwrap();
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.admin_listen = "127.0.0.1:0".parse().unwrap();
        config.data_dir = data.path().to_owned();
        config.gateway.workers = 1;
        // An immediate outcome arrives within this on a loaded machine too; a test of a pending
        // one shortens it below the outcome's delay, or uses an outcome that never comes.
        config.payments.repay_wait_ms = 10_000;
        // A loaded machine answers within these too; a test of a deadline sets its own.
        config.gateway.call_deadline_ms = 15_000;
        config.gateway.payment_call_deadline_ms = 20_000;
        // The sample products wait for people, as before decisions by the rules; the tests of
        // those (decisions.rs) make them automatic.
        config.sample_review_mode = 0;
        let run = format!("t{}", rand::random::<u64>() % 1_000_000_000_000);
        let mut postgres_cleanup = None;
        if let Backend::Real { postgres, redis } = backend {
            config.postgres = postgres.clone();
            config.redis = redis.clone();
            config.database_prefix = run.clone();
            config.kv_namespace = format!("{run}:");
            if let Some(server) = postgres {
                postgres_cleanup = Some((server.clone(), run.clone()));
            }
        }
        tweak(&mut config);
        let clock = config.clock.clone();
        let stack = Stack::start(config.clone()).await.expect("stack starts");
        TestApp {
            api: format!("http://{}", stack.api_addr),
            admin: format!("http://{}", stack.admin_addr),
            admin_token,
            http: reqwest::Client::builder()
                .no_gzip()
                .timeout(Duration::from_secs(20))
                // Below the gateway's 5 s keep-alive: a pooled connection is never reused just
                // as the server closes it (a request lost with "IncompleteMessage").
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .unwrap(),
            stack: Some(stack),
            clock,
            data,
            postgres_cleanup,
            config,
        }
    }

    /// A client of a stack started elsewhere (separate processes); with `postgres_cleanup`
    /// (server, database prefix) it drops those databases when dropped.
    pub fn external(
        api: &str,
        admin: &str,
        admin_token: &str,
        postgres_cleanup: Option<(String, String)>,
    ) -> TestApp {
        TestApp {
            api: api.to_owned(),
            admin: admin.to_owned(),
            admin_token: admin_token.to_owned(),
            http: reqwest::Client::builder()
                .no_gzip()
                .timeout(Duration::from_secs(20))
                // Below the gateway's 5 s keep-alive: a pooled connection is never reused just
                // as the server closes it (a request lost with "IncompleteMessage").
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .unwrap(),
            stack: None,
            clock: Default::default(),
            data: tempfile::tempdir().unwrap(),
            postgres_cleanup,
            config: StackConfig::new(admin_token.to_owned()).unwrap(),
        }
    }

    /// Another client of the same stack, owning nothing (reading the same SMS phones).
    pub fn clone_handle(&self) -> TestApp {
        let mut handle = TestApp::external(&self.api, &self.admin, &self.admin_token, None);
        handle.config.data_dir.clone_from(&self.config.data_dir);
        handle
    }

    /// Stops the whole stack and starts it again on the same databases (new ports): what a
    /// process restart finds.
    pub async fn restart(&mut self) {
        if let Some(stack) = self.stack.take() {
            stack.stop().await;
        }
        let stack = Stack::start(self.config.clone()).await.expect("stack restarts");
        self.api = format!("http://{}", stack.api_addr);
        self.admin = format!("http://{}", stack.admin_addr);
        self.stack = Some(stack);
    }

    pub async fn stop(mut self) {
        if let Some(stack) = self.stack.take() {
            stack.stop().await;
        }
    }

    /// A gRPC channel straight to one of the stack's services, its calls signed as `caller` (one
    /// of the identities the stack made keys for), or unsigned: an outsider on the network.
    pub fn service_channel(
        &self,
        service: &str,
        caller: Option<&str>,
    ) -> cashloan_runtime::grpc::GrpcChannel {
        let stack = self.stack.as_ref().expect("a stack of this process");
        let addr = stack.service_addr(service).expect("a service of the stack");
        let channel =
            cashloan_runtime::grpc::lazy_channel(&format!("http://{addr}"), Duration::from_secs(10)).unwrap();
        match caller {
            Some(name) => channel.signed_by(stack.identities.signer(name)),
            None => channel,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.api, path)
    }

    /// Posts a raw body; returns the response as is.
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Posts an already signed body and returns the envelope, checking that its signature verifies.
    pub async fn post_body(&self, path: &str, body: &Value, token: Option<&str>) -> Value {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        envelope_at(path, response.json().await.unwrap())
    }

    /// Signs `fields` like the app does, posts, returns the verified envelope.
    pub async fn call(&self, path: &str, fields: Value) -> Value {
        self.post_body(path, &sign_with(APP_KEY, fields), None).await
    }

    /// As `call`, with a session token in the Authorization header.
    pub async fn call_as(&self, token: &str, path: &str, fields: Value) -> Value {
        self.post_body(path, &sign_with(APP_KEY, fields), Some(token))
            .await
    }

    pub async fn admin_call(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{}", self.admin, path))
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    pub async fn captcha(&self) -> String {
        let reply = self.call("/openApi/getCode", json!({})).await;
        assert_eq!(reply["responseCode"], "0000", "{reply}");
        reply["resultSet"].as_str().unwrap().to_owned()
    }

    /// Sends a code for a purpose ("/openApi/getSmsCode" or "/openApi/forgetPwdGetSmsCode").
    pub async fn send_code(&self, path: &str, mobile: &str) -> Value {
        let captcha = self.captcha().await;
        self.call(path, json!({"mobile": mobile, "code": captcha})).await
    }

    /// The code in the newest SMS to `mobile`, read off its phone (the `log` provider's spool), as
    /// its owner would: operators see the texts with the codes masked.
    pub async fn last_sms_code(&self, mobile: &str) -> Option<String> {
        self.last_sms_text(mobile).and_then(|text| six_digits(&text))
    }

    /// The newest text on `mobile`'s phone.
    pub fn last_sms_text(&self, mobile: &str) -> Option<String> {
        let phone = self.config.sms_spool_dir().join(format!("{mobile}.txt"));
        let texts = std::fs::read_to_string(phone).ok()?;
        texts
            .lines()
            .last()?
            .split_once('\t')
            .map(|(_, text)| text.to_owned())
    }

    pub async fn sms_count(&self, mobile: &str) -> usize {
        let reply = self
            .admin_call("/admin/sms/outbox", json!({"mobile": mobile, "limit": 100}))
            .await;
        reply["resultSet"].as_array().map_or(0, Vec::len)
    }

    /// Registration end to end: captcha, SMS, check, register.
    pub async fn register(&self, mobile: &str, password: &str) {
        let sent = self.send_code("/openApi/getSmsCode", mobile).await;
        assert_eq!(sent["responseCode"], "20001000", "{sent}");
        let code = self.last_sms_code(mobile).await.unwrap();
        let checked = self
            .call(
                "/openApi/checkSmsCode",
                json!({"mobile": mobile, "smscode": code}),
            )
            .await;
        assert_eq!(checked["responseCode"], "20002006", "{checked}");
        let registered = self
            .call(
                "/openApi/userRegister",
                json!({"mobile": mobile, "password": encrypt(password), "confirmPassword": encrypt(password)}),
            )
            .await;
        assert_eq!(registered["responseCode"], "20003000", "{registered}");
    }

    pub async fn login_reply(&self, mobile: &str, password: &str) -> Value {
        self.call(
            "/security/login",
            json!({"username": mobile, "password": encrypt(password), "appType": "1", "token": ""}),
        )
        .await
    }

    pub async fn login(&self, mobile: &str, password: &str) -> String {
        let reply = self.login_reply(mobile, password).await;
        assert_eq!(reply["responseCode"], "90000000", "{reply}");
        reply["resultSet"].as_str().unwrap().to_owned()
    }

    /// A registered, logged-in user: (mobile, session token).
    /// A registered, logged-in user who accepted every consent, as the app asks on first use.
    pub async fn user(&self) -> (String, String) {
        let (mobile, token) = self.user_without_consents().await;
        self.accept_consents(&token).await;
        (mobile, token)
    }

    pub async fn user_without_consents(&self) -> (String, String) {
        let mobile = random_mobile();
        self.register(&mobile, PASSWORD).await;
        let token = self.login(&mobile, PASSWORD).await;
        (mobile, token)
    }

    /// Accepts each consent the list names, at the version it names (API.md §6.6 #37, #38).
    pub async fn accept_consents(&self, token: &str) {
        let list = self.call_as(token, "/appCommonApi/getConsents", json!({})).await;
        assert_eq!(list["responseCode"], "0000", "{list}");
        for consent in list["resultSet"].as_array().unwrap() {
            let body = json!({"consentType": consent["consentType"], "version": consent["version"]});
            let reply = self.call_as(token, "/appCommonApi/acceptConsent", body).await;
            assert_eq!(reply["responseCode"], "0000", "{reply}");
        }
    }

    /// Whether a session token is still valid: a session read answers 0000 with it and 99990004
    /// without; any other answer is a failure of the test, not a verdict.
    pub async fn session_valid(&self, token: &str) -> bool {
        let reply = self
            .call_as(token, "/appCommonApi/getAuthenticationStatus", json!({}))
            .await;
        match reply["responseCode"].as_str() {
            Some("0000") => true,
            Some("99990004") => false,
            _ => panic!("no session verdict: {reply}"),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((server, prefix)) = self.postgres_cleanup.take() {
            for service in ["auth", "message", "product", "loan", "risk"] {
                let _ = cashloan_runtime::db::drop_postgres_database(&server, &format!("{prefix}_{service}"));
            }
        }
    }
}

/// Checks the response envelope's own signature and shape, and returns it.
pub fn envelope(body: Value) -> Value {
    envelope_at("", body)
}

/// As `envelope`, knowing the path: API.md gives 20004000 two meanings, a success on
/// forgetPwdIdentityAuth and a refused amount on the loan endpoints.
pub fn envelope_at(path: &str, body: Value) -> Value {
    let map = body.as_object().expect("the envelope is an object");
    for field in [
        "exceptionFlag",
        "responseCode",
        "responseMessage",
        "timestamp",
        "nonce",
        "sign",
        "resultSet",
    ] {
        assert!(map.contains_key(field), "envelope lacks {field}: {body}");
    }
    assert!(
        app_protocol::signed_by(APP_KEY, map),
        "response signature verifies: {body}"
    );
    let success = map["exceptionFlag"] == "0000";
    let code = map["responseCode"].as_str().unwrap();
    let expected =
        SUCCESS_CODES.contains(&code) || (code == "20004000" && path == "/openApi/forgetPwdIdentityAuth");
    assert_eq!(success, expected, "exceptionFlag matches the code: {body}");
    body
}

/// The success codes of API.md; every other code must come with exceptionFlag 9999.
const SUCCESS_CODES: &[&str] = &[
    "0000", "90000000", "20001000", "20002006", "20003000", "20003002", "20003004", "20003006", "20003008",
    "20003010", "20005000",
];

/// An end-to-end test, run once on each backend of `backends()` with a fresh stack each time.
#[macro_export]
macro_rules! e2e {
    ($name:ident($app:ident) $body:block) => {
        $crate::e2e!($name($app, |_: &mut cashloan_stack::StackConfig| {}) $body);
    };
    ($name:ident($app:ident, $tweak:expr) $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::harness::backends() {
                eprintln!("backend: {backend:?}");
                #[allow(unused_mut)]
                let mut $app = $crate::harness::TestApp::spawn(&backend, $tweak).await;
                $body
                $app.stop().await;
            }
        }
    };
}

/// Shortened policies for tests of expiry and limits.
pub struct StackTweak;

impl StackTweak {
    pub fn captcha_ttl(secs: u64) -> impl Fn(&mut StackConfig) {
        move |c| c.policy.captcha_ttl_secs = secs
    }
    pub fn sms_code_ttl(secs: u64) -> impl Fn(&mut StackConfig) {
        move |c| c.policy.sms_code_ttl_secs = secs
    }
    pub fn sms_cooldown(secs: u64) -> impl Fn(&mut StackConfig) {
        move |c| c.policy.sms_cooldown_secs = secs
    }
    pub fn login_lock(secs: u64) -> impl Fn(&mut StackConfig) {
        move |c| c.policy.login_lock_secs = secs
    }
    pub fn flow_mark_ttl(secs: u64) -> impl Fn(&mut StackConfig) {
        move |c| c.policy.flow_mark_ttl_secs = secs
    }
    pub fn session_ttl(secs: u64) -> impl Fn(&mut StackConfig) {
        move |c| c.policy.session_ttl_secs = secs
    }
}

/// A valid ID number (GB 11643) for a birth date `yyyymmdd` and a three-digit sequence.
pub fn id_card(birth: &str, seq: &str) -> String {
    let first17 = format!("110105{birth}{seq}");
    format!("{first17}{}", app_protocol::id_check_char(&first17))
}

/// An ID number of someone `age` years old today (born on 1 January, so the birthday has passed).
pub fn id_card_aged(age: i32, seq: &str) -> String {
    use chrono::Datelike;
    let year = cashloan_runtime::clock::today_cst().year();
    id_card(&format!("{}0101", year - age), seq)
}

/// A random ID number of someone 30 to 49 years old: six million of them, so the users
/// of one test never share one (that answers 20007004).
pub fn random_id_card() -> String {
    use chrono::Datelike;
    let year = cashloan_runtime::clock::today_cst().year() - rand::random_range(31..=50);
    let birth = format!(
        "{year}{:02}{:02}",
        rand::random_range(1..=12),
        rand::random_range(1..=28)
    );
    // Sequence numbers from 990 up make the identity vendor's fake fail on purpose.
    id_card(&birth, &format!("{:03}", rand::random_range(100..990)))
}

/// A card number of `len` digits starting with `prefix` whose Luhn check passes and which ends
/// in `suffix`.
pub fn bank_card(prefix: &str, suffix: &str, len: usize) -> String {
    let filler_len = len - prefix.len() - suffix.len();
    for n in 0..10u64.pow(filler_len.min(6) as u32) {
        let filler = format!("{n:0filler_len$}");
        let candidate = format!("{prefix}{filler}{suffix}");
        if app_protocol::luhn_valid(&candidate) {
            return candidate;
        }
    }
    panic!("no Luhn-valid card for {prefix}…{suffix}");
}

impl TestApp {
    /// A connection to a service's database (`auth`, `loan`, …), for what the API cannot show.
    fn database(&self, service: &str) -> cashloan_runtime::db::DbConn {
        use diesel::Connection;
        let url = match &self.postgres_cleanup {
            Some((server, prefix)) => {
                cashloan_runtime::db::postgres_database_url(server, &format!("{prefix}_{service}"))
            }
            None => self
                .data
                .path()
                .join(format!("{service}.db"))
                .to_string_lossy()
                .into_owned(),
        };
        let mut conn = cashloan_runtime::db::DbConn::establish(&url).unwrap();
        if self.postgres_cleanup.is_none() {
            // The services write in the background (the audit sealer, the jobs): wait for their
            // write lock as they do rather than fail at once.
            use diesel::RunQueryDsl;
            diesel::sql_query("PRAGMA busy_timeout = 5000")
                .execute(&mut conn)
                .unwrap();
        }
        conn
    }

    /// Runs a statement on a service's database (a test altering what the API never would).
    pub fn database_execute(&self, service: &str, sql: &str) -> usize {
        use diesel::RunQueryDsl;
        diesel::sql_query(sql)
            .execute(&mut self.database(service))
            .unwrap()
    }

    pub fn loan_database_execute(&self, sql: &str) -> usize {
        self.database_execute("loan", sql)
    }

    /// One integer from the loan database.
    pub fn loan_database_integer(&self, sql: &str) -> i64 {
        self.database_integer("loan", sql)
    }

    /// One text (`… AS value`) from a service's database.
    pub fn database_string(&self, service: &str, sql: &str) -> String {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            value: String,
        }
        let mut rows: Vec<Row> = diesel::sql_query(sql).load(&mut self.database(service)).unwrap();
        rows.remove(0).value
    }

    /// One integer (`… AS value`) from a service's database.
    pub fn database_integer(&self, service: &str, sql: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            value: i64,
        }
        let rows: Vec<Row> = diesel::sql_query(sql).load(&mut self.database(service)).unwrap();
        rows[0].value
    }

    /// Everything a service's database holds, as text: the SQLite files' bytes, or every row of
    /// every table on PostgreSQL. `service` is `auth`, `loan`, `message` or `product`.
    pub fn database_text(&self, service: &str) -> String {
        match &self.postgres_cleanup {
            Some((server, prefix)) => {
                use diesel::{Connection, RunQueryDsl};
                #[derive(diesel::QueryableByName)]
                struct Row {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    row: String,
                }
                let url = cashloan_runtime::db::postgres_database_url(server, &format!("{prefix}_{service}"));
                let mut conn = diesel::PgConnection::establish(&url).unwrap();
                let tables: Vec<Row> = diesel::sql_query(
                    "SELECT table_name::text AS row FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .load(&mut conn)
                .unwrap();
                let mut text = String::new();
                for table in tables {
                    let rows: Vec<Row> =
                        diesel::sql_query(format!("SELECT t::text AS row FROM \"{}\" t", table.row))
                            .load(&mut conn)
                            .unwrap();
                    for r in rows {
                        text.push_str(&r.row);
                        text.push('\n');
                    }
                }
                text
            }
            None => [format!("{service}.db"), format!("{service}.db-wal")]
                .iter()
                .filter_map(|f| std::fs::read(self.data.path().join(f)).ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .collect(),
        }
    }
}
