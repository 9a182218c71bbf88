//! The operators' audit log (API.md §7). The gateway records each admin call before it acts and
//! its outcome after; each is a record of this service's evidence chain (so an entry removed or
//! altered breaks the chain, and the daily stamp dates it), with the entry's fields in
//! `audit_entries` for listing.

use cashloan_proto::auth::v1 as pb;
use cashloan_runtime::db;
use cashloan_runtime::evidence::{self, sha256_hex, Record};
use diesel::prelude::*;

use crate::error::AuthError;
use crate::schema::audit_entries;
use crate::AuthCore;

/// The text a start record's hash covers: every field of the entry, length-prefixed.
fn start_text(s: &pb::AuditStart) -> String {
    [
        &s.operator,
        &s.role,
        &s.action,
        &s.target,
        &s.request,
        &s.client_ip,
        &s.trace_id,
    ]
    .iter()
    .map(|f| format!("{}:{f}\n", f.len()))
    .collect()
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
);

fn entry(r: Row) -> pb::AuditEntry {
    let (seq, operator, role, action, target, request, client_ip, trace_id, started_at, outcome, finished_at) =
        r;
    pb::AuditEntry {
        seq,
        operator,
        role,
        action,
        target,
        request,
        client_ip,
        trace_id,
        started_at,
        outcome: outcome.unwrap_or_default(),
        finished_at: finished_at.unwrap_or_default(),
    }
}

impl AuthCore {
    /// Records a call about to act; its ticket is the chain record's seq.
    pub async fn start_audit(&self, s: pb::AuditStart) -> Result<i64, AuthError> {
        let at = self.clock.now_ms();
        let record = Record {
            user_id: s.operator.clone(),
            at,
            client_ip: s.client_ip.clone(),
            action: "audit".into(),
            subject: s.action.clone(),
            document: s.target.clone(),
            shown_sha256: sha256_hex(start_text(&s).as_bytes()),
            ..Default::default()
        };
        Ok(db::run(self.store.pool(), move |conn| {
            Ok(conn.transaction(|conn| {
                let seq = evidence::append(conn, vec![record])?;
                diesel::insert_into(audit_entries::table)
                    .values((
                        audit_entries::seq.eq(seq),
                        audit_entries::operator.eq(&s.operator),
                        audit_entries::role.eq(&s.role),
                        audit_entries::action.eq(&s.action),
                        audit_entries::target.eq(&s.target),
                        audit_entries::request.eq(&s.request),
                        audit_entries::client_ip.eq(&s.client_ip),
                        audit_entries::trace_id.eq(&s.trace_id),
                        audit_entries::started_at.eq(at),
                    ))
                    .execute(conn)?;
                Ok::<_, diesel::result::Error>(seq)
            })?)
        })
        .await?)
    }

    /// Records how a call ended; once (a repeat changes nothing).
    pub async fn finish_audit(&self, f: pb::AuditFinish) -> Result<(), AuthError> {
        let at = self.clock.now_ms();
        Ok(db::run(self.store.pool(), move |conn| {
            Ok(conn.transaction(|conn| {
                let open = audit_entries::table
                    .find(f.seq)
                    .filter(audit_entries::outcome.is_null());
                let operator: Option<(String, String)> = open
                    .select((audit_entries::operator, audit_entries::client_ip))
                    .first(conn)
                    .optional()?;
                let Some((operator, client_ip)) = operator else {
                    return Ok(());
                };
                diesel::update(open)
                    .set((
                        audit_entries::outcome.eq(&f.outcome),
                        audit_entries::finished_at.eq(at),
                    ))
                    .execute(conn)?;
                let record = Record {
                    user_id: operator,
                    at,
                    client_ip,
                    action: "audit-end".into(),
                    subject: f.seq.to_string(),
                    document: String::new(),
                    shown_sha256: sha256_hex(f.outcome.as_bytes()),
                    ..Default::default()
                };
                evidence::append(conn, vec![record])?;
                Ok::<_, diesel::result::Error>(())
            })?)
        })
        .await?)
    }

    /// Newest first, filtered by operator and action when given.
    pub async fn list_audit(&self, r: pb::ListAuditRequest) -> Result<pb::AuditPage, AuthError> {
        let (offset, limit) = db::page_bounds(r.page_num, r.page_size);
        Ok(db::run(self.store.pool(), move |conn| {
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
            let rows: Vec<Row> = filtered()
                .order(audit_entries::seq.desc())
                .offset(offset)
                .limit(limit)
                .load(conn)?;
            Ok(pb::AuditPage {
                items: rows.into_iter().map(entry).collect(),
                total: total as u64,
            })
        })
        .await?)
    }
}
