//! The internal contracts between the gateway and the services: one versioned package per service.

pub mod common {
    pub mod v1 {
        tonic::include_proto!("cashloan.common.v1");
    }
}

pub use common::v1::Reason;

pub mod auth {
    pub mod v1 {
        tonic::include_proto!("cashloan.auth.v1");
    }
}

pub mod message {
    pub mod v1 {
        tonic::include_proto!("cashloan.message.v1");
    }
}

pub mod product {
    pub mod v1 {
        tonic::include_proto!("cashloan.product.v1");
    }
}

pub mod loan {
    pub mod v1 {
        tonic::include_proto!("cashloan.loan.v1");
    }
}

pub mod risk {
    pub mod v1 {
        tonic::include_proto!("cashloan.risk.v1");
    }
}

/// The paths (`/package.Service/Method`) of every method its proto marks `NO_SIDE_EFFECTS` or
/// `IDEMPOTENT`: a call to one of them that met an unavailable endpoint may be made again.
pub const REPEATABLE_METHODS: &[&str] = include!(concat!(env!("OUT_DIR"), "/repeatable.rs"));

/// Whether a call to `path` may be made again (see `REPEATABLE_METHODS`).
pub fn is_repeatable(path: &str) -> bool {
    REPEATABLE_METHODS.contains(&path)
}
