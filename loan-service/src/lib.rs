//! loan-service: quotes and the repayment-schedule engine (API.md §6.4).

pub mod schedule;
