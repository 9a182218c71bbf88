//! Handlers grouped by service: body fields → proto request → call → resultSet.

pub mod account;
pub mod app;
pub mod consent;
pub mod customer;
pub mod decision;
pub mod loan;
