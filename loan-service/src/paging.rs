//! Pages of a list request.

use cashloan_proto::loan::v1 as pb;

/// Offset and limit of a requested page (1 and 10 by default).
pub(crate) fn page(p: Option<&pb::Page>) -> (i64, i64) {
    let p = p.copied().unwrap_or(pb::Page { num: 1, size: 10 });
    cashloan_runtime::db::page_bounds(p.num, p.size)
}
