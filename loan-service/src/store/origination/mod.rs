//! Applications (their numbering, history and documents) and credit lines.

pub(in crate::store) mod applications;
mod credit;
pub(in crate::store) mod decisions;
