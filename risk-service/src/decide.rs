//! One decision (DECISIONS.md "When a decision is made"): the stored one if the application was
//! decided before; else the features gathered, the champion (and, on its share, the challenger
//! in shadow) evaluated, and the decision stored once with its evidence record.

use std::sync::Arc;
use std::time::Instant;

use cashloan_proto::auth::v1::UserRef;
use cashloan_proto::risk::v1 as pb;
use cashloan_runtime::canonical_json::canonical_json;
use cashloan_runtime::clock::date_cst;
use cashloan_runtime::evidence::{sha256_hex, Origin};
use chrono::NaiveDate;
use serde_json::json;

use crate::error::RiskError;
use crate::features::{id_facts, ApplicationFeatures, Features, HistoryFeatures, VelocityFeatures};
use crate::rules::evaluate::{evaluate, Reason, Terms};
use crate::rules::ruleset::Ruleset;
use crate::store::{DecisionRow, RulesetRow, VelocityRow};
use crate::RiskCore;

const DAY_MS: i64 = 86_400_000;

/// Whether an application falls in a challenger's share (per cent): by its id, so a replay or a
/// second replica puts it in the same place.
fn in_share(application_id: &str, share: i32) -> bool {
    let digest = sha256_hex(application_id.as_bytes());
    let bucket = u32::from_str_radix(&digest[..4], 16).unwrap_or(0) % 100;
    (bucket as i32) < share
}

pub fn decision_proto(row: &DecisionRow) -> Result<pb::Decision, RiskError> {
    let reasons: Vec<Reason> =
        serde_json::from_str(&row.reasons).map_err(|e| RiskError::Corrupt(e.to_string()))?;
    Ok(pb::Decision {
        application_id: row.application_id.clone(),
        outcome: row.outcome.clone(),
        reasons: reasons
            .into_iter()
            .map(|r| pb::ReasonText {
                code: r.code,
                text: r.text,
            })
            .collect(),
        score: row.score,
        band: row.band.clone(),
        ruleset_version: row.ruleset_version.to_string(),
        decided_at: row.decided_at,
        approved_amount_fen: row.approved_amount_fen,
        approved_rate_ppm: row.approved_rate_ppm,
    })
}

impl RiskCore {
    /// The champion and the challenger with its share, compiled (once per version).
    pub(crate) async fn rulesets(
        &self,
    ) -> Result<(Arc<Ruleset>, i32, Option<(Arc<Ruleset>, i32, i32)>), RiskError> {
        let rows = self.store.active_rulesets().await?;
        let mut champion = None;
        let mut challenger = None;
        for row in rows {
            let set = self.compiled(&row)?;
            match row.status.as_str() {
                "champion" if champion.is_none() => champion = Some((set, row.version)),
                "challenger" if challenger.is_none() => challenger = Some((set, row.version, row.share)),
                _ => {}
            }
        }
        let (set, version) = champion.ok_or_else(|| RiskError::Corrupt("no champion ruleset".into()))?;
        Ok((set, version, challenger))
    }

    /// A stored ruleset compiled, once per version (a saved version never changes).
    pub(crate) fn compiled(&self, row: &RulesetRow) -> Result<Arc<Ruleset>, RiskError> {
        if let Some(set) = self
            .compiled
            .read()
            .ok()
            .and_then(|c| c.get(&row.version).cloned())
        {
            return Ok(set);
        }
        let set = Arc::new(
            Ruleset::compile(&row.document, self.rate_cap_ppm)
                .map_err(|e| RiskError::Corrupt(format!("ruleset {}: {e}", row.version)))?,
        );
        if let Ok(mut c) = self.compiled.write() {
            c.insert(row.version, set.clone());
        }
        Ok(set)
    }

    pub async fn decision(&self, application_id: &str) -> Result<DecisionRow, RiskError> {
        self.store
            .decision(application_id)
            .await?
            .ok_or(RiskError::DecisionNotFound)
    }

