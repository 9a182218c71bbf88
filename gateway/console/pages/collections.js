// Collections: overdue loans, a loan's page and its collection notes.

import { ORDER_STATUS, STATUS, api, el, facts, field, filterForm, hasRole, main, notice, pager, show, table } from "../core.js";

const PERIOD_STATUS = { "0": "未还", "1": "已还", "2": "处理中" };

export async function collectionsPage(filters) {
  const page = { pageNum: filters.pageNum || 1, pageSize: 20 };
  const reply = await api("/admin/collections/list", { mobile: filters.mobile || "", minDays: filters.minDays || "", ...page });
  const again = (changes) => collectionsPage({ ...filters, ...changes });
  show(
    el("h1", {}, "催收"),
    filterForm([["mobile", "手机号（完整）"], ["minDays", "最少逾期天数"]], filters, (values) => again({ ...values, pageNum: 1 })),
    reply.responseCode === "0000" ? table("逾期借款（逾期最久的在前）", [
      { label: "借款编号", cell: (l) => el("a", { href: `#/loan/${l.applyId}` }, l.code) },
      { label: "手机号", cell: (l) => l.mobile },
      { label: "产品", cell: (l) => l.productName },
      { label: "逾期期数", cell: (l) => l.overduePeriods },
      { label: "最早应还日", cell: (l) => l.firstDueDate, nowrap: true },
      { label: "逾期天数", cell: (l) => l.daysOverdue },
      { label: "逾期本息费", cell: (l) => l.overdueAmount },
      { label: "罚息", cell: (l) => l.penalty },
      { label: "合计应还", cell: (l) => l.totalOwed },
      { label: "最近催收记录", cell: (l) => (l.lastNote ? `${l.lastNote.at} ${l.lastNote.operator}：${l.lastNote.note}` : "—") },
    ], reply.resultSet) : notice(reply),
    pager(reply, page, (pageNum) => again({ pageNum })));
}

export async function loanPage(id) {
  const reply = await api("/admin/loans/overview", { applyId: id });
  if (reply.responseCode !== "0000") return show(el("h1", {}, "借款"), notice(reply));
  const { application: a, plan, payments, notes, messages } = reply.resultSet;
  const sections = [
    el("h1", {}, `借款 ${a.code}`),
    facts([
      ["状态", STATUS[a.applyStatus] || a.applyStatus], ["手机号", a.mobile], ["产品", a.name],
      ["放款金额", a.replyAmount || a.applyAmount], ["放款时间", a.releaseDate], ["年利率", a.interestRate],
    ]),
    el("p", {}, el("a", { href: `#/application/${a.id}` }, "查看申请与审批记录")),
    table("还款计划", [
      { label: "期数", cell: (p) => p.periodNum },
      { label: "应还日", cell: (p) => p.dueDate, nowrap: true },
      { label: "本金", cell: (p) => p.duePrincipal },
      { label: "利息", cell: (p) => p.dueInterest },
      { label: "服务费", cell: (p) => p.fee },
      { label: "应还合计", cell: (p) => p.dueAmount },
      { label: "状态", cell: (p) => PERIOD_STATUS[p.repayStatus] || p.repayStatus },
    ], plan),
    table("支付单", [
      { label: "单号", cell: (o) => o.orderNo },
      { label: "类型", cell: (o) => ({ payout: "放款", repay: "还款", refund: "退款" }[o.kind] || o.kind) },
      { label: "期数", cell: (o) => o.periods },
      { label: "金额", cell: (o) => o.amount },
      { label: "状态", cell: (o) => ORDER_STATUS[o.status] || o.status },
      { label: "原因", cell: (o) => o.reason },
      { label: "创建时间", cell: (o) => o.createdAt, nowrap: true },
    ], payments),
    table("催收记录", [
      { label: "时间", cell: (n) => n.at, nowrap: true },
      { label: "操作员", cell: (n) => n.operator },
      { label: "记录", cell: (n) => n.note },
    ], notes),
  ];
  if (hasRole("finance", "admin")) sections.push(noteForm(a.id));
  sections.push(table("已发送给客户的消息", [
    { label: "时间", cell: (m) => m.sendDate, nowrap: true },
    { label: "标题", cell: (m) => m.title },
    { label: "内容", cell: (m) => m.content },
  ], messages));
  if (a.contractInfoList && a.contractInfoList.length) {
    sections.push(el("h2", {}, "合同"), el("ul", {}, a.contractInfoList.map((c) =>
      el("li", {}, el("a", { href: c.contractPath, target: "_blank", rel: "noopener noreferrer" }, c.contractName)))));
  }
  show(...sections);
}

function noteForm(applyId) {
  const result = el("div", { id: "note-result" });
  const form = el("form", { class: "card", id: "note-form", "aria-labelledby": "note-title" },
    el("h2", { id: "note-title" }, "添加催收记录"),
    field("记录（500字以内）", el("input", { name: "note", id: "note", maxlength: 500, required: true })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "保存")), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await api("/admin/collections/note", { applyId, note: new FormData(form).get("note") });
    if (reply.responseCode === "0000") return loanPage(applyId).then(() => main().append(notice(reply, "已记录")));
    result.replaceChildren(notice(reply));
  });
  return form;
}
