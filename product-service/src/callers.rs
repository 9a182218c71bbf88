//! Which callers may use each of product-service's methods (issue 28, finding 3): reads for the
//! app and loan-service, changes from the gateway's admin side only.

use cashloan_runtime::grpc::identity::{GATEWAY, GATEWAY_ADMIN, LOAN};

pub fn allowed(method: &str) -> &'static [&'static str] {
    match method {
        "GetProduct" => &[GATEWAY, LOAN],
        "ListProducts" => &[GATEWAY, GATEWAY_ADMIN],
        "UpsertProduct" => &[GATEWAY_ADMIN],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_method_of_the_service_has_its_callers() {
        let proto = include_str!("../../proto/proto/product.proto");
        let missing = cashloan_runtime::grpc::identity::methods_without_callers(proto, super::allowed);
        assert!(missing.is_empty(), "no callers: {missing:?}");
        assert!(super::allowed("NoSuchMethod").is_empty());
    }
}
