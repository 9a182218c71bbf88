// Approvals: requests waiting for a second operator, confirmed or rejected here.

import { api, el, hasRole, main, notice, pager, show, state, table } from "../core.js";

const APPROVAL_STATUS = { pending: "待复核", executing: "执行中", done: "已执行", failed: "执行失败", rejected: "已驳回", withdrawn: "已撤回" };

export async function approvalsPage(filters) {
  const status = filters.status === undefined ? "pending" : filters.status;
  const page = { pageNum: filters.pageNum || 1, pageSize: 20 };
  const reply = await api("/admin/approvals/list", { status, ...page });
  const again = (changes) => approvalsPage({ ...filters, status, ...changes });
  const result = el("div", { id: "approval-result" });
  async function decide(a, decision) {
    const answer = await api("/admin/approvals/decide", { id: a.id, decision });
    await again({});
    main().append(notice(answer, decision === "confirm" ? "已复核并执行" : "已驳回"));
  }
  const canDecide = hasRole("reviewer", "finance", "admin");
  show(
    el("h1", {}, "复核"),
    el("p", { class: "muted" }, "黑名单、额度变更与起息日早于今天的放款须由另一名有相应权限的操作员复核。"),
    el("div", { class: "filters", role: "group", "aria-label": "状态" },
      Object.entries({ pending: "待复核", done: "已执行", rejected: "已驳回", "": "全部" }).map(([value, label]) =>
        el("button", { type: "button", "aria-pressed": String(value === status), onclick: () => again({ status: value, pageNum: 1 }) }, label))),
    reply.responseCode === "0000" ? table("复核请求（最早的在前）", [
      { label: "提交时间", cell: (a) => a.madeAt, nowrap: true },
      { label: "发起人", cell: (a) => a.madeBy },
      { label: "内容", cell: (a) => a.summary },
      { label: "状态", cell: (a) => APPROVAL_STATUS[a.status] || a.status },
      { label: "复核人", cell: (a) => a.decidedBy },
      { label: "结果", cell: (a) => a.outcome },
      { label: "操作", cell: (a) => (a.status === "pending" && canDecide && a.madeBy !== state.operator.username
        ? el("span", { class: "actions" },
          el("button", { type: "button", class: "primary", onclick: () => decide(a, "confirm") }, "确认执行"),
          el("button", { type: "button", class: "danger", onclick: () => decide(a, "reject") }, "驳回"))
        : "") },
    ], reply.resultSet) : notice(reply),
    pager(reply, page, (pageNum) => again({ pageNum })),
    result);
}
