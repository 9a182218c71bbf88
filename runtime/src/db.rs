//! Database set-up: one Diesel connection type over PostgreSQL and SQLite, picked by the URL's
//! scheme, an r2d2 pool, and each service's embedded migrations run at start.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<DbManager>;

/// The backend of [`DbConn`], for boxed queries a function returns.
pub type Backend = <DbConn as Connection>::Backend;

/// How long after its last use a pooled connection is handed out without a validation ping. A
/// connection in steady use is checked by the queries it runs; only one that sat idle (and may
/// have been cut by a database restart or a firewall) pays a round trip first. HikariCP uses the
/// same bypass window.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// A pooled connection and when it was last given back to the pool.
pub struct PooledConn {
    conn: DbConn,
    returned_at: Instant,
}

impl std::ops::Deref for PooledConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL scheme {0:?} (use postgres:// or sqlite://)")]
    UnknownScheme(String),
    #[error("database connection failed: {0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database task failed: {0}")]
    Task(String),
}

/// Where a service's database lives, as parsed from its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// `postgres://…` / `postgresql://…`, `sqlite://path`, or a plain path (SQLite). Any other
    /// scheme is refused, so a typo never silently becomes a SQLite file.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once(':') {
            // A one-letter "scheme" is a Windows drive; anything longer is a scheme we don't know.
            let looks_like_scheme = scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
            if looks_like_scheme {
                return Err(DbError::UnknownScheme(scheme.to_owned()));
            }
        }
        if url.is_empty() {
            return Err(DbError::UnknownScheme(String::new()));
        }
        Ok(Self::Sqlite(PathBuf::from(url)))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// The URL of database `name` on the PostgreSQL server at `server_url`
/// (`postgres://user@host:port`, any database path or query replaced / kept).
pub fn postgres_database_url(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server_url, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    format!("{}/{}{}", &base[..authority_end], name, query)
}

/// Creates database `name` on the server when it is missing (safe to race with another process).
pub fn ensure_postgres_database(server_url: &str, name: &str) -> Result<(), DbError> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbError::Connect(format!("unsafe database name {name:?}")));
    }
    let mut conn = PgConnection::establish(&postgres_database_url(server_url, "postgres"))
        .map_err(|e| DbError::Connect(e.to_string()))?;
    let exists = |conn: &mut PgConnection| -> Result<bool, DbError> {
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            #[allow(dead_code)]
            one: i32,
        }
        let rows: Vec<Found> = diesel::sql_query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(name)
            .load(conn)?;
        Ok(!rows.is_empty())
    };
    if exists(&mut conn)? {
        return Ok(());
    }
    if let Err(e) = conn.batch_execute(&format!("CREATE DATABASE \"{name}\"")) {
        // Another process may have created it in between.
        if !exists(&mut conn)? {
            return Err(DbError::Query(e));
        }
    }
    Ok(())
}

/// Drops a database (tests clean up after themselves); connections to it are terminated.
pub fn drop_postgres_database(server_url: &str, name: &str) -> Result<(), DbError> {
    let mut conn = PgConnection::establish(&postgres_database_url(server_url, "postgres"))
        .map_err(|e| DbError::Connect(e.to_string()))?;
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
    Ok(())
}

/// Opens connections of the variant the URL names (never guessing from what connects).
pub struct DbManager {
    url: DatabaseUrl,
}

impl ManageConnection for DbManager {
    type Connection = PooledConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledConn, r2d2::Error> {
        self.open().map(|conn| PooledConn {
            conn,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut PooledConn) -> Result<(), r2d2::Error> {
        if conn.returned_at.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.conn.ping().map_err(r2d2::Error::QueryError)
    }

    /// Called as the connection goes back to the pool: the moment its idle time starts.
    fn has_broken(&self, conn: &mut PooledConn) -> bool {
        conn.returned_at = Instant::now();
        conn.conn.is_broken()
    }
}

impl DbManager {
    fn open(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Connections a service process keeps to PostgreSQL at most, unless `DB_POOL_SIZE` says otherwise
/// (SCALING.md: this times the replicas is what the server must accept).
pub const DEFAULT_POOL_SIZE: u32 = 10;

/// Opens the pool for `url` (at most `pool_size` connections) and runs the service's migrations
/// for that backend.
///
/// SQLite gets one connection: it has one writer anyway, and this keeps write transactions from
/// ever meeting `SQLITE_BUSY`.
pub fn connect(
    url: &str,
    pool_size: u32,
    postgres: EmbeddedMigrations,
    sqlite: EmbeddedMigrations,
) -> Result<DbPool, DbError> {
    let url = DatabaseUrl::parse(url)?;
    if let DatabaseUrl::Sqlite(path) = &url {
        // SQLite gives the WAL and shared-memory files beside it the same mode.
        crate::private_file::touch(path).map_err(|e| DbError::Connect(format!("{}: {e}", path.display())))?;
    }
    let max_size = if url.is_postgres() { pool_size.max(1) } else { 1 };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(3))
        .build(DbManager { url })
        .map_err(|e| DbError::Connect(e.to_string()))?;
    let mut conn = pool.get().map_err(|e| DbError::Connect(e.to_string()))?;
    run_migrations(&mut conn, postgres, sqlite)?;
    Ok(pool)
}

/// `connect` on the blocking pool: opening a pool and migrating must not hold an async thread.
pub async fn open(
    url: &str,
    pool_size: u32,
    postgres: EmbeddedMigrations,
    sqlite: EmbeddedMigrations,
) -> Result<DbPool, DbError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || connect(&url, pool_size, postgres, sqlite))
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
}

fn run_migrations(
    conn: &mut DbConn,
    postgres: EmbeddedMigrations,
    sqlite: EmbeddedMigrations,
) -> Result<(), DbError> {
    let migrate = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migrate(e.to_string());
    match conn {
        DbConn::Pg(pg) => {
            // Replicas starting together must not run the same migration twice.
            const MIGRATION_LOCK: i64 = 0x6361_7368_6c6f_616e;
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = pg.run_pending_migrations(postgres).map(|_| ()).map_err(migrate);
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            result
        }
        DbConn::Sqlite(lite) => lite.run_pending_migrations(sqlite).map(|_| ()).map_err(migrate),
    }
}

/// Runs blocking Diesel work on the blocking pool with a pooled connection.
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, DbError> + Send + 'static,
{
    let pool = pool.clone();
    // The span covers waiting for a connection and the work; it is the caller's child.
    let span = crate::span!("db", otel.kind = "client");
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let mut conn = pool.get().map_err(|e| DbError::Connect(e.to_string()))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| DbError::Task(e.to_string()))?
}

