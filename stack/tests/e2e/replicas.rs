//! Several replicas as separate processes (issue 15): two gateways and two replicas of every
//! service sharing PostgreSQL, Redis and one payment channel, each caller balanced over both
//! replicas; a steady mix of app traffic on both gateways while one replica of each service is
//! killed (SIGKILL) in turn. Reads must answer again within a second of a kill; a write either
//! completes or answers 99990005 with nothing half-written; every loan event reaches the customer
//! once. Needs `TEST_POSTGRES` and `TEST_REDIS` (skipped otherwise). The error counts and recovery
//! times it prints are in BENCHMARKS.md.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use crate::fake_channel::{FakeChannel, CHANNEL_PUBLIC_KEY_PATH, MERCHANT_KEY_PATH};
use crate::harness::{sign_with, test_redis, TestApp, APP_KEY};
use crate::loans::{application, product_id};
use crate::payments::{loan_paid_from, messages_of_type};

const SERVICES: [&str; 5] = [
    "message-service",
    "product-service",
    "auth-service",
    "loan-service",
    "risk-service",
];
/// Load runs this long; one replica of each service is killed every `KILL_EVERY`, from
/// `KILL_EVERY` on, in the order of `SERVICES`.
const LOAD_FOR: Duration = Duration::from_secs(23);
const KILL_EVERY: Duration = Duration::from_secs(4);
const USERS: usize = 6;
/// product-service's cache period in this test; the gateway's list adds one second.
const PRODUCT_CACHE_SECS: u64 = 2;
/// A read may fail only this soon after a kill.
const READ_GRACE: Duration = Duration::from_secs(1);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The processes, killed when the test ends however it ends.
struct Processes {
    running: Vec<(String, Child)>,
    logs: tempfile::TempDir,
}

