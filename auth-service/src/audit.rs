//! The operators' audit log (API.md §7). The gateway records each admin call before it acts and
//! its outcome after (`audit_entries`, no lock shared between calls). What a call acted on, its
//! request and the values it changed name customers: they are stored sealed by the PII vault
//! (issue 28, finding 6) and opened only to be listed; a sealer then appends one
//! record of each whole entry to this service's evidence chain, many under one taking of the
//! chain's head, so that a row altered or removed afterwards is found by verify and the daily
//! stamp dates it.

use std::time::Duration;

use cashloan_proto::auth::v1 as pb;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbConn, DbPool};
use cashloan_runtime::evidence::schema::evidence as chain;
use cashloan_runtime::evidence::{self, sha256_hex, Record};
use cashloan_runtime::Shutdown;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::error::AuthError;
use crate::schema::audit_entries;
use crate::AuthCore;

/// An entry never finished (its gateway stopped mid-call) is sealed without an outcome after this.
const UNFINISHED_AFTER_MS: i64 = 10 * 60 * 1000;
/// Entries sealed per round.
const BATCH: i64 = 500;

#[derive(Clone, Debug, Queryable)]
pub struct Entry {
    pub n: i64,
    pub id: String,
    pub operator: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub request: String,
    pub client_ip: String,
    pub trace_id: String,
    pub started_at: i64,
    pub outcome: Option<String>,
    pub customers: Option<String>,
    pub finished_at: Option<i64>,
    pub sealed_seq: Option<i64>,
    pub changes: Option<String>,
}

impl Entry {
    /// The hash its chain record carries: every field but the seal, length-prefixed.
    pub fn content_hash(&self) -> String {
        let (started, finished) = (
            self.started_at.to_string(),
            self.finished_at.unwrap_or(0).to_string(),
        );
        let outcome = self.outcome.clone().unwrap_or_default();
        let customers = self.customers.clone().unwrap_or_default();
        let text: String = [
            &self.id,
            &self.operator,
            &self.role,
            &self.action,
            &self.target,
            &self.request,
            &self.client_ip,
            &self.trace_id,
            &started,
            &outcome,
            &customers,
            &finished,
        ]
        .iter()
        .map(|f| format!("{}:{f}\n", f.len()))
        .collect();
        // Hashed only when present, so entries sealed before changes were recorded keep their hash.
        let text = match self.changes.as_deref() {
            Some(changes) if !changes.is_empty() => format!("{text}{}:{changes}\n", changes.len()),
            _ => text,
        };
        sha256_hex(text.as_bytes())
    }

    /// As listed: the sealed fields opened (an entry from before they were sealed reads as stored).
    fn proto(self, vault: &cashloan_runtime::pii::Vault) -> pb::AuditEntry {
        let open = |stored: String| vault.open_or_stored(&stored);
        pb::AuditEntry {
            sealed: self.sealed_seq.is_some(),
            id: self.id,
            operator: self.operator,
            role: self.role,
            action: self.action,
            target: open(self.target),
            request: open(self.request),
            client_ip: self.client_ip,
            trace_id: self.trace_id,
            started_at: self.started_at,
            outcome: self.outcome.unwrap_or_default(),
            customers: self
                .customers
                .map(|c| {
                    c.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            finished_at: self.finished_at.unwrap_or_default(),
            changes: self.changes.map(open).unwrap_or_default(),
        }
    }
}

/// The unsealed entries that are due, oldest first.
fn due(now_ms: i64) -> audit_entries::BoxedQuery<'static, db::Backend> {
    audit_entries::table
        .filter(audit_entries::sealed_seq.is_null())
        .filter(
            audit_entries::outcome
                .is_not_null()
                .or(audit_entries::started_at.lt(now_ms - UNFINISHED_AFTER_MS)),
        )
        .order(audit_entries::n)
        .into_boxed()
}

/// Seals the entries that are due, oldest first, under the chain's head; how many.
fn seal_due(conn: &mut DbConn, now_ms: i64) -> Result<usize, DieselError> {
    // A read first: an idle sealer takes no lock and writes nothing.
    let any: Option<i64> = due(now_ms).select(audit_entries::n).first(conn).optional()?;
    if any.is_none() {
        return Ok(0);
    }
    conn.transaction(|conn| {
        // Taken before reading, so two replicas' sealers never seal one entry twice.
        evidence::lock_head(conn)?;
        let due: Vec<Entry> = due(now_ms).limit(BATCH).load(conn)?;
        for entry in &due {
            let record = Record {
                user_id: entry.operator.clone(),
                at: entry.finished_at.unwrap_or(now_ms),
                client_ip: entry.client_ip.clone(),
                action: "audit".into(),
                subject: entry.id.clone(),
                document: entry.action.clone(),
                shown_sha256: entry.content_hash(),
                ..Default::default()
            };
            let seq = evidence::append(conn, vec![record])?;
            diesel::update(audit_entries::table.find(entry.n))
                .set(audit_entries::sealed_seq.eq(seq))
                .execute(conn)?;
        }
        Ok(due.len())
    })
}

/// Where the sealed entries and their chain records disagree, if anywhere: a row altered after
/// sealing, or removed.
pub fn check_sealed(conn: &mut DbConn) -> Result<Option<String>, DieselError> {
    let sealed: Vec<(i64, String, String)> = chain::table
        .filter(chain::action.eq("audit"))
        .order(chain::seq)
        .select((chain::seq, chain::subject, chain::shown_sha256))
        .load(conn)?;
    let rows: Vec<Entry> = audit_entries::table
        .filter(audit_entries::sealed_seq.is_not_null())
        .load(conn)?;
    let by_id: std::collections::HashMap<&str, &Entry> = rows.iter().map(|e| (e.id.as_str(), e)).collect();
    for (seq, id, hash) in &sealed {
        match by_id.get(id.as_str()) {
            None => return Ok(Some(format!("audit entry {id} (record {seq}) is missing"))),
            Some(e) if e.sealed_seq != Some(*seq) || e.content_hash() != *hash => {
                return Ok(Some(format!("audit entry {id} (record {seq}) was altered")))
            }
            Some(_) => {}
        }
    }
    Ok(None)
}

/// Seals due entries every `interval` until `shutdown`.
pub fn spawn_sealer(
    pool: DbPool,
    clock: Clock,
    interval: Duration,
    shutdown: Shutdown,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        shutdown
            .every(interval, || async {
                let now = clock.now_ms();
                match db::run(&pool, move |conn| Ok(seal_due(conn, now)?)).await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(entries = n, "audit entries sealed"),
                    Err(e) => tracing::warn!(error = %e, "sealing the audit log failed; retried later"),
                }
            })
            .await;
    })
}

