// The audit log, filtered.

import { ACTION, ROLE, api, el, filterForm, notice, pager, show, table } from "../core.js";

export async function auditPage(filters) {
  const page = { pageNum: filters.pageNum || 1, pageSize: 50 };
  const reply = await api("/admin/audit/list", { operator: filters.operator || "", action: filters.action || "", ...page });
  const again = (changes) => auditPage({ ...filters, ...changes });
  show(
    el("h1", {}, "审计日志"),
    filterForm([["operator", "操作员"], ["action", "操作（路径）"]], filters, (values) => again({ ...values, pageNum: 1 })),
    reply.responseCode === "0000" ? table("审计日志（最新的在前）", [
      { label: "时间", cell: (e) => e.startedAt, nowrap: true },
      { label: "操作员", cell: (e) => e.operator },
      { label: "角色", cell: (e) => e.role.split(",").map((r) => ROLE[r] || r).join("、"), nowrap: true },
      { label: "操作", cell: (e) => el("span", { title: e.action }, ACTION[e.action] || e.action) },
      { label: "对象", cell: (e) => e.target },
      { label: "结果", cell: (e) => e.outcome || "进行中" },
      { label: "变更（前 → 后）", cell: (e) => (e.changes ? Object.entries(e.changes).map(([k, v]) =>
        el("div", {}, `${k}: ${JSON.stringify(v.before)} → ${JSON.stringify(v.after)}`)) : "") },
      { label: "IP", cell: (e) => e.clientIp },
      { label: "已封存", cell: (e) => (e.sealed ? "是" : "否") },
    ], reply.resultSet) : notice(reply),
    pager(reply, page, (pageNum) => again({ pageNum })));
}
