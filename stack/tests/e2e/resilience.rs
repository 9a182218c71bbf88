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

/// A TCP proxy the test can cut: while cut, open connections are dropped and new ones refused.
struct CuttableProxy {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl CuttableProxy {
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let (accept_open, accept_cut) = (open.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !accept_open.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let mut cut = accept_cut.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { addr, open, cut }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_is_99990005_and_the_stack_recovers() {
    let Some(redis) = test_redis() else {
        eprintln!("TEST_REDIS is not set: the Redis outage test runs in CI");
        return;
    };
    let url: reqwest::Url = redis.parse().unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(6379));
    let target: SocketAddr = tokio::net::lookup_host(target).await.unwrap().next().unwrap();
    let proxy = CuttableProxy::start(target).await;
    let db = url.path().trim_start_matches('/');
    let proxied = format!("redis://{}/{}", proxy.addr, if db.is_empty() { "0" } else { db });
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
