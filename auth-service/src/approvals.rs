//! Maker-checker (API.md §7): a change that needs a second operator is stored by the maker and
//! decided by someone else. Every move is one conditional update on the status it comes from, so
//! two checkers confirming at once carry it out once.

use cashloan_proto::auth::v1 as pb;
use cashloan_runtime::db;
use diesel::prelude::*;

use crate::error::AuthError;
use crate::schema::approvals;
use crate::AuthCore;

#[derive(Clone, Debug, Queryable)]
struct Row {
    id: String,
    action: String,
    target: String,
    request: String,
    summary: String,
    made_by: String,
    made_by_id: String,
    made_at: i64,
    status: String,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    outcome: Option<String>,
}

impl Row {
    fn proto(self) -> pb::Approval {
        pb::Approval {
            id: self.id,
            action: self.action,
            target: self.target,
            request: self.request,
            summary: self.summary,
            made_by: self.made_by,
            made_by_id: self.made_by_id,
            made_at: self.made_at,
            status: self.status,
            decided_by: self.decided_by.unwrap_or_default(),
            decided_at: self.decided_at.unwrap_or_default(),
            outcome: self.outcome.unwrap_or_default(),
        }
    }
}

/// `withdrawn`: its maker was disabled while it waited (issue 28, finding 7).
const STATUSES: &[&str] = &["pending", "executing", "done", "failed", "rejected", "withdrawn"];

/// The move a decision makes from `pending`.
fn decided_status(confirm: bool) -> &'static str {
    match confirm {
        true => "executing",
        false => "rejected",
    }
}

impl AuthCore {
    pub async fn propose_approval(&self, p: pb::ApprovalProposal) -> Result<String, AuthError> {
        if p.action.is_empty() || p.made_by.is_empty() {
            return Err(AuthError::InvalidField("action"));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.clock.now_ms();
        let row = (
            approvals::id.eq(id.clone()),
            approvals::action.eq(p.action),
            approvals::target.eq(p.target),
            approvals::request.eq(p.request),
            approvals::summary.eq(p.summary),
            approvals::made_by.eq(p.made_by),
            approvals::made_by_id.eq(p.made_by_id),
            approvals::made_at.eq(now),
            approvals::status.eq("pending"),
        );
        db::run(self.store.pool(), move |conn| {
            diesel::insert_into(approvals::table).values(row).execute(conn)?;
            Ok(())
        })
        .await?;
        Ok(id)
    }

    pub async fn approval(&self, id: &str) -> Result<pb::Approval, AuthError> {
        let id = id.to_owned();
        db::run(self.store.pool(), move |conn| {
            Ok(approvals::table.find(id).first::<Row>(conn).optional()?)
        })
        .await?
        .map(Row::proto)
        .ok_or(AuthError::ApprovalNotFound)
    }

    /// Oldest first: a queue is worked from its front.
    pub async fn list_approvals(&self, r: pb::ListApprovalsRequest) -> Result<pb::ApprovalPage, AuthError> {
        if !r.status.is_empty() && !STATUSES.contains(&r.status.as_str()) {
            return Err(AuthError::InvalidField("status"));
        }
        let (offset, limit) = db::page_bounds(r.page_num, r.page_size);
        Ok(db::run(self.store.pool(), move |conn| {
            let filtered = || {
                let mut q = approvals::table.into_boxed();
                if !r.status.is_empty() {
                    q = q.filter(approvals::status.eq(r.status.clone()));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows: Vec<Row> = filtered()
                .order(approvals::made_at)
                .offset(offset)
                .limit(limit)
                .load(conn)?;
            Ok(pb::ApprovalPage {
                items: rows.into_iter().map(Row::proto).collect(),
                total: total as u64,
            })
        })
        .await?)
    }

    /// Confirms (to `executing`) or rejects a pending request; once, never by its maker, nor by
    /// an account the maker created or last changed (a second person the maker made is not one).
    /// Whoever may not confirm a request may not reject it either.
    pub async fn decide_approval(&self, d: pb::ApprovalDecision) -> Result<pb::Approval, AuthError> {
        let current = self.approval(&d.id).await?;
        if d.decided_by_id.is_empty() || d.decided_by_id == current.made_by_id {
            return Err(AuthError::ApprovalSameOperator);
        }
        let checker = self.operator(&d.decided_by_id).await?;
        if checker.created_by == current.made_by || checker.changed_by == current.made_by {
            return Err(AuthError::ApprovalMakersOwn);
        }
        let now = self.clock.now_ms();
        let (id, by) = (d.id.clone(), d.decided_by.clone());
        let moved = db::run(self.store.pool(), move |conn| {
            Ok(
                diesel::update(approvals::table.find(id).filter(approvals::status.eq("pending")))
                    .set((
                        approvals::status.eq(decided_status(d.confirm)),
                        approvals::decided_by.eq(Some(by)),
                        approvals::decided_at.eq(Some(now)),
                    ))
                    .execute(conn)?,
            )
        })
        .await?;
        if moved == 0 {
            return Err(AuthError::ApprovalClosed);
        }
        self.approval(&d.id).await
    }

    /// The outcome of carrying a confirmed request out. A refusal of the checker themselves
    /// (`reopen`) puts it back in the queue for someone who may confirm it.
    pub async fn finish_approval(&self, f: pb::ApprovalFinish) -> Result<(), AuthError> {
        let status = finished_status(f.succeeded, f.reopen);
        db::run(self.store.pool(), move |conn| {
            let executing = approvals::table
                .find(f.id)
                .filter(approvals::status.eq("executing"));
            match f.reopen {
                true => diesel::update(executing)
                    .set((
                        approvals::status.eq(status),
                        approvals::decided_by.eq(None::<String>),
                        approvals::decided_at.eq(None::<i64>),
                        approvals::outcome.eq(Some(f.outcome)),
                    ))
                    .execute(conn)?,
                false => diesel::update(executing)
                    .set((
                        approvals::status.eq(status),
                        approvals::outcome.eq(Some(f.outcome)),
                    ))
                    .execute(conn)?,
            };
            Ok(())
        })
        .await?;
        Ok(())
    }
}

/// Where an executing request ends.
fn finished_status(succeeded: bool, reopen: bool) -> &'static str {
    match (reopen, succeeded) {
        (true, _) => "pending",
        (false, true) => "done",
        (false, false) => "failed",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_decision_moves_a_pending_request_to_one_place() {
        assert_eq!(super::decided_status(true), "executing");
        assert_eq!(super::decided_status(false), "rejected");
        assert!(super::STATUSES.contains(&"pending"));
        assert_eq!(
            super::finished_status(false, true),
            "pending",
            "a refused checker leaves it waiting"
        );
        assert_eq!(super::finished_status(true, false), "done");
    }
}
