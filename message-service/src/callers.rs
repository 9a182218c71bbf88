//! Which callers may use each of message-service's methods (issue 28, finding 3): codes only from
//! auth-service, loan events only from loan-service, the outbox and publishing only from the
//! gateway's admin side. A method not listed is refused to everyone.

use cashloan_runtime::grpc::identity::{AUTH, GATEWAY, GATEWAY_ADMIN, LOAN};

pub fn allowed(method: &str) -> &'static [&'static str] {
    match method {
        "SendVerificationCode" => &[AUTH],
        "DeliverLoanEvent" => &[LOAN],
        "SubmitFeedback" | "DetectAppVersion" | "ListSystemMessages" => &[GATEWAY],
        "ListCustomerMessages" => &[GATEWAY, GATEWAY_ADMIN],
        "ListSmsOutbox" | "PublishAppVersion" | "PublishSystemMessage" => &[GATEWAY_ADMIN],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_method_of_the_service_has_its_callers() {
        let proto = include_str!("../../proto/proto/message.proto");
        let missing = cashloan_runtime::grpc::identity::methods_without_callers(proto, super::allowed);
        assert!(missing.is_empty(), "no callers: {missing:?}");
        assert!(super::allowed("NoSuchMethod").is_empty());
    }
}
