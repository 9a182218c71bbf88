//! The tonic service: proto in, the core's call, proto out.

use cashloan_proto::risk::v1 as pb;
use tonic::{Request, Response, Status};

use crate::decide::decision_proto;
use crate::error::RiskError;
use crate::rules::evaluate::RuleResult;
use crate::RiskCore;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl pb::risk_server::Risk for RiskCore {
    async fn decide(&self, request: Request<pb::DecideRequest>) -> Reply<pb::Decision> {
        Ok(Response::new(self.decide(&request.into_inner()).await?))
    }

    async fn get_decision(&self, request: Request<pb::DecisionRef>) -> Reply<pb::Decision> {
        let row = self.decision(&request.into_inner().application_id).await?;
        Ok(Response::new(decision_proto(&row)?))
    }

    async fn get_decision_record(&self, request: Request<pb::DecisionRef>) -> Reply<pb::DecisionRecord> {
        let row = self.decision(&request.into_inner().application_id).await?;
        let rules: Vec<RuleResult> =
            serde_json::from_str(&row.rules).map_err(|e| RiskError::Corrupt(e.to_string()))?;
        Ok(Response::new(pb::DecisionRecord {
            decision: Some(decision_proto(&row)?),
            features_json: row.features.clone(),
            rules: rules
                .into_iter()
                .map(|r| pb::RuleResult {
                    id: r.id,
                    result: r.result,
                    outcome: r.outcome,
                })
                .collect(),
            timings_json: row.timings.clone(),
            challenger_json: row.challenger.clone().unwrap_or_default(),
        }))
    }

    async fn verify_evidence(&self, _: Request<pb::Empty>) -> Reply<pb::EvidenceReport> {
        let chain = self
            .stamping
            .verify(self.store.pool())
            .await
            .map_err(RiskError::Database)?;
        Ok(Response::new(pb::EvidenceReport {
            records: chain.records,
            stamps: chain.stamps,
            broken: chain.broken,
        }))
    }

    async fn list_rulesets(&self, _: Request<pb::Empty>) -> Reply<pb::RulesetList> {
        Ok(Response::new(self.list_rulesets().await?))
    }

    async fn get_ruleset(&self, request: Request<pb::RulesetRef>) -> Reply<pb::RulesetInfo> {
        Ok(Response::new(self.get_ruleset(&request.into_inner()).await?))
    }

    async fn save_ruleset(&self, request: Request<pb::SaveRulesetRequest>) -> Reply<pb::RulesetInfo> {
        Ok(Response::new(self.save_ruleset(&request.into_inner()).await?))
    }

    async fn replay_ruleset(&self, request: Request<pb::ReplayRequest>) -> Reply<pb::ReplayReport> {
        Ok(Response::new(self.replay_ruleset(&request.into_inner()).await?))
    }

    async fn check_activation(&self, request: Request<pb::ActivateRequest>) -> Reply<pb::RulesetInfo> {
        Ok(Response::new(self.check_activation(&request.into_inner()).await?))
    }

    async fn activate_ruleset(&self, request: Request<pb::ActivateRequest>) -> Reply<pb::RulesetInfo> {
        Ok(Response::new(self.activate_ruleset(&request.into_inner()).await?))
    }

    async fn list_decisions(&self, request: Request<pb::ListDecisionsRequest>) -> Reply<pb::DecisionPage> {
        Ok(Response::new(self.list_decisions(&request.into_inner()).await?))
    }

    async fn decision_stats(&self, request: Request<pb::StatsRequest>) -> Reply<pb::StatsReply> {
        Ok(Response::new(self.decision_stats(&request.into_inner()).await?))
    }
}
