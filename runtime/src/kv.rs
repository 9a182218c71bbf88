//! The key-value store for short-lived state: captcha and SMS codes, flow marks, sessions, counters,
//! the replay guard. Two implementations with the same atomic operations: Redis, and an embedded
//! in-process map with per-key expiry for the one-command local stack.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use tokio::time::Instant;

/// Every store failure looks the same to callers: the dependency is unavailable right now.
#[derive(Debug, thiserror::Error)]
#[error("key-value store unavailable: {0}")]
pub struct KvError(String);

pub type KvResult<T> = Result<T, KvError>;

/// A handle to the store; cheap to clone. Every key is prefixed with the namespace, so several
/// stacks (or test runs) can share one Redis without seeing each other's keys.
#[derive(Clone)]
pub struct Kv {
    backend: Backend,
    namespace: Arc<str>,
}

#[derive(Clone)]
enum Backend {
    Redis(RedisKv),
    Memory(MemoryKv),
}

impl Kv {
    /// The embedded store.
    pub fn memory() -> Self {
        Self {
            backend: Backend::Memory(MemoryKv::default()),
            namespace: Arc::from(""),
        }
    }

    /// A Redis store at `url` (`redis://host:port/db`). The connection is made lazily and
    /// re-made after failures, so a service starts and recovers while Redis is away.
    pub fn redis(url: &str) -> KvResult<Self> {
        Ok(Self {
            backend: Backend::Redis(RedisKv::new(url)?),
            namespace: Arc::from(""),
        })
    }

    /// Redis when a URL is given, otherwise the embedded store.
    pub fn from_url(url: Option<&str>) -> KvResult<Self> {
        match url {
            Some(url) if !url.is_empty() => Self::redis(url),
            _ => Ok(Self::memory()),
        }
    }

