// The books: reconciliation runs, mismatches, the trial balance, and resolutions.

import { api, el, field, filterForm, hasRole, notice, pager, show, table } from "../core.js";

export async function booksPage(filters) {
  const page = { pageNum: filters.pageNum || 1, pageSize: 20 };
  const [mismatches, balance] = await Promise.all([
    api("/admin/reconciliation/mismatches", { date: filters.date || "", ...page }),
    api("/admin/ledger/trialBalance", filters.asOf ? { asOf: filters.asOf } : {}),
  ]);
  const again = (changes) => booksPage({ ...filters, ...changes });
  const sections = [el("h1", {}, "对账与账本")];
  if (hasRole("finance")) {
    const result = el("div", { id: "reconcile-result" });
    const form = el("form", { class: "card", id: "reconcile-form", "aria-labelledby": "reconcile-title" },
      el("h2", { id: "reconcile-title" }, "对账"),
      field("日期（yyyy-MM-dd，北京时间）", el("input", { name: "date", id: "reconcile-date", required: true, placeholder: "2026-12-01" })),
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "对账")), result);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const reply = await api("/admin/reconciliation/run", { date: new FormData(form).get("date") });
      result.replaceChildren(reply.responseCode === "0000"
        ? el("p", { role: "status", class: "ok" }, `对账单 ${reply.resultSet.statement === "READY" ? "已就绪" : "未就绪"}：一致 ${reply.resultSet.matched} 笔，不一致 ${reply.resultSet.mismatched} 笔`)
        : notice(reply));
    });
    sections.push(form, resolveForm());
  }
  sections.push(
    filterForm([["date", "差异日期"]], filters, (values) => again({ ...values, pageNum: 1 })),
    mismatches.responseCode === "0000" ? table("对账差异", [
      { label: "日期", cell: (m) => m.date, nowrap: true },
      { label: "单号", cell: (m) => m.orderNo },
      { label: "渠道记录", cell: (m) => m.channelSays },
      { label: "我方记录", cell: (m) => m.ledgerSays },
      { label: "处理", cell: (m) => m.resolution || "待处理" },
      { label: "发现时间", cell: (m) => m.createdAt, nowrap: true },
    ], mismatches.resultSet) : notice(mismatches),
    pager(mismatches, page, (pageNum) => again({ pageNum })),
    filterForm([["asOf", "试算截止日期（可选）"]], filters, (values) => again(values)));
  if (balance.responseCode === "0000") {
    const b = balance.resultSet;
    sections.push(
      table(`试算平衡：借方合计 ${b.totalDebit}，贷方合计 ${b.totalCredit}${b.totalDebit === b.totalCredit ? "（平衡）" : "（不平衡！）"}`, [
        { label: "科目", cell: (a) => a.account },
        { label: "名称", cell: (a) => a.name },
        { label: "借方", cell: (a) => a.debit },
        { label: "贷方", cell: (a) => a.credit },
        { label: "余额", cell: (a) => a.balance },
      ], b.accounts),
      table("账务检查", [
        { label: "检查项", cell: (i) => i.name },
        { label: "结果", cell: (i) => (i.holds ? "通过" : "未通过") },
        { label: "说明", cell: (i) => i.detail },
      ], b.invariants || []));
  } else {
    sections.push(notice(balance));
  }
  show(...sections);
}

// A `manual` or `mismatch` order or an overpayment, closed on evidence; it waits for a second
// finance operator on the approvals page.
function resolveForm() {
  const result = el("div", { id: "resolve-result" });
  const choice = el("select", { name: "resolution", id: "resolve-resolution", required: true },
    el("option", { value: "succeeded" }, "按成功入账（人工处理/金额不符的单）"),
    el("option", { value: "failed" }, "按失败处理（释放占用）"),
    el("option", { value: "apply" }, "多收款冲抵原还款期次"),
    el("option", { value: "refund" }, "多收款原路退回"));
  const form = el("form", { class: "card", id: "resolve-form", "aria-labelledby": "resolve-title" },
    el("h2", { id: "resolve-title" }, "处理支付单"),
    field("支付单号", el("input", { name: "orderNo", id: "resolve-order", required: true, placeholder: "RO20261201000001" })),
    field("处理方式", choice),
    field("依据（最多500字）", el("textarea", { name: "evidence", id: "resolve-evidence", required: true, maxlength: 500, rows: 2 })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "提交复核")), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await api("/admin/payments/resolve", Object.fromEntries(new FormData(form)));
    result.replaceChildren(notice(reply, "已提交，待其他财务复核"));
  });
  return form;
}
