//! End-to-end tests: the whole stack in-process on free ports, driven over HTTP like the app.

mod harness;

mod account;
mod customer;
mod loans;
mod messages;
mod password;
mod products;
mod protocol;
mod repayments;
mod resilience;
mod sms;
