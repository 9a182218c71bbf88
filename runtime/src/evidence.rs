//! The evidence chain (API.md §6.6), kept the same way by every service that records an
//! acceptance: each record says who, when, from where, with which app, what was accepted (its
//! version and the SHA-256 of exactly what was shown), and carries the hash of the record before,
//! so a record removed or altered breaks the chain at that point, and records cut from its end no
//! longer match its head. Each service keeps its own chain in its own database (the same two
//! tables, created by its migrations).

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::{self, DbConn, DbPool};
use crate::timestamp::TimestampAuthority;
use crate::Shutdown;

pub mod schema {
    diesel::table! {
        evidence (seq) {
            seq -> BigInt,
            user_id -> Text,
            at -> BigInt,
            client_ip -> Text,
            action -> Text,
            subject -> Text,
            document -> Text,
            shown_sha256 -> Text,
            prev_hash -> Text,
            hash -> Text,
            app -> Text,
        }
    }

    diesel::table! {
        evidence_head (id) {
            id -> Integer,
            seq -> BigInt,
            hash -> Text,
        }
    }

    diesel::table! {
        evidence_stamps (seq) {
            seq -> BigInt,
            hash -> Text,
            at -> BigInt,
            authority -> Text,
            token -> Text,
        }
    }
}

use schema::{evidence, evidence_head, evidence_stamps};

pub use crate::digest::sha256_hex;

/// Where an acceptance came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub client_ip: String,
    /// `appType/appVersion` when the app sent them, else empty.
    pub app: String,
}