    /// The same store with every key under `namespace`.
    pub fn with_namespace(mut self, namespace: &str) -> Self {
        self.namespace = Arc::from(namespace);
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.namespace, key)
    }

    pub async fn get(&self, key: &str) -> KvResult<Option<String>> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.run("GET", |mut c| async move { c.get(key).await }).await,
            Backend::Memory(m) => Ok(m.get(&key)),
        }
    }

    /// `SET key value PX ttl`.
    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> KvResult<()> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => {
                let ms = ttl_ms(ttl);
                r.run("SET", |mut c| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("PX")
                        .arg(ms)
                        .query_async(&mut c)
                        .await
                })
                .await
            }
            Backend::Memory(m) => {
                m.set(key, value.to_owned(), Some(ttl));
                Ok(())
            }
        }
    }

    /// `SET key value NX PX ttl`: true when this call created the key.
    pub async fn set_nx_ex(&self, key: &str, value: &str, ttl: Duration) -> KvResult<bool> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => {
                let ms = ttl_ms(ttl);
                let reply: Option<String> = r
                    .run("SET", |mut c| async move {
                        redis::cmd("SET")
                            .arg(key)
                            .arg(value)
                            .arg("NX")
                            .arg("PX")
                            .arg(ms)
                            .query_async(&mut c)
                            .await
                    })
                    .await?;
                Ok(reply.is_some())
            }
            Backend::Memory(m) => Ok(m.set_nx(key, value.to_owned(), ttl)),
        }
    }

    /// Increments a counter; a counter created by this call expires after `ttl` (a fixed window).
    pub async fn incr_ex(&self, key: &str, ttl: Duration) -> KvResult<i64> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => {
                let ms = ttl_ms(ttl);
                let (count,): (i64,) = r
                    .run("INCR", |mut c| async move {
                        redis::pipe()
                            .atomic()
                            .incr(&key, 1)
                            .cmd("PEXPIRE")
                            .arg(&key)
                            .arg(ms)
                            .arg("NX")
                            .ignore()
                            .query_async(&mut c)
                            .await
                    })
                    .await?;
                Ok(count)
            }
            Backend::Memory(m) => Ok(m.incr(key, Some(ttl))),
        }
    }

    /// Increments a counter that never expires.
    pub async fn incr(&self, key: &str) -> KvResult<i64> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.run("INCR", |mut c| async move { c.incr(key, 1).await }).await,
            Backend::Memory(m) => Ok(m.incr(key, None)),
        }
    }

    /// Reads a key and gives it a new time to live, in one round trip (`GETEX key PX ttl`): a
    /// sliding expiry at the cost of a plain read.
    pub async fn get_ex(&self, key: &str, ttl: Duration) -> KvResult<Option<String>> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => {
                let ms = ttl_ms(ttl);
                r.run("GETEX", |mut c| async move {
                    redis::cmd("GETEX")
                        .arg(key)
                        .arg("PX")
                        .arg(ms)
                        .query_async(&mut c)
                        .await
                })
                .await
            }
            Backend::Memory(m) => Ok(m.get_ex(&key, ttl)),
        }
    }

    /// `get_ex`, and in the same round trip the value of the key `companion_prefix` + the first
    /// space-separated word of what was read: a record and the key it is checked against (a
    /// session and its user's session epoch) in one trip instead of two dependent ones.
    pub async fn get_ex_with_companion(
        &self,
        key: &str,
        ttl: Duration,
        companion_prefix: &str,
    ) -> KvResult<Option<(String, Option<String>)>> {
        let key = self.key(key);
        let prefix = self.key(companion_prefix);
        match &self.backend {
            Backend::Redis(r) => {
                let ms = ttl_ms(ttl);
                // GET of a missing key is `false` in Lua, so the table keeps both slots.
                const SCRIPT: &str = "local v = redis.call('GETEX', KEYS[1], 'PX', ARGV[1]) \
                    if not v then return false end \
                    return {v, redis.call('GET', ARGV[2] .. string.match(v, '^[^ ]*'))}";
                let reply: Option<(String, Option<String>)> = r
                    .run("GETEX+GET", |mut c| async move {
                        redis::cmd("EVAL")
                            .arg(SCRIPT)
                            .arg(1)
                            .arg(key)
                            .arg(ms)
                            .arg(prefix)
                            .query_async(&mut c)
                            .await
                    })
                    .await?;
                Ok(reply)
            }
            Backend::Memory(m) => Ok(m.get_ex_with_companion(&key, ttl, &prefix)),
        }
    }

    /// Removes the key and returns what it held, in one step: of concurrent callers only one gets
    /// the value.
    pub async fn get_del(&self, key: &str) -> KvResult<Option<String>> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.run("GETDEL", |mut c| async move { c.get_del(key).await }).await,
            Backend::Memory(m) => Ok(m.remove(&key)),
        }
    }

    /// True when the key existed.
    pub async fn del(&self, key: &str) -> KvResult<bool> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => {
                let n: i64 = r.run("DEL", |mut c| async move { c.del(key).await }).await?;
                Ok(n > 0)
            }
            Backend::Memory(m) => Ok(m.remove(&key).is_some()),
        }
    }

    /// Sets a new time to live on an existing key; false when there is no such key.
    pub async fn expire(&self, key: &str, ttl: Duration) -> KvResult<bool> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => {
                let ms = ttl_ms(ttl) as i64;
                r.run("PEXPIRE", |mut c| async move { c.pexpire(key, ms).await })
                    .await
            }
            Backend::Memory(m) => Ok(m.expire(&key, ttl)),
        }
    }

    /// Whether the store answers now.
    pub async fn ping(&self) -> KvResult<()> {
        match &self.backend {
            Backend::Redis(r) => {
                r.run("PING", |mut c| async move {
                    redis::cmd("PING").query_async::<String>(&mut c).await
                })
                .await?;
                Ok(())
            }
            Backend::Memory(_) => Ok(()),
        }
    }
}

fn ttl_ms(ttl: Duration) -> u64 {
    (ttl.as_millis() as u64).max(1)
}

