//! Which callers may use each of loan-service's methods (issue 28, finding 3): the borrower's
//! flows and the channel's notifications from the gateway's app side, the back office's work from
//! its admin side only. A method not listed is refused to everyone.

use cashloan_runtime::grpc::identity::{GATEWAY, GATEWAY_ADMIN};

pub fn allowed(method: &str) -> &'static [&'static str] {
    match method {
        "Quote"
        | "Apply"
        | "ConfirmTerms"
        | "Repay"
        | "ListRepayments"
        | "Notify"
        | "GetContractPage"
        | "RequestManualReview" => &[GATEWAY],
        "ListApplications" | "ListPlan" | "UserCenter" | "GetLoanDecision" => &[GATEWAY, GATEWAY_ADMIN],
        "Review"
        | "ListOverdue"
        | "AddCollectionNote"
        | "ListCollectionNotes"
        | "ApplicationHistory"
        | "Disburse"
        | "SetCreditLine"
        | "TrialBalance"
        | "FundChannel"
        | "ListPayments"
        | "SettlePayment"
        | "ResolvePayment"
        | "Reconcile"
        | "ListMismatches"
        | "VerifyContracts"
        | "CountOverrides" => &[GATEWAY_ADMIN],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_method_of_the_service_has_its_callers() {
        let proto = include_str!("../../proto/proto/loan.proto");
        let missing = cashloan_runtime::grpc::identity::methods_without_callers(proto, super::allowed);
        assert!(missing.is_empty(), "no callers: {missing:?}");
        assert!(super::allowed("NoSuchMethod").is_empty());
    }
}
