//! Dependencies going away: a stopped service or an unreachable Redis is `99990005`, never a
//! panic, and the stack recovers when the dependency returns.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::e2e;
use crate::harness::{random_mobile, test_redis, Backend, TestApp};

e2e!(a_stopped_service_is_99990005_and_not_ready(app) {
    let stack = app.stack.as_mut().unwrap();
    stack.stop_service("message-service").await;
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.text().await.unwrap().contains("message-service unavailable"));
    // auth-service still answers, but the SMS it needs cannot be sent.
    assert_eq!(app.send_code("/openApi/getSmsCode", &random_mobile()).await["responseCode"], "99990005");
    let version = app.call("/appApi/appVersionDetection", json!({"appType": "1"})).await;
    assert_eq!(version["responseCode"], "99990005");
    app.stack.as_mut().unwrap().stop_service("auth-service").await;
    assert_eq!(app.call("/openApi/getCode", json!({})).await["responseCode"], "99990005");
    assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status(), 200, "the gateway itself is up");
});

/// A TCP proxy the test can cut (open connections dropped, new ones refused) or stall (nothing
/// forwarded any more, connections held open: a dependency that is up but does not answer).
pub(crate) struct CuttableProxy {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    stalled: watch::Sender<bool>,
}

impl CuttableProxy {
    pub(crate) async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let (stalled, _) = watch::channel(false);
        let (accept_open, accept_cut, accept_stalled) = (open.clone(), cut.clone(), stalled.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !accept_open.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let mut cut = accept_cut.subscribe();
                let mut stall = accept_stalled.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                        _ = async { stall.wait_for(|s| *s).await.map(|_| ()) } => {
                            // Keep both sockets, forward nothing, until cut.
                            let _ = cut.changed().await;
                        }
                    }
                });
            }
        });
        Self {
            addr,
            open,
            cut,
            stalled,
        }
    }

    /// A proxy in front of `TEST_POSTGRES`, and the server URL that goes through it.
    pub(crate) async fn for_test_postgres() -> Option<(Self, String)> {
        let server = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty())?;
        let url: reqwest::Url = server.parse().unwrap();
        let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
        let target: SocketAddr = tokio::net::lookup_host(target).await.unwrap().next().unwrap();
        let proxy = Self::start(target).await;
        let user = if url.username().is_empty() {
            "postgres"
        } else {
            url.username()
        };
        let proxied = format!("postgres://{user}@{}", proxy.addr);
        Some((proxy, proxied))
    }

    /// A proxy in front of `TEST_REDIS`, and the Redis URL that goes through it.
    async fn for_test_redis() -> Option<(Self, String)> {
        let redis = test_redis()?;
        let url: reqwest::Url = redis.parse().unwrap();
        let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(6379));
        let target: SocketAddr = tokio::net::lookup_host(target).await.unwrap().next().unwrap();
        let proxy = Self::start(target).await;
        let db = url.path().trim_start_matches('/');
        let proxied = format!("redis://{}/{}", proxy.addr, if db.is_empty() { "0" } else { db });
        Some((proxy, proxied))
    }

    pub(crate) fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    /// From now on nothing is forwarded, on open connections and new ones alike.
    fn stall(&self) {
        self.stalled.send_replace(true);
    }

    pub(crate) fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_is_99990005_and_the_stack_recovers() {
    let Some((proxy, proxied)) = CuttableProxy::for_test_redis().await else {
        eprintln!("TEST_REDIS is not set: the Redis outage test runs in CI");
        return;
    };
    let backend = Backend::Real {
        postgres: std::env::var("TEST_POSTGRES").ok(),
        redis: Some(proxied),
    };
    let app = TestApp::spawn(&backend, |_| {}).await;

    let (mobile, token) = app.user().await;
    proxy.cut();
    for path in ["/openApi/getCode", "/openApi/getSmsCode"] {
        let reply = app.call(path, json!({"mobile": mobile, "code": "abcd"})).await;
        assert_eq!(reply["responseCode"], "99990005", "{path}");
    }
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);

    proxy.restore();
    let mut recovered = false;
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let reply = app.call("/openApi/getCode", json!({})).await;
        if reply["responseCode"] == "0000" {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "the stack recovers when Redis returns");
    assert!(app.session_valid(&token).await, "sessions survived the outage");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_does_not_answer_is_99990005() {
    let Some((proxy, proxied)) = CuttableProxy::for_test_redis().await else {
        eprintln!("TEST_REDIS is not set: the Redis stall test runs in CI");
        return;
    };
    let backend = Backend::Real {
        postgres: None,
        redis: Some(proxied),
    };
    let app = TestApp::spawn(&backend, |_| {}).await;
    assert_eq!(
        app.call("/openApi/getCode", json!({})).await["responseCode"],
        "0000"
    );
    proxy.stall();
    let started = std::time::Instant::now();
    assert_eq!(
        app.call("/openApi/getCode", json!({})).await["responseCode"],
        "99990005"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_does_not_answer_is_99990005_within_the_deadline() {
    let app = TestApp::spawn(&Backend::Embedded, |_| {}).await;
    let stack = app.stack.as_ref().unwrap();
    let auth = CuttableProxy::start(stack.service_addr("auth-service").unwrap()).await;
    let message = stack.service_addr("message-service").unwrap();
    // A second gateway whose way to auth-service goes through the proxy.
    let mut config = cashloan_stack::StackConfig::new("unused-admin-token".into())
        .unwrap()
        .gateway;
    config.auth_addr = format!("http://{}", auth.addr);
    config.message_addr = format!("http://{message}");
    config.call_deadline_ms = 500;
    config.workers = 1;
    config.service_key = stack.identities.key("gateway");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gateway = cashloan_gateway::start(config, cashloan_runtime::Kv::memory(), listener, None).unwrap();
    let url = format!("http://{}/openApi/getCode", gateway.api_addr);
    let call = || async {
        let body = crate::harness::sign_with(crate::harness::APP_KEY, json!({}));
        let reply = app
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        crate::harness::envelope(reply)["responseCode"].clone()
    };
    assert_eq!(call().await, "0000");
    auth.stall();
    let started = std::time::Instant::now();
    assert_eq!(call().await, "99990005");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "answered at the deadline, not later"
    );
    auth.cut();
    gateway.stop().await;
    app.stop().await;
}