/// Redis through a reconnecting connection manager; every command has a deadline so a stalled
/// server becomes an error instead of a hung request.
#[derive(Clone)]
struct RedisKv {
    conn: ConnectionManager,
}

const REDIS_DEADLINE: Duration = Duration::from_millis(1500);

impl RedisKv {
    fn new(url: &str) -> KvResult<Self> {
        let client = redis::Client::open(url).map_err(|e| KvError(e.to_string()))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = client
            .get_connection_manager_lazy(config)
            .map_err(|e| KvError(e.to_string()))?;
        Ok(Self { conn })
    }

    /// Runs one command (named for its span) under the deadline.
    async fn run<T, F, Fut>(&self, command: &'static str, op: F) -> KvResult<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        use tracing::Instrument;
        let span = crate::span!(
            "redis",
            otel.name = command,
            otel.kind = "client",
            db.system = "redis"
        );
        let deadline = tokio::time::timeout(REDIS_DEADLINE * 2, op(self.conn.clone()));
        match deadline.instrument(span).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(KvError(e.to_string())),
            Err(_) => Err(KvError("deadline exceeded".into())),
        }
    }
}

/// The embedded store: maps behind mutexes, each entry with an optional deadline. Expired entries
/// read as absent and are swept out now and then, like mini-redis's `db.rs` but without a task.
///
/// Keys are spread over `SHARDS` maps, each with its own lock. A hash map grows by rehashing every
/// key at once: one map of the replay guard's ~460,000 keys took 157 ms to grow (measured), and
/// every request waited for it. A shard grows a thirty-second of that at a time, and only the
/// keys in that shard wait.
#[derive(Clone)]
struct MemoryKv {
    shards: Arc<[Mutex<MemoryState>]>,
    hasher: std::collections::hash_map::RandomState,
}

const SHARDS: usize = 32;

impl Default for MemoryKv {
    fn default() -> Self {
        Self::with_shards(SHARDS)
    }
}

#[derive(Default)]
struct MemoryState {
    entries: HashMap<String, Entry>,
    writes_since_sweep: usize,
}

struct Entry {
    value: String,
    expires_at: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// A sweep runs after this many writes, or after half as many writes as there are entries when
/// that is more: the cost of a sweep grows with the map, so they get rarer as it grows and each
/// write pays a constant share. (A sweep every 1,024 writes held the lock for milliseconds at a
/// time once the replay guard had a few hundred thousand keys.) An index of deadlines would keep
/// the map exact but cost about 100 bytes more per key, and the replay guard keeps a key for
/// every request of the last ten minutes.
const SWEEP_AT_LEAST_EVERY: usize = 1024;

impl MemoryKv {
    fn with_shards(count: usize) -> Self {
        Self {
            shards: (0..count.max(1)).map(|_| Mutex::default()).collect(),
            hasher: Default::default(),
        }
    }

    /// The shard that holds `key`, locked.
    fn lock(&self, key: &str) -> std::sync::MutexGuard<'_, MemoryState> {
        use std::hash::BuildHasher;
        let shard = &self.shards[self.hasher.hash_one(key) as usize % self.shards.len()];
        // A panic while holding the lock cannot leave an entry half-written; keep serving.
        shard.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, key: &str) -> Option<String> {
        let now = Instant::now();
        let state = self.lock(key);
        state
            .entries
            .get(key)
            .filter(|e| e.live(now))
            .map(|e| e.value.clone())
    }

    fn set(&self, key: String, value: String, ttl: Option<Duration>) {
        let now = Instant::now();
        let mut state = self.lock(&key);
        state.insert(key, value, ttl.map(|t| now + t), now);
    }

    fn set_nx(&self, key: String, value: String, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut state = self.lock(&key);
        if state.entries.get(&key).is_some_and(|e| e.live(now)) {
            return false;
        }
        state.insert(key, value, Some(now + ttl), now);
        true
    }

