//! Which callers may use each of risk-service's methods: decisions are asked by loan-service,
//! records, the chain, rulesets and statistics by the gateway's admin side. A method not listed is refused to
//! everyone.

use cashloan_runtime::grpc::identity::{GATEWAY, GATEWAY_ADMIN, LOAN};

pub fn allowed(method: &str) -> &'static [&'static str] {
    match method {
        "Decide" => &[LOAN],
        "GetDecision" => &[LOAN, GATEWAY, GATEWAY_ADMIN],
        "GetDecisionRecord" | "VerifyEvidence" | "ListRulesets" | "GetRuleset" | "SaveRuleset"
        | "ReplayRuleset" | "CheckActivation" | "ActivateRuleset" | "ListDecisions" | "DecisionStats" => {
            &[GATEWAY_ADMIN]
        }
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_method_of_the_service_has_its_callers() {
        let proto = include_str!("../../proto/proto/risk.proto");
        let missing = cashloan_runtime::grpc::identity::methods_without_callers(proto, super::allowed);
        assert!(missing.is_empty(), "no callers: {missing:?}");
        assert!(super::allowed("NoSuchMethod").is_empty());
    }
}