    pub async fn decide(&self, r: &pb::DecideRequest) -> Result<pb::Decision, RiskError> {
        if r.application_id.is_empty() || r.user_id.is_empty() {
            return Err(RiskError::InvalidField("applicationId"));
        }
        if let Some(stored) = self.store.decision(&r.application_id).await? {
            return decision_proto(&stored);
        }
        let started = Instant::now();
        let (features, id_card_no) = self.gather(r).await?;
        let features_ms = started.elapsed().as_millis();
        let bureau_started = Instant::now();
        let mut features = features;
        features.bureau =
            crate::bureau::features(self.bureau.as_ref(), &id_card_no, self.bureau_timeout).await;
        let bureau_ms = bureau_started.elapsed().as_millis();

        let app = r.application.clone().unwrap_or_default();
        let terms = Terms {
            applied_amount_fen: app.amount_fen,
            applied_rate_ppm: app.rate_ppm,
            product_min_rate_ppm: app.product_min_rate_ppm,
            product_max_rate_ppm: app.product_max_rate_ppm,
            available_credit_fen: app.available_credit_fen,
        };
        let snapshot = features.to_json();
        let (champion, version, challenger) = self.rulesets().await?;
        let rules_started = Instant::now();
        let evaluation = evaluate(&champion, &snapshot, terms);
        let rules_us = rules_started.elapsed().as_micros();
        let shadow = challenger
            .filter(|(_, _, share)| in_share(&r.application_id, *share))
            .map(|(set, v, _)| {
                let e = evaluate(&set, &snapshot, terms);
                json!({"version": v, "outcome": e.outcome.name(), "band": e.band, "score": e.score})
            });
        let now = self.clock.now_ms();
        let row = DecisionRow {
            application_id: r.application_id.clone(),
            user_id: r.user_id.clone(),
            ruleset_version: version,
            outcome: evaluation.outcome.name().into(),
            reasons: serde_json::to_string(&evaluation.reasons).unwrap_or_else(|_| "[]".into()),
            score: evaluation.score.and_then(|s| i32::try_from(s).ok()).unwrap_or(0),
            band: evaluation.band.clone(),
            approved_amount_fen: evaluation.approved_amount_fen,
            approved_rate_ppm: evaluation.approved_rate_ppm,
            features: canonical_json(&snapshot),
            rules: serde_json::to_string(&evaluation.rules).unwrap_or_else(|_| "[]".into()),
            timings: canonical_json(
                &json!({"features": features_ms as u64, "bureau": bureau_ms as u64, "rules": rules_us as u64}),
            ),
            challenger: shadow.map(|s| canonical_json(&s)),
            decided_at: now,
            decided_day: date_cst(now),
            terms: serde_json::to_string(&terms).unwrap_or_default(),
        };
        let record = Origin::default().record(
            &row.user_id,
            now,
            "decide",
            &row.application_id,
            &format!("ruleset {version}"),
            &sha256_hex(decision_content(&row).as_bytes()),
        );
        let stored = self.store.insert_decision(row, record).await?;
        tracing::info!(
            application = %stored.application_id,
            outcome = %stored.outcome,
            band = %stored.band,
            ruleset = stored.ruleset_version,
            "decided"
        );
        decision_proto(&stored)
    }

