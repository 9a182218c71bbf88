//! Rulesets: the document and its checks (`ruleset`), the compiled expressions (`expression`),
//! evaluation (`evaluate`), replay over stored snapshots (`replay`) and what one ruleset changes
//! from another (`diff`) — pure functions of the rulesets and the features.

pub mod diff;
pub mod evaluate;
pub mod expression;
pub mod replay;
pub mod ruleset;
