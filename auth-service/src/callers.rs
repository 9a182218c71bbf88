//! Which callers may use each of auth-service's methods (issue 28, finding 3): the app's flows
//! from the gateway's app side, operators' work from its admin side only, and loan-service's reads
//! of what it lends on. A method not listed is refused to everyone.

use cashloan_runtime::grpc::identity::{GATEWAY, GATEWAY_ADMIN, LOAN, RISK};

pub fn allowed(method: &str) -> &'static [&'static str] {
    match method {
        "IssueCaptcha"
        | "SendSmsCode"
        | "CheckSmsCode"
        | "Register"
        | "Login"
        | "Logout"
        | "ResolveSession"
        | "VerifyResetIdentity"
        | "ResetPassword"
        | "ChangePassword"
        | "VerifyRealName"
        | "VerifyBankCard"
        | "VerifyCarrier"
        | "SaveProfile"
        | "SaveContact"
        | "GetConsents"
        | "AcceptConsent"
        | "WithdrawConsent"
        | "GetConsentText" => &[GATEWAY],
        "FindAccount" | "GetProfile" => &[GATEWAY, GATEWAY_ADMIN],
        "GetAuthenticationStatus" => &[GATEWAY, GATEWAY_ADMIN, LOAN],
        "GetVerificationSummary" | "GetVerifiedIdentity" => &[LOAN],
        "GetRiskFacts" => &[RISK],
        "UpdateUserFlags"
        | "VerifyEvidence"
        | "StartAudit"
        | "FinishAudit"
        | "ListAudit"
        | "RevealField"
        | "CreateOperator"
        | "UpdateOperator"
        | "ListOperators"
        | "OperatorLogin"
        | "ResolveOperatorSession"
        | "OperatorLogout"
        | "OpenEnrolment"
        | "CompleteEnrolment"
        | "ProposeApproval"
        | "GetApproval"
        | "ListApprovals"
        | "DecideApproval"
        | "FinishApproval" => &[GATEWAY_ADMIN],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_method_of_the_service_has_its_callers() {
        let proto = include_str!("../../proto/proto/auth.proto");
        let missing = cashloan_runtime::grpc::identity::methods_without_callers(proto, super::allowed);
        assert!(missing.is_empty(), "no callers: {missing:?}");
        assert!(super::allowed("NoSuchMethod").is_empty());
    }
}
