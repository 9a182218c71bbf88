//! The evidence chain's rows: appended in the transaction of the acceptance they record, after
//! taking the chain's head (one row, so appends take turns across replicas), and read whole to
//! be walked.

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Store;
use crate::error::LoanError;
use crate::evidence::{link_hash, Linked, Record};
use crate::schema::{evidence, evidence_head};

/// Appends `records` (their `seq` is assigned here) after the chain's current end.
pub(super) fn append(conn: &mut DbConn, records: Vec<Record>) -> Result<(), DieselError> {
    // A write first: it locks the head until this transaction ends, on either backend.
    diesel::update(evidence_head::table.find(1))
        .set(evidence_head::seq.eq(evidence_head::seq))
        .execute(conn)?;
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
                evidence::prev_hash.eq(&prev),
                evidence::hash.eq(&hash),
            ))
            .execute(conn)?;
        prev = hash;
    }
    diesel::update(evidence_head::table.find(1))
        .set((evidence_head::seq.eq(seq), evidence_head::hash.eq(prev)))
        .execute(conn)?;
    Ok(())
}

impl Store {
    /// The whole chain in order, and its head `(seq, hash)`.
    pub async fn evidence_chain(&self) -> Result<(Vec<Linked>, (i64, String)), LoanError> {
        Ok(db::run(&self.pool, |conn| {
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
        })
        .await?)
    }
}