impl Origin {
    /// The record of `user_id` accepting `document` (a version) about `subject` at `at`.
    pub fn record(
        &self,
        user_id: &str,
        at: i64,
        action: &str,
        subject: &str,
        document: &str,
        shown_sha256: &str,
    ) -> Record {
        Record {
            seq: 0,
            user_id: user_id.to_owned(),
            at,
            client_ip: self.client_ip.clone(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            document: document.to_owned(),
            shown_sha256: shown_sha256.to_owned(),
            app: self.app.clone(),
        }
    }
}

/// One record's content, without its place in the chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, diesel::Queryable)]
pub struct Record {
    pub seq: i64,
    pub user_id: String,
    pub at: i64,
    pub client_ip: String,
    /// `apply`, `confirm`, `consent`, `withdraw`.
    pub action: String,
    /// What the acceptance is about: an application, or a consent type.
    pub subject: String,
    /// The version of the text accepted.
    pub document: String,
    pub shown_sha256: String,
    /// `appType/appVersion` when the app sent them, else empty.
    pub app: String,
}

/// The record's hash: SHA-256 over the previous hash and every field, each length-prefixed so
/// that no two different records can write the same bytes. `app` came later and is hashed only
/// when present, so records written before it keep their hashes.
pub fn link_hash(prev_hash: &str, r: &Record) -> String {
    let mut text = String::from("evidence v1");
    let (seq, at) = (r.seq.to_string(), r.at.to_string());
    let mut fields = vec![
        prev_hash,
        &seq,
        &r.user_id,
        &at,
        &r.client_ip,
        &r.action,
        &r.subject,
        &r.document,
        &r.shown_sha256,
    ];
    if !r.app.is_empty() {
        fields.push(&r.app);
    }
    for field in fields {
        text += &format!("\n{}:{field}", field.len());
    }
    sha256_hex(text.as_bytes())
}

/// A stored record with its links.
#[derive(Clone, Debug)]
pub struct Linked {
    pub record: Record,
    pub prev_hash: String,
    pub hash: String,
}

/// Walks the chain in order against its head `(seq, hash)`: the records checked, or where it breaks.
pub fn walk(chain: &[Linked], head: (i64, &str)) -> Result<u64, String> {
    let mut prev = String::new();
    for (i, link) in chain.iter().enumerate() {
        let expected = i as i64 + 1;
        let seq = link.record.seq;
        if seq != expected {
            return Err(format!("record {expected} is missing"));
        }
        if link.prev_hash != prev {
            return Err(format!("record {seq} does not follow record {}", seq - 1));
        }
        if link_hash(&prev, &link.record) != link.hash {
            return Err(format!("record {seq} was altered"));
        }
        prev = link.hash.clone();
    }
    let last = chain.len() as i64;
    if head != (last, prev.as_str()) {
        return Err(format!(
            "records after {last} are missing (the chain's head is at {})",
            head.0
        ));
    }
    Ok(chain.len() as u64)
}

/// Takes the chain's head until the transaction ends (a write, so on either backend): what is
/// read after it cannot change under the caller.
pub fn lock_head(conn: &mut DbConn) -> Result<(), DieselError> {
    diesel::update(evidence_head::table.find(1))
        .set(evidence_head::seq.eq(evidence_head::seq))
        .execute(conn)?;
    Ok(())
}

/// Inside the acceptance's transaction: appends `records` (their `seq` is assigned here) after
/// the chain's current end; the seq of the last. The head is one row, written first, so
/// concurrent appends on any replica take turns on either backend.
pub fn append(conn: &mut DbConn, records: Vec<Record>) -> Result<i64, DieselError> {
    lock_head(conn)?;
    let (mut seq, mut prev): (i64, String) = evidence_head::table
        .find(1)
        .select((evidence_head::seq, evidence_head::hash))
        .first(conn)?;
    for record in records {
        seq += 1;
        let record = Record { seq, ..record };
        let hash = link_hash(&prev, &record);
        diesel::insert_into(evidence::table)
            .values((
                evidence::seq.eq(seq),
                evidence::user_id.eq(&record.user_id),
                evidence::at.eq(record.at),
                evidence::client_ip.eq(&record.client_ip),
                evidence::action.eq(&record.action),
                evidence::subject.eq(&record.subject),
                evidence::document.eq(&record.document),
                evidence::shown_sha256.eq(&record.shown_sha256),
                evidence::app.eq(&record.app),
                evidence::prev_hash.eq(&prev),
                evidence::hash.eq(&hash),
            ))
            .execute(conn)?;
        prev = hash;
    }
    diesel::update(evidence_head::table.find(1))
        .set((evidence_head::seq.eq(seq), evidence_head::hash.eq(prev)))
        .execute(conn)?;
    Ok(seq)
}

/// The whole chain in order, and its head `(seq, hash)`.
pub fn load(conn: &mut DbConn) -> Result<(Vec<Linked>, (i64, String)), DieselError> {
    let rows: Vec<(Record, String, String)> = evidence::table
        .order(evidence::seq)
        .select((
            (
                evidence::seq,
                evidence::user_id,
                evidence::at,
                evidence::client_ip,
                evidence::action,
                evidence::subject,
                evidence::document,
                evidence::shown_sha256,
                evidence::app,
            ),
            evidence::prev_hash,
            evidence::hash,
        ))
        .load(conn)?;
    let head = evidence_head::table
        .find(1)
        .select((evidence_head::seq, evidence_head::hash))
        .first(conn)?;
    let chain = rows
        .into_iter()
        .map(|(record, prev_hash, hash)| Linked {
            record,
            prev_hash,
            hash,
        })
        .collect();
    Ok((chain, head))
}

/// What a walk of the chain found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainReport {
    pub records: u64,
    pub stamps: u64,
    /// Where the chain breaks; empty when it holds.
    pub broken: String,
}

/// A stamp of the chain's head as it stood: record `seq` had `hash` at `at`.
#[derive(Clone, Debug, PartialEq, Eq, diesel::Queryable)]
pub struct Stamp {
    pub seq: i64,
    pub hash: String,
    pub at: i64,
    pub authority: String,
    pub token: String,
}

