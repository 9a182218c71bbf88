// Payouts: approved applications and their payout orders.

import { ORDER_STATUS, api, el, notice, pager, show, table } from "../core.js";
import { APPLICATION_COLUMNS } from "./review.js";

export async function payoutsPage(filters) {
  const page = { pageNum: filters.pageNum || 1, pageSize: 20 };
  const waiting = await api("/admin/loans/list", { status: "2", order: "oldest", ...page });
  const failed = await api("/admin/payments/list", { kind: "payout", status: "failed", pageNum: 1, pageSize: 20 });
  show(
    el("h1", {}, "放款"),
    waiting.responseCode === "0000" ? table("待放款（最早的在前）", APPLICATION_COLUMNS, waiting.resultSet) : notice(waiting),
    pager(waiting, page, (pageNum) => payoutsPage({ ...filters, pageNum })),
    failed.responseCode === "0000" ? table("放款失败", [
      { label: "放款单号", cell: (o) => o.orderNo },
      { label: "申请", cell: (o) => el("a", { href: `#/application/${o.applyId}` }, "查看") },
      { label: "金额", cell: (o) => o.amount },
      { label: "状态", cell: (o) => ORDER_STATUS[o.status] || o.status },
      { label: "原因", cell: (o) => o.reason },
      { label: "创建时间", cell: (o) => o.createdAt },
    ], failed.resultSet) : notice(failed));
}
