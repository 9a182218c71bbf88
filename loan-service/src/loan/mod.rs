//! The loan's own rules, as plain types and functions with no I/O: terms and their limits, the
//! repayment schedule, charges (penalties), an application's lifecycle, a quote, the codes the
//! database stores, and the plan an approved application makes. Calls nothing but `error` and
//! the store's row types.

pub mod charges;
pub mod lifecycle;
pub mod plan;
pub mod quote;
pub mod schedule;
pub mod stored;
pub mod terms;