    /// Everything but the bureau, and the ID number the bureau is asked with (kept nowhere).
    async fn gather(&self, r: &pb::DecideRequest) -> Result<(Features, String), RiskError> {
        let facts = self
            .auth
            .clone()
            .get_risk_facts(UserRef {
                user_id: r.user_id.clone(),
            })
            .await
            .map_err(|s| RiskError::Downstream(s.message().to_owned()))?
            .into_inner();
        let applied_on = NaiveDate::parse_from_str(&date_cst(r.applied_at), "%Y-%m-%d")
            .map_err(|_| RiskError::InvalidField("appliedAt"))?;
        let id = id_facts(&facts.id_card_no, applied_on)
            .ok_or_else(|| RiskError::Downstream("the verified ID number is unreadable".into()))?;
        let app = r.application.clone().unwrap_or_default();
        let history = r.history.unwrap_or_default();
        let hash = |value: &str| match value.trim() {
            "" => String::new(),
            v => self.vault.keyed_hash(v),
        };
        let counts = self
            .store
            .count_velocity(VelocityRow {
                application_id: r.application_id.clone(),
                user_id: r.user_id.clone(),
                device_hash: hash(&facts.device_token),
                ip_hash: hash(&app.client_ip),
                id_hash: hash(&facts.id_card_no),
                at: r.applied_at,
            })
            .await?;
        let features = Features {
            age: id.age,
            gender: id.gender,
            province_code: id.province_code,
            days_since_registration: (r.applied_at - facts.registered_at).max(0) / DAY_MS,
            real_name_verified: facts.real_name_verified,
            bank_card_verified: facts.bank_card_verified,
            carrier_verified: facts.carrier_verified,
            profile_complete: facts.profile_complete,
            is_risk: facts.is_risk,
            emergency_contacts: i64::from(facts.emergency_contacts),
            education: facts.education,
            marital_status: facts.marital_status,
            month_income: facts.month_income,
            industry_type: facts.industry_type,
            app_type: facts.app_type,
            device_known: !facts.device_token.trim().is_empty(),
            application: ApplicationFeatures {
                product_code: app.product_code,
                amount_fen: app.amount_fen,
                term_count: i64::from(app.term_count),
                term_unit: i64::from(app.term_unit),
                repay_type: i64::from(app.repay_type),
                rate_ppm: app.rate_ppm,
                purpose: app.purpose,
                other_channels: app.other_channels,
                phonebook_size: i64::from(app.phonebook_size),
                gps_present: app.gps_present,
                app_type: app.app_type,
            },
            history: HistoryFeatures {
                loans_settled: i64::from(history.loans_settled),
                loans_settled_clean: i64::from(history.loans_settled_clean),
                loans_open: i64::from(history.loans_open),
                max_days_overdue: i64::from(history.max_days_overdue),
                principal_repaid_fen: history.principal_repaid_fen,
                days_since_last_settled: i64::from(history.days_since_last_settled),
            },
            velocity: VelocityFeatures {
                applications_per_device24h: counts.device.0,
                applications_per_device7d: counts.device.1,
                applications_per_ip24h: counts.ip.0,
                applications_per_ip7d: counts.ip.1,
                applications_per_id_number24h: counts.id_number.0,
                applications_per_id_number7d: counts.id_number.1,
                users_per_device30d: counts.users_per_device30d,
            },
            bureau: Default::default(),
        };
        Ok((features, facts.id_card_no))
    }
}

/// What the evidence record's hash covers: the decision and what it was made on.
fn decision_content(row: &DecisionRow) -> String {
    canonical_json(&json!({
        "applicationId": row.application_id,
        "userId": row.user_id,
        "rulesetVersion": row.ruleset_version,
        "outcome": row.outcome,
        "reasons": row.reasons,
        "score": row.score,
        "band": row.band,
        "approvedAmountFen": row.approved_amount_fen,
        "approvedRatePpm": row.approved_rate_ppm,
        "features": row.features,
        "decidedAt": row.decided_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::in_share;

    #[test]
    fn a_share_takes_about_its_per_cent_and_always_the_same_applications() {
        let ids: Vec<String> = (0..2000).map(|i| format!("app-{i}")).collect();
        let taken = ids.iter().filter(|id| in_share(id, 20)).count();
        assert!((300..=500).contains(&taken), "{taken} of 2000 at 20 %");
        assert!(ids.iter().all(|id| in_share(id, 20) == in_share(id, 20)));
        assert_eq!(ids.iter().filter(|id| in_share(id, 0)).count(), 0);
    }
}
