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