/// Offset and limit of a 1-based page: page size 10 when unset (0), at most 100.
pub fn page_bounds(num: u32, size: u32) -> (i64, i64) {
    let size = i64::from(if size == 0 { 10 } else { size.min(100) });
    ((i64::from(num.max(1)) - 1) * size, size)
}

/// Whether the database answers now.
pub async fn ping(pool: &DbPool) -> Result<(), DbError> {
    run(pool, |conn| conn.ping().map_err(DbError::Query)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert!(DatabaseUrl::parse("postgres://u@h:5432/db")
            .unwrap()
            .is_postgres());
        assert!(DatabaseUrl::parse("postgresql://u@h/db").unwrap().is_postgres());
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/auth.db").unwrap(),
            DatabaseUrl::Sqlite("data/auth.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("./data/auth.db").unwrap(),
            DatabaseUrl::Sqlite("./data/auth.db".into())
        );
    }

    #[test]
    fn an_unknown_scheme_is_an_error_not_a_file() {
        assert!(matches!(
            DatabaseUrl::parse("postgress://h/db"),
            Err(DbError::UnknownScheme(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("mysql://h/db"),
            Err(DbError::UnknownScheme(_))
        ));
        assert!(matches!(DatabaseUrl::parse(""), Err(DbError::UnknownScheme(_))));
    }

    #[test]
    fn pages_have_a_default_size_and_a_cap() {
        assert_eq!(page_bounds(1, 0), (0, 10));
        assert_eq!(page_bounds(3, 20), (40, 20));
        assert_eq!(page_bounds(0, 500), (0, 100));
    }

    #[test]
    fn database_urls_are_derived_from_the_server_url() {
        assert_eq!(
            postgres_database_url("postgres://postgres@127.0.0.1:5432", "cashloan_auth"),
            "postgres://postgres@127.0.0.1:5432/cashloan_auth"
        );
        assert_eq!(
            postgres_database_url("postgres://p@h:5432/other?sslmode=disable", "x"),
            "postgres://p@h:5432/x?sslmode=disable"
        );
        assert_eq!(postgres_database_url("postgres://p@h/", "x"), "postgres://p@h/x");
    }

    /// The backend process id of a PostgreSQL connection.
    fn backend_pid(conn: &mut DbConn) -> i32 {
        #[derive(diesel::QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let rows: Vec<Pid> = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .load(conn)
            .unwrap();
        rows[0].pid
    }

    fn terminate(server: &str, pid: i32) {
        let mut admin = PgConnection::establish(&postgres_database_url(server, "postgres")).unwrap();
        admin
            .batch_execute(&format!("SELECT pg_terminate_backend({pid})"))
            .unwrap();
    }

    /// A connection cut while idle in the pool (a database restart) is replaced at checkout, and
    /// the ping that finds out is only paid by connections idle past the trusted window.
    #[test]
    fn connections_idle_past_the_window_are_checked_and_replaced() {
        let Some(server) = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty()) else {
            return;
        };
        let url = postgres_database_url(&server, "postgres");
        let manager = DbManager {
            url: DatabaseUrl::parse(&url).unwrap(),
        };

        let mut fresh = manager.connect().unwrap();
        terminate(&server, backend_pid(&mut fresh));
        // As if returned this instant: the check below must not depend on how long the
        // termination took on a loaded machine.
        fresh.returned_at = Instant::now();
        assert!(
            manager.is_valid(&mut fresh).is_ok(),
            "just returned: trusted, no ping"
        );
        fresh.returned_at = Instant::now() - TRUSTED_FOR;
        assert!(manager.is_valid(&mut fresh).is_err(), "idle: pinged, found cut");

        let pool = r2d2::Pool::builder()
            .max_size(1)
            .build(DbManager {
                url: DatabaseUrl::parse(&url).unwrap(),
            })
            .unwrap();
        let first = backend_pid(&mut pool.get().unwrap());
        terminate(&server, first);
        std::thread::sleep(TRUSTED_FOR + Duration::from_millis(50));
        let second = backend_pid(&mut pool.get().unwrap());
        assert_ne!(first, second, "the cut connection was replaced before use");
    }
}
