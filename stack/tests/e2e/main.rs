//! End-to-end tests: the whole stack in-process on free ports, driven over HTTP like the app.

mod app_protocol;
mod app_protocol_vectors;
mod fake_aliyun;
mod fake_channel;
mod harness;

mod account;
mod alibaba_sms;
mod audit;
#[macro_use]
mod channel_http;
mod collections;
mod consents;
mod console_browser;
mod contract_browser;
mod contracts;
mod customer;
mod decisions;
mod insiders;
mod ledger;
mod loans;
mod messages;
mod openapi_fuzz;
mod openapi_traffic;
mod operators;
mod password;
mod payments;
mod products;
mod protocol;
mod repayments;
mod replicas;
mod resilience;
mod resolutions;
mod rulesets;
mod sms;
