//! The ledger: the journal's accounts and entries (pure), and the books' checks and reports.
//! Calls store; never payments or the flows above it.

pub mod books;
mod journal;

pub use journal::*;
