//! Rulesets as the risk team handles them: listed, read, saved as drafts (compiled and checked
//! first; an invalid one is refused with its first error), replayed over the stored snapshots of
//! a period against the champion, activated as champion or challenger.

use std::sync::Arc;

use cashloan_proto::risk::v1 as pb;
use serde_json::Value;

use super::{period, text};
use crate::error::RiskError;
use crate::rules::diff;
use crate::rules::evaluate::Terms;
use crate::rules::replay::{replay, Snapshot, Tally};
use crate::rules::ruleset::Ruleset;
use crate::store::{DecisionRow, RulesetRow};
use crate::RiskCore;

/// A document larger than this is refused (a ruleset is a page of rules, not a data file).
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// The newest decisions a replay reads of its period.
const REPLAY_DECISIONS: i64 = 20_000;
const REPLAY_CHANGED: usize = 100;
/// The longest period a replay covers, in days.
const REPLAY_DAYS: i64 = 92;

fn info(row: &RulesetRow, with_document: bool) -> pb::RulesetInfo {
    pb::RulesetInfo {
        version: row.version,
        status: row.status.clone(),
        share: row.share,
        created_by: row.created_by.clone(),
        created_at: row.created_at,
        document: if with_document {
            row.document.clone()
        } else {
            String::new()
        },
        changes: Vec::new(),
        compared_with: 0,
    }
}

pub fn counts(t: &Tally) -> pb::OutcomeCounts {
    pb::OutcomeCounts {
        approve: t.approve,
        refer: t.refer,
        reject: t.reject,
        bands: t.bands.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    }
}

/// What a stored decision was made on; decisions kept before their terms were had the applied
/// amount as their bound.
fn snapshot(row: &DecisionRow) -> Result<Snapshot, RiskError> {
    let features: Value =
        serde_json::from_str(&row.features).map_err(|e| RiskError::Corrupt(e.to_string()))?;
    let terms = serde_json::from_str::<Terms>(&row.terms).unwrap_or_else(|_| {
        let at = |path: &str| crate::features::int_at(&features, path).unwrap_or(0);
        let amount = at("application.amountFen");
        Terms {
            applied_amount_fen: amount,
            applied_rate_ppm: at("application.ratePpm"),
            product_min_rate_ppm: 0,
            product_max_rate_ppm: 0,
            available_credit_fen: amount,
        }
    });
    Ok(Snapshot {
        application_id: row.application_id.clone(),
        features,
        terms,
    })
}

impl RiskCore {
    pub async fn list_rulesets(&self) -> Result<pb::RulesetList, RiskError> {
        let rows = self.store.rulesets().await?;
        Ok(pb::RulesetList {
            items: rows.iter().map(|r| info(r, false)).collect(),
        })
    }

    async fn stored_ruleset(&self, version: i32) -> Result<RulesetRow, RiskError> {
        self.store
            .ruleset(version)
            .await?
            .ok_or(RiskError::RulesetNotFound)
    }

    /// The document, with what it changes from the champion.
    pub async fn get_ruleset(&self, r: &pb::RulesetRef) -> Result<pb::RulesetInfo, RiskError> {
        let row = self.stored_ruleset(r.version).await?;
        let (champion, champion_version, _) = self.rulesets().await?;
        let set = self.compiled(&row)?;
        Ok(pb::RulesetInfo {
            changes: diff::changes(&champion.document, &set.document)
                .into_iter()
                .map(|c| pb::RulesetChange {
                    part: c.part,
                    change: c.change.into(),
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            compared_with: champion_version,
            ..info(&row, true)
        })
    }

    pub async fn save_ruleset(&self, r: &pb::SaveRulesetRequest) -> Result<pb::RulesetInfo, RiskError> {
        if r.created_by.trim().is_empty() {
            return Err(RiskError::InvalidField("createdBy"));
        }
        if r.document.len() > MAX_DOCUMENT_BYTES {
            return Err(RiskError::RulesetInvalid("document: larger than 64 KiB".into()));
        }
        Ruleset::compile(&r.document, self.rate_cap_ppm).map_err(RiskError::RulesetInvalid)?;
        let row = self
            .store
            .insert_draft(r.document.clone(), r.created_by.clone(), self.clock.now_ms())
            .await?;
        tracing::info!(version = row.version, by = %row.created_by, "ruleset saved as a draft");
        Ok(info(&row, false))
    }

    pub async fn replay_ruleset(&self, r: &pb::ReplayRequest) -> Result<pb::ReplayReport, RiskError> {
        let (from, to) = period(&r.from, &r.to, REPLAY_DAYS)?;
        let draft_row = self.stored_ruleset(r.version).await?;
        let draft = self.compiled(&draft_row)?;
        let (current, current_version, _) = self.rulesets().await?;
        let rows = self
            .store
            .decisions_between(text(from), text(to), REPLAY_DECISIONS)
            .await?;
        let snapshots = rows.iter().map(snapshot).collect::<Result<Vec<_>, _>>()?;
        // Thousands of evaluations: off the async threads.
        let (current_set, draft_set): (Arc<Ruleset>, Arc<Ruleset>) = (current, draft);
        let report =
            tokio::task::spawn_blocking(move || replay(&current_set, &draft_set, &snapshots, REPLAY_CHANGED))
                .await
                .map_err(|e| RiskError::Corrupt(e.to_string()))?;
        Ok(pb::ReplayReport {
            decisions: report.decisions,
            current_version,
            current: Some(counts(&report.current)),
            draft: Some(counts(&report.draft)),
            changed: report
                .changed
                .iter()
                .map(|c| pb::ChangedOutcome {
                    application_id: c.application_id.clone(),
                    from: c.from.name().into(),
                    to: c.to.name().into(),
                })
                .collect(),
            changed_total: report.changed_total,
        })
    }

    /// Whether `version` may become what is asked, changing nothing: a known version that
    /// compiles under the cap in force, not the champion already, a challenger's share 1–50.
    pub async fn check_activation(&self, r: &pb::ActivateRequest) -> Result<pb::RulesetInfo, RiskError> {
        match r.r#as.as_str() {
            "champion" => {}
            "challenger" if (1..=50).contains(&r.share) => {}
            "challenger" => return Err(RiskError::InvalidField("share")),
            _ => return Err(RiskError::InvalidField("as")),
        }
        let row = self.stored_ruleset(r.version).await?;
        if row.status == "champion" {
            return Err(RiskError::RulesetInvalid(format!(
                "version {} is the champion already",
                row.version
            )));
        }
        Ruleset::compile(&row.document, self.rate_cap_ppm).map_err(RiskError::RulesetInvalid)?;
        Ok(info(&row, false))
    }

    pub async fn activate_ruleset(&self, r: &pb::ActivateRequest) -> Result<pb::RulesetInfo, RiskError> {
        self.check_activation(r).await?;
        let champion = r.r#as == "champion";
        if !self.store.activate(r.version, champion, r.share).await? {
            return Err(RiskError::RulesetInvalid(format!(
                "version {} is the champion already",
                r.version
            )));
        }
        tracing::info!(version = r.version, r#as = %r.r#as, share = r.share, "ruleset activated");
        Ok(info(&self.stored_ruleset(r.version).await?, false))
    }
}
