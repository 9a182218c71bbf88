//! The store on Redis, one method per command the interface needs: one server, or a Redis Cluster.
//!
//! On a cluster every command names one key, or keys of one slot. The one read of two keys, a
//! session and its user's epoch, cannot share a slot: the token is 128 random bits with nothing of
//! the user in it (API.md §4), so there it is two reads instead of one script.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::AsyncCommands;

use super::{KvError, KvResult};

/// Redis through a reconnecting connection (a manager for one server, the cluster client's own
/// for a cluster); every command has a deadline so a stalled server becomes an error instead of a
/// hung request.
#[derive(Clone)]
pub(super) struct RedisKv {
    target: Target,
}

#[derive(Clone)]
enum Target {
    Server(ConnectionManager),
    /// Connected at first use, so a service starts while the cluster is away; a failed connect
    /// is tried again by the next command.
    Cluster(Arc<(ClusterClient, tokio::sync::OnceCell<ClusterConnection>)>),
}

/// Either connection, for the commands that do not care which.
#[derive(Clone)]
pub(super) enum Connection {
    Server(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a redis::Cmd) -> redis::RedisFuture<'a, redis::Value> {
        match self {
            Self::Server(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        match self {
            Self::Server(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Server(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}

/// The scheme of a cluster's address: `redis-cluster://host:port[,host:port…]`, any of its nodes.
pub(super) const CLUSTER_SCHEME: &str = "redis-cluster://";

const REDIS_DEADLINE: Duration = Duration::from_millis(1500);

fn ttl_ms(ttl: Duration) -> u64 {
    (ttl.as_millis() as u64).max(1)
}

impl RedisKv {
    pub(super) fn new(url: &str) -> KvResult<Self> {
        if let Some(nodes) = url.strip_prefix(CLUSTER_SCHEME) {
            return Self::cluster(nodes);
        }
        let client = redis::Client::open(url).map_err(|e| KvError(e.to_string()))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = client
            .get_connection_manager_lazy(config)
            .map_err(|e| KvError(e.to_string()))?;
        Ok(Self {
            target: Target::Server(conn),
        })
    }

    fn cluster(nodes: &str) -> KvResult<Self> {
        let nodes: Vec<String> = nodes
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| format!("redis://{n}"))
            .collect();
        if nodes.is_empty() {
            return Err(KvError("a cluster address names at least one node".into()));
        }
        let client = ClusterClient::builder(nodes)
            .connection_timeout(Duration::from_secs(1))
            .response_timeout(REDIS_DEADLINE)
            .retries(2)
            .build()
            .map_err(|e| KvError(e.to_string()))?;
        Ok(Self {
            target: Target::Cluster(Arc::new((client, tokio::sync::OnceCell::new()))),
        })
    }

    async fn connection(&self) -> redis::RedisResult<Connection> {
        Ok(match &self.target {
            Target::Server(c) => Connection::Server(c.clone()),
            Target::Cluster(cluster) => {
                let (client, conn) = &**cluster;
                Connection::Cluster(
                    conn.get_or_try_init(|| client.get_async_connection())
                        .await?
                        .clone(),
                )
            }
        })
    }

    /// Runs one command (named for its span) under the deadline.
    async fn run<T, F, Fut>(&self, command: &'static str, op: F) -> KvResult<T>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        use tracing::Instrument;
        let span = crate::span!(
            "redis",
            otel.name = command,
            otel.kind = "client",
            db.system = "redis"
        );
        let command = async move { op(self.connection().await?).await };
        let deadline = tokio::time::timeout(REDIS_DEADLINE * 2, command);
        match deadline.instrument(span).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(KvError(e.to_string())),
            Err(_) => Err(KvError("deadline exceeded".into())),
        }
    }

    pub(super) async fn get(&self, key: String) -> KvResult<Option<String>> {
        self.run("GET", |mut c| async move { c.get(key).await }).await
    }

    pub(super) async fn set_ex(&self, key: String, value: &str, ttl: Duration) -> KvResult<()> {
        let ms = ttl_ms(ttl);
        self.run("SET", |mut c| async move {
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

    pub(super) async fn set_nx_ex(&self, key: String, value: &str, ttl: Duration) -> KvResult<bool> {
        let ms = ttl_ms(ttl);
        let reply: Option<String> = self
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

    /// INCR, and PEXPIRE NX in the same transaction: only the call that creates the counter sets
    /// its window.
    pub(super) async fn incr_ex(&self, key: String, ttl: Duration) -> KvResult<i64> {
        let ms = ttl_ms(ttl);
        let (count,): (i64,) = self
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

    pub(super) async fn incr(&self, key: String) -> KvResult<i64> {
        self.run("INCR", |mut c| async move { c.incr(key, 1).await })
            .await
    }

    pub(super) async fn get_ex(&self, key: String, ttl: Duration) -> KvResult<Option<String>> {
        let ms = ttl_ms(ttl);
        self.run("GETEX", |mut c| async move {
            redis::cmd("GETEX")
                .arg(key)
                .arg("PX")
                .arg(ms)
                .query_async(&mut c)
                .await
        })
        .await
    }

    pub(super) async fn get_ex_with_companion(
        &self,
        key: String,
        ttl: Duration,
        prefix: String,
    ) -> KvResult<Option<(String, Option<String>)>> {
        let ms = ttl_ms(ttl);
        if let Target::Cluster(_) = self.target {
            let Some(value) = self.get_ex(key, ttl).await? else {
                return Ok(None);
            };
            let companion = format!("{prefix}{}", value.split(' ').next().unwrap_or(""));
            let current = self.get(companion).await?;
            return Ok(Some((value, current)));
        }
        // GET of a missing key is `false` in Lua, so the table keeps both slots.
        const SCRIPT: &str = "local v = redis.call('GETEX', KEYS[1], 'PX', ARGV[1]) \
            if not v then return false end \
            return {v, redis.call('GET', ARGV[2] .. string.match(v, '^[^ ]*'))}";
        self.run("GETEX+GET", |mut c| async move {
            redis::cmd("EVAL")
                .arg(SCRIPT)
                .arg(1)
                .arg(key)
                .arg(ms)
                .arg(prefix)
                .query_async(&mut c)
                .await
        })
        .await
    }

    pub(super) async fn get_del(&self, key: String) -> KvResult<Option<String>> {
        self.run("GETDEL", |mut c| async move { c.get_del(key).await })
            .await
    }

    pub(super) async fn del(&self, key: String) -> KvResult<bool> {
        let n: i64 = self.run("DEL", |mut c| async move { c.del(key).await }).await?;
        Ok(n > 0)
    }

    pub(super) async fn expire(&self, key: String, ttl: Duration) -> KvResult<bool> {
        let ms = ttl_ms(ttl) as i64;
        self.run("PEXPIRE", |mut c| async move { c.pexpire(key, ms).await })
            .await
    }

    pub(super) async fn ping(&self) -> KvResult<()> {
        self.run("PING", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await?;
        Ok(())
    }
}