impl AuthCore {
    /// Records a call about to act; its ticket.
    pub async fn start_audit(&self, s: pb::AuditStart) -> Result<String, AuthError> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = self.clock.now_ms();
        let ticket = id.clone();
        let (target, request) = (self.vault.encrypt(&s.target), self.vault.encrypt(&s.request));
        db::run(self.store.pool(), move |conn| {
            diesel::insert_into(audit_entries::table)
                .values((
                    audit_entries::id.eq(&id),
                    audit_entries::operator.eq(&s.operator),
                    audit_entries::role.eq(&s.role),
                    audit_entries::action.eq(&s.action),
                    audit_entries::target.eq(&target),
                    audit_entries::request.eq(&request),
                    audit_entries::client_ip.eq(&s.client_ip),
                    audit_entries::trace_id.eq(&s.trace_id),
                    audit_entries::started_at.eq(at),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(ticket)
    }

    /// Records how a call ended; once, and never after the entry was sealed.
    pub async fn finish_audit(&self, f: pb::AuditFinish) -> Result<(), AuthError> {
        let at = self.clock.now_ms();
        let changes = Some(f.changes.clone())
            .filter(|c| !c.is_empty())
            .map(|c| self.vault.encrypt(&c));
        let updated = db::run(self.store.pool(), move |conn| {
            Ok(diesel::update(
                audit_entries::table
                    .filter(audit_entries::id.eq(&f.id))
                    .filter(audit_entries::outcome.is_null())
                    .filter(audit_entries::sealed_seq.is_null()),
            )
            .set((
                audit_entries::outcome.eq(&f.outcome),
                audit_entries::customers.eq(f.customers.join(",")),
                audit_entries::finished_at.eq(at),
                audit_entries::changes.eq(changes),
            ))
            .execute(conn)?)
        })
        .await?;
        if updated == 0 {
            tracing::debug!("an audit outcome arrived for an entry already finished or sealed");
        }
        Ok(())
    }

    /// Newest first, filtered by operator and action when given.
    pub async fn list_audit(&self, r: pb::ListAuditRequest) -> Result<pb::AuditPage, AuthError> {
        let (offset, limit) = db::page_bounds(r.page_num, r.page_size);
        let (rows, total) = db::run(self.store.pool(), move |conn| {
            let filtered = || {
                let mut q = audit_entries::table.into_boxed();
                if !r.operator.is_empty() {
                    q = q.filter(audit_entries::operator.eq(r.operator.clone()));
                }
                if !r.action.is_empty() {
                    q = q.filter(audit_entries::action.eq(r.action.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows: Vec<Entry> = filtered()
                .order(audit_entries::n.desc())
                .offset(offset)
                .limit(limit)
                .load(conn)?;
            Ok((rows, total))
        })
        .await?;
        Ok(pb::AuditPage {
            items: rows.into_iter().map(|e| e.proto(&self.vault)).collect(),
            total: total as u64,
        })
    }
}
