//! Contracts: the documents an application and a loan carry, their links, the signer and the
//! issuer that seals them, and the audit of their evidence. Calls loan and store.

pub mod audit;
mod documents;
pub mod issuer;
pub mod link;
pub mod signer;

pub use documents::*;
