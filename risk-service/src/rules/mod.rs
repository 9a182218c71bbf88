//! Rulesets: the document and its checks (`ruleset`), the compiled expressions (`expression`),
//! and evaluation (`evaluate`) — pure functions of the ruleset and the features.

pub mod evaluate;
pub mod expression;
pub mod ruleset;
