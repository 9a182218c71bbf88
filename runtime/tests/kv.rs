//! One suite for every key-value store: the embedded one always, Redis when `TEST_REDIS` is set,
//! a Redis Cluster when `TEST_REDIS_CLUSTER` is (`redis-cluster://host:port,…`, `.ci/redis-cluster`).

use std::time::Duration;

use cashloan_runtime::Kv;

/// The stores under test, each in a namespace of its own so runs never see each other's keys.
fn stores() -> Vec<(&'static str, Kv)> {
    let namespace = format!("test:{}:", rand::random::<u64>());
    let mut stores = vec![("memory", Kv::memory())];
    if let Ok(url) = std::env::var("TEST_REDIS") {
        stores.push((
            "redis",
            Kv::redis(&url)
                .expect("TEST_REDIS is a valid URL")
                .with_namespace(&namespace),
        ));
    }
    if let Some(url) = test_cluster() {
        stores.push((
            "redis cluster",
            Kv::redis(&url)
                .expect("TEST_REDIS_CLUSTER is a valid address")
                .with_namespace(&namespace),
        ));
    }
    stores
}

fn test_cluster() -> Option<String> {
    std::env::var("TEST_REDIS_CLUSTER").ok().filter(|v| !v.is_empty())
}

const SHORT: Duration = Duration::from_millis(300);

async fn after_expiry() {
    tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
}

#[tokio::test]
async fn values_expire_after_their_ttl() {
    for (name, kv) in stores() {
        kv.set_ex("k", "v", SHORT).await.unwrap();
        assert_eq!(kv.get("k").await.unwrap().as_deref(), Some("v"), "{name}");
        after_expiry().await;
        assert_eq!(kv.get("k").await.unwrap(), None, "{name}");
    }
}

#[tokio::test]
async fn set_nx_creates_only_once_until_expiry() {
    for (name, kv) in stores() {
        assert!(kv.set_nx_ex("nx", "a", SHORT).await.unwrap(), "{name}");
        assert!(!kv.set_nx_ex("nx", "b", SHORT).await.unwrap(), "{name}");
        assert_eq!(kv.get("nx").await.unwrap().as_deref(), Some("a"), "{name}");
        after_expiry().await;
        assert!(
            kv.set_nx_ex("nx", "c", SHORT).await.unwrap(),
            "{name}: free again after expiry"
        );
    }
}

#[tokio::test]
async fn counters_count_within_a_fixed_window() {
    for (name, kv) in stores() {
        assert_eq!(kv.incr_ex("c", SHORT).await.unwrap(), 1, "{name}");
        assert_eq!(kv.incr_ex("c", SHORT).await.unwrap(), 2, "{name}");
        // Later increments do not extend the window.
        tokio::time::sleep(SHORT / 2).await;
        assert_eq!(kv.incr_ex("c", SHORT).await.unwrap(), 3, "{name}");
        tokio::time::sleep(SHORT / 2 + Duration::from_millis(150)).await;
        assert_eq!(kv.incr_ex("c", SHORT).await.unwrap(), 1, "{name}: a new window");
        assert_eq!(kv.incr("forever").await.unwrap(), 1, "{name}");
        assert_eq!(kv.incr("forever").await.unwrap(), 2, "{name}");
    }
}

#[tokio::test]
async fn get_del_returns_the_value_once() {
    for (name, kv) in stores() {
        kv.set_ex("once", "v", Duration::from_secs(10)).await.unwrap();
        assert_eq!(kv.get_del("once").await.unwrap().as_deref(), Some("v"), "{name}");
        assert_eq!(kv.get_del("once").await.unwrap(), None, "{name}");
        assert_eq!(kv.get("once").await.unwrap(), None, "{name}");
    }
}

#[tokio::test]
async fn del_and_expire_touch_only_live_keys() {
    for (name, kv) in stores() {
        assert!(!kv.del("missing").await.unwrap(), "{name}");
        assert!(!kv.expire("missing", SHORT).await.unwrap(), "{name}");
        kv.set_ex("slide", "v", SHORT).await.unwrap();
        assert!(
            kv.expire("slide", Duration::from_secs(10)).await.unwrap(),
            "{name}"
        );
        after_expiry().await;
        assert_eq!(
            kv.get("slide").await.unwrap().as_deref(),
            Some("v"),
            "{name}: expiry was extended"
        );
        assert!(kv.del("slide").await.unwrap(), "{name}");
        assert_eq!(kv.get("slide").await.unwrap(), None, "{name}");
    }
}

