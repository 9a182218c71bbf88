//! Origination: an application from quote to payout. Applying (with its documents), review,
//! the customer's confirmation of changed terms and the contract pages, credit lines, and the
//! disbursement that hands the payout to `payments`. Calls loan, contracts, payments and store.

pub mod applications;
pub mod contract_pages;
pub mod decisions;
mod disbursement;
mod explanation;
mod review;
pub mod terms_confirmation;
