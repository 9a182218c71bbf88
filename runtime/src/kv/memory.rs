//! The embedded store: the one-command local stack's Redis.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// The embedded store: maps behind mutexes, each entry with an optional deadline. Expired entries
/// read as absent and are swept out now and then, like mini-redis's `db.rs` but without a task.
///
/// Keys are spread over `SHARDS` maps, each with its own lock. A hash map grows by rehashing every
/// key at once: one map of the replay guard's ~460,000 keys took 157 ms to grow (measured), and
/// every request waited for it. A shard grows a thirty-second of that at a time, and only the
/// keys in that shard wait.
#[derive(Clone)]
pub(super) struct MemoryKv {
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
        shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn get(&self, key: &str) -> Option<String> {
        let now = Instant::now();
        let state = self.lock(key);
        state
            .entries
            .get(key)
            .filter(|e| e.live(now))
            .map(|e| e.value.clone())
    }

    pub(super) fn set(&self, key: String, value: String, ttl: Option<Duration>) {
        let now = Instant::now();
        let mut state = self.lock(&key);
        state.insert(key, value, ttl.map(|t| now + t), now);
    }

    pub(super) fn set_nx(&self, key: String, value: String, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut state = self.lock(&key);
        if state.entries.get(&key).is_some_and(|e| e.live(now)) {
            return false;
        }
        state.insert(key, value, Some(now + ttl), now);
        true
    }

    pub(super) fn incr(&self, key: String, ttl: Option<Duration>) -> i64 {
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

    pub(super) fn remove(&self, key: &str) -> Option<String> {
        let now = Instant::now();
        let mut state = self.lock(key);
        state.entries.remove(key).filter(|e| e.live(now)).map(|e| e.value)
    }

    pub(super) fn get_ex(&self, key: &str, ttl: Duration) -> Option<String> {
        let now = Instant::now();
        let mut state = self.lock(key);
        let entry = state.entries.get_mut(key).filter(|e| e.live(now))?;
        entry.expires_at = Some(now + ttl);
        Some(entry.value.clone())
    }

    pub(super) fn get_ex_with_companion(
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

    pub(super) fn expire(&self, key: &str, ttl: Duration) -> bool {
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