    fn incr(&self, key: String, ttl: Option<Duration>) -> i64 {
        let now = Instant::now();
        let mut state = self.lock(&key);
        match state.entries.get_mut(&key).filter(|e| e.live(now)) {
            Some(entry) => {
                let next = entry.value.parse::<i64>().unwrap_or(0) + 1;
                entry.value = next.to_string();
                next
            }
            None => {
                state.insert(key, "1".into(), ttl.map(|t| now + t), now);
                1
            }
        }
    }

    fn remove(&self, key: &str) -> Option<String> {
        let now = Instant::now();
        let mut state = self.lock(key);
        state.entries.remove(key).filter(|e| e.live(now)).map(|e| e.value)
    }

    fn get_ex(&self, key: &str, ttl: Duration) -> Option<String> {
        let now = Instant::now();
        let mut state = self.lock(key);
        let entry = state.entries.get_mut(key).filter(|e| e.live(now))?;
        entry.expires_at = Some(now + ttl);
        Some(entry.value.clone())
    }

    fn get_ex_with_companion(
        &self,
        key: &str,
        ttl: Duration,
        prefix: &str,
    ) -> Option<(String, Option<String>)> {
        let value = self.get_ex(key, ttl)?;
        // Two shards, one after the other: a concurrent change of the companion lands before or
        // after this read, as it would against a single lock.
        let word = value.split(' ').next().unwrap_or_default();
        let companion = self.get(&format!("{prefix}{word}"));
        Some((value, companion))
    }

    fn expire(&self, key: &str, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut state = self.lock(key);
        match state.entries.get_mut(key).filter(|e| e.live(now)) {
            Some(entry) => {
                entry.expires_at = Some(now + ttl);
                true
            }
            None => false,
        }
    }
}

impl MemoryState {
    fn insert(&mut self, key: String, value: String, expires_at: Option<Instant>, now: Instant) {
        self.entries.insert(key, Entry { value, expires_at });
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= SWEEP_AT_LEAST_EVERY.max(self.entries.len() / 2) {
            self.writes_since_sweep = 0;
            self.entries.retain(|_, e| e.live(now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sweeps_drop_expired_entries_and_grow_rarer_with_the_map() {
        let kv = MemoryKv::with_shards(1);
        let size = || kv.lock("any").entries.len();
        kv.set("kept".into(), "v".into(), None);
        kv.set("slid".into(), "v".into(), Some(Duration::from_millis(20)));
        assert!(kv.get_ex("slid", Duration::from_secs(60)).is_some());
        for i in 0..3000 {
            kv.set(format!("gone{i}"), "v".into(), Some(Duration::from_millis(500)));
        }
        // Sweeps ran at 1,024 and 2,048 writes, when nothing had expired yet.
        assert_eq!(size(), 3002);
        tokio::time::sleep(Duration::from_millis(600)).await;
        // The next sweep waits until the writes since the last reach half the map (~2,048).
        for i in 0..1000 {
            kv.set(format!("new{i}"), "v".into(), Some(Duration::from_secs(60)));
        }
        assert_eq!(size(), 4002, "not yet");
        for i in 1000..1600 {
            kv.set(format!("new{i}"), "v".into(), Some(Duration::from_secs(60)));
        }
        assert!(size() < 1700, "swept: {}", size());
        assert_eq!(kv.get("kept").as_deref(), Some("v"));
        assert_eq!(kv.get("slid").as_deref(), Some("v"), "the slide kept it");
    }

    #[test]
    fn keys_spread_over_the_shards() {
        let kv = MemoryKv::default();
        for i in 0..1000 {
            kv.set(format!("k{i}"), i.to_string(), None);
        }
        let used = kv
            .shards
            .iter()
            .filter(|s| !s.lock().unwrap().entries.is_empty())
            .count();
        assert!(used > SHARDS / 2, "{used} of {SHARDS} shards used");
        assert!((0..1000).all(|i| kv.get(&format!("k{i}")) == Some(i.to_string())));
    }
}