#[tokio::test]
async fn get_ex_reads_and_slides_the_expiry() {
    for (name, kv) in stores() {
        assert_eq!(kv.get_ex("missing", SHORT).await.unwrap(), None, "{name}");
        assert_eq!(kv.get("missing").await.unwrap(), None, "{name}: not created");
        kv.set_ex("session", "v", SHORT).await.unwrap();
        assert_eq!(
            kv.get_ex("session", Duration::from_secs(10))
                .await
                .unwrap()
                .as_deref(),
            Some("v"),
            "{name}"
        );
        after_expiry().await;
        assert_eq!(
            kv.get("session").await.unwrap().as_deref(),
            Some("v"),
            "{name}: the read extended the expiry"
        );
        kv.set_ex("short", "v", Duration::from_secs(10)).await.unwrap();
        kv.get_ex("short", SHORT).await.unwrap();
        after_expiry().await;
        assert_eq!(kv.get("short").await.unwrap(), None, "{name}: and can shorten it");
    }
}

#[tokio::test]
async fn get_ex_with_companion_reads_the_key_named_by_the_first_word() {
    for (name, kv) in stores() {
        let read = |key: &'static str| {
            let kv = kv.clone();
            async move {
                kv.get_ex_with_companion(key, Duration::from_secs(10), "epoch:")
                    .await
                    .unwrap()
            }
        };
        assert_eq!(read("missing").await, None, "{name}");
        assert_eq!(kv.get("missing").await.unwrap(), None, "{name}: not created");

        kv.set_ex("s", "u-1 13800138000 0", SHORT).await.unwrap();
        assert_eq!(
            read("s").await,
            Some(("u-1 13800138000 0".to_owned(), None)),
            "{name}: no companion yet"
        );
        kv.incr("epoch:u-1").await.unwrap();
        kv.incr("epoch:u-2").await.unwrap();
        kv.incr("epoch:u-2").await.unwrap();
        assert_eq!(
            read("s").await,
            Some(("u-1 13800138000 0".to_owned(), Some("1".to_owned()))),
            "{name}: u-1's, not u-2's"
        );
        after_expiry().await;
        assert!(read("s").await.is_some(), "{name}: the read extended the expiry");

        kv.set_ex("single", "u-2", SHORT).await.unwrap();
        assert_eq!(
            read("single").await,
            Some(("u-2".to_owned(), Some("2".to_owned()))),
            "{name}: a one-word value names its companion too"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_see_atomic_operations() {
    for (name, kv) in stores() {
        kv.set_ex("prize", "v", Duration::from_secs(10)).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let kv = kv.clone();
            tasks.push(tokio::spawn(async move {
                let won_nx = kv.set_nx_ex("race", "x", Duration::from_secs(10)).await.unwrap();
                let got = kv.get_del("prize").await.unwrap().is_some();
                let count = kv.incr_ex("hits", Duration::from_secs(10)).await.unwrap();
                (won_nx, got, count)
            }));
        }
        let mut nx_winners = 0;
        let mut prize_winners = 0;
        let mut counts = Vec::new();
        for task in tasks {
            let (nx, got, count) = task.await.unwrap();
            nx_winners += usize::from(nx);
            prize_winners += usize::from(got);
            counts.push(count);
        }
        counts.sort();
        assert_eq!(nx_winners, 1, "{name}: exactly one SET NX wins");
        assert_eq!(prize_winners, 1, "{name}: exactly one GETDEL gets the value");
        assert_eq!(
            counts,
            (1..=50).collect::<Vec<_>>(),
            "{name}: every increment counted once"
        );
    }
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_and_not_a_hang() {
    // Port 1 on loopback refuses connections.
    let kv = Kv::redis("redis://127.0.0.1:1/0").unwrap();
    let started = std::time::Instant::now();
    assert!(kv.get("k").await.is_err());
    assert!(kv.ping().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn on_a_cluster_keys_spread_over_every_master() {
    let Some(url) = test_cluster() else { return };
    let kv = Kv::redis(&url)
        .unwrap()
        .with_namespace(&format!("spread:{}:", rand::random::<u64>()));
    for i in 0..60 {
        kv.set_ex(&format!("k{i}"), "v", Duration::from_secs(30))
            .await
            .unwrap();
    }
    let nodes: Vec<&str> = url.trim_start_matches("redis-cluster://").split(',').collect();
    assert!(nodes.len() >= 3, "the test cluster has three masters: {url}");
    for node in nodes {
        let mut conn = redis::Client::open(format!("redis://{node}"))
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let keys: i64 = redis::cmd("DBSIZE").query_async(&mut conn).await.unwrap();
        assert!(keys > 0, "{node} holds some of the keys");
    }
}

#[tokio::test]
async fn an_unreachable_cluster_is_an_error_and_not_a_hang() {
    let kv = Kv::redis("redis-cluster://127.0.0.1:1").unwrap();
    let started = std::time::Instant::now();
    assert!(kv.get("k").await.is_err());
    assert!(kv.ping().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(10));
}
