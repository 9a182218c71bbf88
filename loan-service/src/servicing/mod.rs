//! Servicing: the book after payout. The plan and its document, repayments (through
//! `payments`), collections, and the reminder and overdue-notice job. Calls loan, contracts,
//! payments and store.

pub mod collections;
pub mod plan_document;
pub mod reminders;
pub mod repayments;
