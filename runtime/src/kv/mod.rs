//! The key-value store for short-lived state: captcha and SMS codes, flow marks, sessions, counters,
//! the replay guard. One interface with two implementations of the same atomic operations: Redis
//! (`redis`), and an embedded in-process map with per-key expiry for the one-command local stack
//! (`memory`).

mod memory;
mod redis;

use std::sync::Arc;
use std::time::Duration;

use self::memory::MemoryKv;
use self::redis::RedisKv;

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
            Backend::Redis(r) => r.get(key).await,
            Backend::Memory(m) => Ok(m.get(&key)),
        }
    }

    /// `SET key value PX ttl`.
    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> KvResult<()> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.set_ex(key, value, ttl).await,
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
            Backend::Redis(r) => r.set_nx_ex(key, value, ttl).await,
            Backend::Memory(m) => Ok(m.set_nx(key, value.to_owned(), ttl)),
        }
    }

    /// Increments a counter; a counter created by this call expires after `ttl` (a fixed window).
    pub async fn incr_ex(&self, key: &str, ttl: Duration) -> KvResult<i64> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.incr_ex(key, ttl).await,
            Backend::Memory(m) => Ok(m.incr(key, Some(ttl))),
        }
    }

    /// Increments a counter that never expires.
    pub async fn incr(&self, key: &str) -> KvResult<i64> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.incr(key).await,
            Backend::Memory(m) => Ok(m.incr(key, None)),
        }
    }

    /// Reads a key and gives it a new time to live, in one round trip (`GETEX key PX ttl`): a
    /// sliding expiry at the cost of a plain read.
    pub async fn get_ex(&self, key: &str, ttl: Duration) -> KvResult<Option<String>> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.get_ex(key, ttl).await,
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
            Backend::Redis(r) => r.get_ex_with_companion(key, ttl, prefix).await,
            Backend::Memory(m) => Ok(m.get_ex_with_companion(&key, ttl, &prefix)),
        }
    }

    /// Removes the key and returns what it held, in one step: of concurrent callers only one gets
    /// the value.
    pub async fn get_del(&self, key: &str) -> KvResult<Option<String>> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.get_del(key).await,
            Backend::Memory(m) => Ok(m.remove(&key)),
        }
    }

    /// True when the key existed.
    pub async fn del(&self, key: &str) -> KvResult<bool> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.del(key).await,
            Backend::Memory(m) => Ok(m.remove(&key).is_some()),
        }
    }

    /// Sets a new time to live on an existing key; false when there is no such key.
    pub async fn expire(&self, key: &str, ttl: Duration) -> KvResult<bool> {
        let key = self.key(key);
        match &self.backend {
            Backend::Redis(r) => r.expire(key, ttl).await,
            Backend::Memory(m) => Ok(m.expire(&key, ttl)),
        }
    }

    /// Whether the store answers now.
    pub async fn ping(&self) -> KvResult<()> {
        match &self.backend {
            Backend::Redis(r) => r.ping().await,
            Backend::Memory(_) => Ok(()),
        }
    }
}