impl Processes {
    fn start(&mut self, role: &str, replica: usize, env: &[(&str, String)]) {
        let name = format!("{role}-{replica}");
        let log = std::fs::File::create(self.logs.path().join(format!("{name}.log"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_cashloan-replica"))
            .arg(role)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .env("LOG_FORMAT", "text")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.running.push((name, child));
    }

    /// SIGKILL: no shutdown, connections cut mid-call.
    fn kill(&mut self, name: &str) {
        let (_, child) = self.running.iter_mut().find(|(n, _)| n == name).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Every process started is still running (none failed its start).
    fn assert_all_running(&mut self) {
        let mut exited = Vec::new();
        for (name, child) in &mut self.running {
            if let Some(status) = child.try_wait().unwrap() {
                exited.push(format!("{name}: {status}"));
            }
        }
        assert!(exited.is_empty(), "exited: {exited:?}\n{}", self.log_tail());
    }

    fn log_tail(&self) -> String {
        let mut text = String::new();
        for (name, _) in &self.running {
            let log =
                std::fs::read_to_string(self.logs.path().join(format!("{name}.log"))).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            text += &format!(
                "--- {name}\n{}\n",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        text
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in &mut self.running {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Two gateways and two replicas of each service on free ports; returns the gateways (api,
/// admin) and the services' ports.
fn start_everything(
    processes: &mut Processes,
    postgres: &str,
    prefix: &str,
    redis: &str,
    admin_token: &str,
    channel_url: &str,
) -> (Vec<(String, String)>, Vec<u16>) {
    let ports: Vec<[u16; 2]> = SERVICES.iter().map(|_| [free_port(), free_port()]).collect();
    let list = |service: &str| {
        let i = SERVICES.iter().position(|s| *s == service).unwrap();
        ports[i]
            .iter()
            .map(|p| format!("http://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let database = |service: &str| {
        let name = format!("{prefix}_{service}");
        cashloan_runtime::db::ensure_postgres_database(postgres, &name).unwrap();
        cashloan_runtime::db::postgres_database_url(postgres, &name)
    };
    let key = || base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
    let pii = [("PII_KEYS", format!("k1:{}", key())), ("PII_HASH_KEY", key())];
    // One set of service keys, as cashloan-keys makes them: each process its own, all the peers.
    let keys = cashloan_runtime::grpc::identity::Deployment::generate();
    let identity = |name: &str| [("SERVICE_KEY", keys.key(name)), ("SERVICE_PEERS", keys.peers())];
    let gateways: Vec<(u16, u16)> = (0..2).map(|_| (free_port(), free_port())).collect();
    let (auth_db, message_db, product_db, loan_db, risk_db) = (
        database("auth"),
        database("message"),
        database("product"),
        database("loan"),
        database("risk"),
    );
    for replica in [0, 1] {
        let listen = |service: &str| {
            let i = SERVICES.iter().position(|s| *s == service).unwrap();
            format!("127.0.0.1:{}", ports[i][replica])
        };
        let mut message = vec![
            ("MESSAGE_LISTEN", listen("message-service")),
            ("MESSAGE_DATABASE_URL", message_db.clone()),
            ("SMS_PROVIDER", "log".into()),
            (
                "SMS_SPOOL_DIR",
                processes.logs.path().join("sms-spool").display().to_string(),
            ),
        ];
        message.extend(identity("message"));
        processes.start("message-service", replica, &message);
        let mut product = vec![
            ("PRODUCT_LISTEN", listen("product-service")),
            ("PRODUCT_DATABASE_URL", product_db.clone()),
            ("PRODUCT_CACHE_TTL_SECS", PRODUCT_CACHE_SECS.to_string()),
            // People decide here (the loans are reviewed and paid out by the test); the rules'
            // recommendations are still asked of risk-service's replicas.
            ("SAMPLE_REVIEW_MODE", "0".into()),
        ];
        product.extend(identity("product"));
        processes.start("product-service", replica, &product);
        let mut auth = vec![
            ("AUTH_LISTEN", listen("auth-service")),
            ("AUTH_DATABASE_URL", auth_db.clone()),
            ("REDIS_URL", redis.to_owned()),
            ("MESSAGE_ADDR", list("message-service")),
            // Every request comes from 127.0.0.1, as do other runs' within the hour.
            ("SMS_IP_HOURLY_LIMIT", "1000000".into()),
        ];
        auth.extend(pii.clone());
        auth.extend(identity("auth"));
        processes.start("auth-service", replica, &auth);
        let mut risk = vec![
            ("RISK_LISTEN", listen("risk-service")),
            ("RISK_DATABASE_URL", risk_db.clone()),
            ("AUTH_ADDR", list("auth-service")),
        ];
        risk.extend(pii.clone());
        risk.extend(identity("risk"));
        processes.start("risk-service", replica, &risk);
        let mut loan = vec![
            ("LOAN_LISTEN", listen("loan-service")),
            ("LOAN_DATABASE_URL", loan_db.clone()),
            ("PRODUCT_ADDR", list("product-service")),
            ("AUTH_ADDR", list("auth-service")),
            ("MESSAGE_ADDR", list("message-service")),
            ("RISK_ADDR", list("risk-service")),
            ("RELAY_INTERVAL_MS", "100".into()),
            ("PAYMENT_CHANNEL", "http".into()),
            ("CHANNEL_URL", channel_url.to_owned()),
            ("CHANNEL_MERCHANT_NO", "M100".into()),
            ("CHANNEL_MERCHANT_KEY", MERCHANT_KEY_PATH.into()),
            ("CHANNEL_PUBLIC_KEY", CHANNEL_PUBLIC_KEY_PATH.into()),
            (
                "CHANNEL_NOTIFY_URL",
                format!("http://127.0.0.1:{}/notify/payment", gateways[0].0),
            ),
            ("CHANNEL_TIMEOUT_MS", "2000".into()),
            ("PAYMENT_RECHECK_MS", "500".into()),
            ("PAYMENT_JOB_INTERVAL_MS", "200".into()),
        ];
        loan.extend(pii.clone());
        loan.extend(identity("loan"));
        processes.start("loan-service", replica, &loan);
    }
    for (replica, (api, admin)) in gateways.iter().enumerate() {
        processes.start(
            "gateway",
            replica,
            &[
                ("GATEWAY_LISTEN", format!("127.0.0.1:{api}")),
                ("ADMIN_LISTEN", format!("127.0.0.1:{admin}")),
                ("ADMIN_TOKEN", admin_token.to_owned()),
                ("REDIS_URL", redis.to_owned()),
                ("AUTH_ADDR", list("auth-service")),
                ("MESSAGE_ADDR", list("message-service")),
                ("PRODUCT_ADDR", list("product-service")),
                ("LOAN_ADDR", list("loan-service")),
                ("RISK_ADDR", list("risk-service")),
                ("GATEWAY_WORKERS", "1".into()),
                ("SERVICE_KEY", keys.key("gateway")),
                ("ADMIN_SERVICE_KEY", keys.key("gateway-admin")),
            ],
        );
    }
    let gateways = gateways
        .iter()
        .map(|(api, admin)| {
            (
                format!("http://127.0.0.1:{api}"),
                format!("http://127.0.0.1:{admin}"),
            )
        })
        .collect();
    (gateways, ports.into_iter().flatten().collect())
}

/// Waits until every service replica listens (each listens once migrated and seeded).
async fn wait_listening(ports: &[u16], processes: &Processes) {
    let started = Instant::now();
    for port in ports {
        while tokio::net::TcpStream::connect(("127.0.0.1", *port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "port {port} never listened:\n{}",
                processes.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Waits until a gateway serves a call that needs every service's database (a product list, and
/// a captcha from auth-service).
async fn wait_ready(app: &TestApp, processes: &Processes) {
    let started = Instant::now();
    loop {
        let ready = async {
            let body = sign_with(APP_KEY, json!({}));
            let products = app
                .http
                .post(app.url("/openCommonApi/getLoanProductList"))
                .json(&body)
                .send()
                .await
                .ok()?;
            let products: Value = products.json().await.ok()?;
            let captcha = app
                .http
                .post(app.url("/openApi/getCode"))
                .json(&sign_with(APP_KEY, json!({})))
                .send()
                .await
                .ok()?;
            let captcha: Value = captcha.json().await.ok()?;
            Some(products["responseCode"] == "0000" && captcha["responseCode"] == "0000")
        };
        if ready.await == Some(true) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the replicas never became ready:\n{}",
            processes.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Read,
    Write,
}

/// One answer seen by the load: when, what, and the response code (or `transport`).
#[derive(Debug)]
struct Seen {
    at: Duration,
    kind: Kind,
    path: &'static str,
    code: String,
}

/// A signed call that never panics: the response code, `http <status>` or `transport`.
async fn code_of(app: &TestApp, token: &str, path: &str, fields: Value) -> String {
    let sent = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&sign_with(APP_KEY, fields))
        .send()
        .await;
    match sent {
        Err(_) => "transport".into(),
        Ok(r) if r.status() != 200 => format!("http {}", r.status()),
        Ok(r) => match r.json::<Value>().await {
            Ok(body) => body["responseCode"].as_str().unwrap_or("no code").to_owned(),
            Err(_) => "transport".into(),
        },
    }
}

/// What one user does until `stop`: reads of every service through both gateways in turn, one
/// repayment of the loan's period, and (once repaid) a new application.
async fn user_load(
    gateways: Arc<Vec<TestApp>>,
    user: (String, String, String),
    product: String,
    started: Instant,
    stop: Instant,
    seen: Arc<Mutex<Vec<Seen>>>,
) {
    const READS: [&str; 6] = [
        "/openCommonApi/getLoanProductList",
        "/appCommonApi/getRepayInfoList",
        "/appCommonApi/getCustomMessage",
        "/appCommonApi/getAuthenticationStatus",
        "/appCommonApi/getLoanApplyInfoList",
        "/appCommonApi/getUserCenterInfo",
    ];
    let (_, token, period) = user;
    let (mut repaid, mut applied) = (false, false);
    let mut i = 0usize;
    while Instant::now() < stop {
        i += 1;
        let app = &gateways[i % 2];
        let (kind, path, fields) = if !repaid && i.is_multiple_of(40) {
            (
                Kind::Write,
                "/appCommonApi/gotoRepayment",
                json!({"id": period, "repayType": "current"}),
            )
        } else if repaid && !applied && i.is_multiple_of(40) {
            (
                Kind::Write,
                "/appCommonApi/loanProductApply",
                application(&product, "500.00"),
            )
        } else {
            (Kind::Read, READS[i % READS.len()], json!({}))
        };
        let code = code_of(app, &token, path, fields).await;
        match path {
            // Any answer but an outage: paid, being paid, or already paid by an earlier attempt.
            "/appCommonApi/gotoRepayment" => repaid = !matches!(code.as_str(), "99990005" | "20006004"),
            "/appCommonApi/loanProductApply" => applied = code != "99990005",
            _ => {}
        }
        seen.lock().unwrap().push(Seen {
            at: started.elapsed(),
            kind,
            path,
            code,
        });
    }
}

/// Polls `check` every 200 ms for up to `within`; false when it never held.
async fn within<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_killed_under_load_lose_nothing_and_reads_recover_within_a_second() {
    let (Some(postgres), Some(redis)) = (
        std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty()),
        test_redis(),
    ) else {
        eprintln!("TEST_POSTGRES and TEST_REDIS not set: skipped");
        return;
    };
    let channel = FakeChannel::start().await;
    let prefix = format!("r{}", rand::random::<u64>() % 1_000_000_000_000);
    let admin_token = format!("test-admin-token-{}", rand::random::<u64>());
    let mut processes = Processes {
        running: Vec::new(),
        logs: tempfile::tempdir().unwrap(),
    };
    let (addresses, service_ports) = start_everything(
        &mut processes,
        &postgres,
        &prefix,
        &redis,
        &admin_token,
        &channel.url,
    );
    // The first gateway's app drops the databases when the test ends (after the processes stop).
    let gateways: Vec<TestApp> = addresses
        .iter()
        .enumerate()
        .map(|(i, (api, admin))| {
            let cleanup = (i == 0).then(|| (postgres.clone(), prefix.clone()));
            let mut app = TestApp::external(api, admin, &admin_token, cleanup);
            // The SMS phones the message-service processes write (SMS_SPOOL_DIR above).
            app.config.data_dir = processes.logs.path().to_owned();
            app
        })
        .collect();
    wait_listening(&service_ports, &processes).await;
    for app in &gateways {
        wait_ready(app, &processes).await;
    }
    processes.assert_all_running();
    let (a, b) = (&gateways[0], &gateways[1]);

    // A product made through one gateway is served by the other within the caches' periods.
    let code = format!("R{}", rand::random::<u32>());
    let made = Instant::now();
    let upserted = a
        .admin_call("/admin/products/upsert", crate::products::flexible_product(&code))
        .await;
    assert_eq!(upserted["responseCode"], "0000", "{upserted}");
    let id = upserted["resultSet"].as_str().unwrap().to_owned();
    let listed = |app: &TestApp| {
        let id = id.clone();
        let app = app.clone_handle();
        async move {
            let list = app.call("/openCommonApi/getLoanProductList", json!({})).await;
            list["resultSet"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id.as_str())
        }
    };
    let cache_periods = Duration::from_secs(PRODUCT_CACHE_SECS + 1);
    assert!(
        within(cache_periods + Duration::from_secs(1), || listed(b)).await,
        "the other gateway serves the new product within {cache_periods:?}"
    );
    let product_seen_after = made.elapsed();

    // Users with a loan paid out, each repaying from an ordinary card.
    let product = product_id(a, "新现金贷").await;
    let mut users = Vec::new();
    for _ in 0..USERS {
        users.push(loan_paid_from(a, "1234").await);
    }

    let seen = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let stop = started + LOAD_FOR;
    let shared = Arc::new(gateways.iter().map(TestApp::clone_handle).collect::<Vec<_>>());
    let load: Vec<_> = users
        .iter()
        .map(|user| {
            tokio::spawn(user_load(
                shared.clone(),
                user.clone(),
                product.clone(),
                started,
                stop,
                seen.clone(),
            ))
        })
        .collect();
    let mut kills = Vec::new();
    for service in SERVICES {
        tokio::time::sleep_until((started + KILL_EVERY * (kills.len() as u32 + 1)).into()).await;
        processes.kill(&format!("{service}-0"));
        kills.push((service, started.elapsed()));
    }
    for task in load {
        task.await.unwrap();
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());

    // Errors by the kill they followed, and how long after it the last one came.
    let since_kill = |at: Duration| {
        kills
            .iter()
            .rev()
            .find(|(_, k)| *k <= at)
            .map(|(s, k)| (*s, at - *k))
    };
    let mut report = Vec::new();
    let mut late_reads = Vec::new();
    for (service, _) in std::iter::once(("before any kill", Duration::ZERO)).chain(kills.iter().copied()) {
        let after: Vec<&Seen> = seen
            .iter()
            .filter(|s| since_kill(s.at).map_or("before any kill", |(k, _)| k) == service)
            .collect();
        let failed = |kind: Kind| after.iter().filter(|s| s.kind == kind && !succeeded(s)).count();
        let recovered = after
            .iter()
            .filter(|s| !succeeded(s))
            .filter_map(|s| since_kill(s.at).map(|(_, d)| d))
            .max();
        let mut what: Vec<String> = after
            .iter()
            .filter(|s| !succeeded(s))
            .map(|s| format!("{} {}", s.path, s.code))
            .collect();
        what.sort();
        what.dedup();
        report.push(format!(
            "{service}: {} calls, {} read errors, {} write errors, last error {:?} after the kill {what:?}",
            after.len(),
            failed(Kind::Read),
            failed(Kind::Write),
            recovered
        ));
    }
    for s in &seen {
        let allowed = match since_kill(s.at) {
            Some((_, after)) => after <= READ_GRACE,
            None => false,
        };
        if s.kind == Kind::Read && !succeeded(s) && !allowed {
            late_reads.push(s);
        }
        if s.kind == Kind::Write {
            assert!(
                succeeded(s) || s.code == "99990005" || s.code == "20006005",
                "a write completes or answers 99990005: {s:?}"
            );
        }
    }
    eprintln!(
        "replicas: {} calls in {:?}; product on the other gateway after {product_seen_after:?}\n{}",
        seen.len(),
        LOAD_FOR,
        report.join("\n")
    );
    assert!(
        late_reads.is_empty(),
        "reads failed more than {READ_GRACE:?} after a kill: {late_reads:?}"
    );

    // Nothing half-done: every period is paid (a repayment cut short is settled by recovery, or
    // made again now) once; each event reached its customer once.
    for (mobile, token, period) in &users {
        let settled = within(Duration::from_secs(30), || async {
            let list = b
                .call_as(token, "/appCommonApi/getRepayInfoList", json!({}))
                .await;
            list["resultSet"][0]["repayStatus"] != "2"
        })
        .await;
        assert!(settled, "{mobile}: a repayment in flight is settled by recovery");
        let list = b
            .call_as(token, "/appCommonApi/getRepayInfoList", json!({}))
            .await;
        if list["resultSet"][0]["repayStatus"] == "0" {
            let again = b
                .call_as(
                    token,
                    "/appCommonApi/gotoRepayment",
                    json!({"id": period, "repayType": "current"}),
                )
                .await;
            assert_eq!(again["responseCode"], "0000", "{mobile}: {again}");
        }
        // A relay lease held by a killed replica runs out after 30 s.
        let told_once = within(Duration::from_secs(45), || async {
            messages_of_type(b, token, "16").await >= 1
        })
        .await;
        assert!(told_once, "{mobile}: the repayment's message arrives");
        assert_eq!(messages_of_type(b, token, "16").await, 1, "{mobile}: told once");
        let applications = b
            .call_as(token, "/appCommonApi/getLoanApplyInfoList", json!({}))
            .await["resultSet"]
            .as_array()
            .unwrap()
            .len();
        let all_told = within(Duration::from_secs(45), || async {
            messages_of_type(b, token, "11").await >= applications
        })
        .await;
        assert!(all_told, "{mobile}: each application's message arrives");
        assert_eq!(
            messages_of_type(b, token, "11").await,
            applications,
            "{mobile}: one message per application, none without one"
        );
    }
    let repayments =
        a.loan_database_integer("SELECT COUNT(*) AS value FROM ledger_entries WHERE kind = 'repayment'");
    assert_eq!(repayments, USERS as i64, "each period booked once");
    let charged: Vec<_> = channel
        .orders()
        .into_iter()
        .filter(|(no, _)| no.starts_with("RO"))
        .collect();
    assert_eq!(
        charged.len(),
        USERS,
        "the channel moved each user's money once: {charged:?}"
    );
    crate::payments::assert_books_balance(a).await;
    drop(processes);
    channel.stop().await;
}

/// A call that did what it was asked: `0000`, or a business answer (never an outage).
fn succeeded(seen: &Seen) -> bool {
    match seen.kind {
        Kind::Read => seen.code == "0000",
        Kind::Write => {
            !matches!(seen.code.as_str(), "99990005" | "99999999" | "transport")
                && !seen.code.starts_with("http")
        }
    }
}
