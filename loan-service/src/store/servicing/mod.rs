//! The repayment plan and its reminders, repayments, and collections.

pub(in crate::store) mod collections;
pub(in crate::store) mod plan;
pub(in crate::store) mod repayments;