/// Each stamp must name a record that is still there with the hash it had, and be the authority's.
pub fn check_stamps(
    chain: &[Linked],
    stamps: &[Stamp],
    authority: &dyn TimestampAuthority,
) -> Result<(), String> {
    for stamp in stamps {
        let Some(link) = usize::try_from(stamp.seq - 1).ok().and_then(|i| chain.get(i)) else {
            return Err(format!(
                "the stamp of record {} names a record that is missing",
                stamp.seq
            ));
        };
        if link.hash != stamp.hash {
            return Err(format!("record {} is not what was stamped", stamp.seq));
        }
        if stamp.authority != authority.name() || !authority.verify(&stamp.hash, stamp.at, &stamp.token) {
            return Err(format!(
                "the stamp of record {} is not the authority's",
                stamp.seq
            ));
        }
    }
    Ok(())
}

/// Loads the chain and its stamps and checks both.
pub fn verify(conn: &mut DbConn, authority: &dyn TimestampAuthority) -> Result<ChainReport, DieselError> {
    let (chain, (seq, hash)) = load(conn)?;
    let stamps: Vec<Stamp> = evidence_stamps::table.order(evidence_stamps::seq).load(conn)?;
    let broken = walk(&chain, (seq, &hash))
        .and_then(|_| check_stamps(&chain, &stamps, authority))
        .err()
        .unwrap_or_default();
    Ok(ChainReport {
        records: chain.len() as u64,
        stamps: stamps.len() as u64,
        broken,
    })
}

/// Stamps the chain's head when it moved since the last stamp and that stamp is at least
/// `every_ms` old (or there is none); the seq stamped, if any. Under the head's lock, so
/// replicas checking at once stamp once.
pub fn stamp_head(
    conn: &mut DbConn,
    authority: &dyn TimestampAuthority,
    now_ms: i64,
    every_ms: i64,
) -> Result<Option<i64>, DieselError> {
    conn.transaction(|conn| {
        lock_head(conn)?;
        let (seq, hash): (i64, String) = evidence_head::table
            .find(1)
            .select((evidence_head::seq, evidence_head::hash))
            .first(conn)?;
        let last: Option<(i64, i64)> = evidence_stamps::table
            .order(evidence_stamps::seq.desc())
            .select((evidence_stamps::seq, evidence_stamps::at))
            .first(conn)
            .optional()?;
        let due = match last {
            _ if seq == 0 => false,
            None => true,
            Some((stamped, at)) => stamped < seq && now_ms - at >= every_ms,
        };
        if !due {
            return Ok(None);
        }
        diesel::insert_into(evidence_stamps::table)
            .values((
                evidence_stamps::seq.eq(seq),
                evidence_stamps::hash.eq(&hash),
                evidence_stamps::at.eq(now_ms),
                evidence_stamps::authority.eq(authority.name()),
                evidence_stamps::token.eq(authority.stamp(&hash, now_ms)),
            ))
            .execute(conn)?;
        Ok(Some(seq))
    })
}

/// How often the chain's head is stamped, and how often replicas look whether it is due.
#[derive(clap::Args, Clone, Debug)]
pub struct StampArgs {
    /// Time between two stamps of the evidence chain's head, milliseconds (a day).
    #[arg(
        long = "evidence-stamp-every-ms",
        env = "EVIDENCE_STAMP_EVERY_MS",
        default_value_t = 86_400_000
    )]
    pub every_ms: i64,
    /// How often a replica looks whether a stamp is due, milliseconds.
    #[arg(
        long = "evidence-stamp-check-ms",
        env = "EVIDENCE_STAMP_CHECK_MS",
        default_value_t = 60_000
    )]
    pub check_ms: u64,
}

impl Default for StampArgs {
    fn default() -> Self {
        Self {
            every_ms: 86_400_000,
            check_ms: 60_000,
        }
    }
}

/// A service's stamping of its chain: the authority, and how often.
#[derive(Clone)]
pub struct Stamping {
    pub authority: Arc<dyn TimestampAuthority>,
    pub args: StampArgs,
}

impl Stamping {
    /// The local authority (its key derived from the PII hash key).
    pub fn local(vault: &crate::pii::Vault, args: StampArgs) -> Self {
        Self {
            authority: Arc::new(crate::timestamp::LocalAuthority::from_vault(vault)),
            args,
        }
    }

    /// Stamps the head whenever it is due, until `shutdown`.
    pub fn spawn(&self, pool: DbPool, clock: Clock, shutdown: Shutdown) -> tokio::task::JoinHandle<()> {
        let Self { authority, args } = self.clone();
        tokio::spawn(async move {
            shutdown
                .every(Duration::from_millis(args.check_ms), || async {
                    let (authority, now) = (authority.clone(), clock.now_ms());
                    let stamped = db::run(&pool, move |conn| {
                        Ok(stamp_head(conn, authority.as_ref(), now, args.every_ms)?)
                    })
                    .await;
                    match stamped {
                        Ok(None) => {}
                        Ok(Some(seq)) => tracing::info!(seq, "evidence chain head stamped"),
                        Err(e) => {
                            tracing::warn!(error = %e, "stamping the evidence chain failed; retried later");
                        }
                    }
                })
                .await;
        })
    }

    /// Walks the chain and checks its stamps.
    pub async fn verify(&self, pool: &DbPool) -> Result<ChainReport, db::DbError> {
        let authority = self.authority.clone();
        db::run(pool, move |conn| Ok(verify(conn, authority.as_ref())?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Linked> {
        let mut prev = String::new();
        (1..=n)
            .map(|seq| {
                let record = Record {
                    seq,
                    user_id: format!("u-{seq}"),
                    at: 1_700_000_000_000 + seq,
                    client_ip: "10.0.0.1".into(),
                    action: "apply".into(),
                    subject: format!("a-{seq}"),
                    document: "loan-agreement.v1".into(),
                    shown_sha256: sha256_hex(seq.to_string().as_bytes()),
                    app: if seq % 2 == 0 {
                        "1/1.2.0".into()
                    } else {
                        String::new()
                    },
                };
                let hash = link_hash(&prev, &record);
                let linked = Linked {
                    record,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                linked
            })
            .collect()
    }

    fn head(c: &[Linked]) -> (i64, String) {
        c.last()
            .map_or((0, String::new()), |l| (l.record.seq, l.hash.clone()))
    }

    #[test]
    fn an_intact_chain_walks_to_its_head() {
        let c = chain(5);
        let (seq, hash) = head(&c);
        assert_eq!(walk(&c, (seq, &hash)), Ok(5));
        assert_eq!(walk(&[], (0, "")), Ok(0));
    }

    #[test]
    fn a_removed_altered_or_cut_record_is_found_where_it_is() {
        let c = chain(5);
        let (seq, hash) = head(&c);
        let mut removed = c.clone();
        removed.remove(2);
        assert_eq!(walk(&removed, (seq, &hash)), Err("record 3 is missing".into()));

        let mut altered = c.clone();
        altered[3].record.shown_sha256 = sha256_hex(b"other");
        assert_eq!(walk(&altered, (seq, &hash)), Err("record 4 was altered".into()));

        // Altered and rehashed: the next record no longer follows it.
        let mut rehashed = c.clone();
        rehashed[1].record.client_ip = "10.9.9.9".into();
        rehashed[1].hash = link_hash(&rehashed[1].prev_hash, &rehashed[1].record);
        assert_eq!(
            walk(&rehashed, (seq, &hash)),
            Err("record 3 does not follow record 2".into())
        );

        let mut app_changed = c.clone();
        app_changed[3].record.app = "2/9.9.9".into();
        assert_eq!(
            walk(&app_changed, (seq, &hash)),
            Err("record 4 was altered".into())
        );

        let cut = &c[..3];
        assert_eq!(
            walk(cut, (seq, &hash)),
            Err("records after 3 are missing (the chain's head is at 5)".into())
        );
    }
}
