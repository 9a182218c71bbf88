// The console's core: the signed-in state, labels, building elements (text only ever through
// textContent), the /admin/* call with the session's CSRF token, tables, pagers and filters.

export const state = { csrf: "", operator: null };

export const STATUS = { "0": "待审核", "1": "审核中", "2": "已批准", "3": "已拒绝", "4": "已放款", "5": "已结清" };

export const UNIT = { "1": "天", "2": "个月" };

export const ROLE = { reviewer: "审核员", finance: "财务", admin: "管理员", auditor: "审计员" };

export const ACTION = {
  "/console/api/login": "登录", "/console/api/logout": "退出",
  "/console/api/enrolment": "打开设置链接", "/console/api/enrol": "设置密码",
  "/admin/loans/list": "查询借款", "/admin/loans/review": "审核借款", "/admin/loans/disburse": "放款",
  "/admin/users/update": "修改用户", "/admin/products/upsert": "保存产品", "/admin/messages/system": "发布系统消息",
  "/admin/appVersions/publish": "发布版本", "/admin/sms/outbox": "查询短信", "/admin/payments/list": "查询支付单",
  "/admin/payments/settle": "查询并结算支付单", "/admin/payments/resolve": "处理支付单", "/admin/reconciliation/run": "对账", "/admin/reconciliation/mismatches": "查询对账差异",
  "/admin/ledger/fund": "记录注资", "/admin/ledger/trialBalance": "试算平衡", "/admin/contracts/verify": "校验合同",
  "/admin/audit/list": "查询审计日志", "/admin/reveal": "查看完整信息", "/admin/operators/list": "查询操作员",
  "/admin/operators/create": "新建操作员", "/admin/operators/update": "修改操作员",
};

export const ORDER_STATUS = { created: "已创建", submitted: "处理中", unknown: "结果未明", succeeded: "成功", failed: "失败", returned: "已退票", manual: "人工处理", mismatch: "对账不符" };

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function maskMobile(mobile) {
  return /^\d{11}$/.test(mobile || "") ? mobile.slice(0, 3) + "****" + mobile.slice(7) : (mobile || "");
}

export function dateTime(ms) {
  if (typeof ms !== "number" || !ms) return "";
  const d = new Date(ms + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19).replace("T", " ");
}

export function hasRole(...roles) {
  return !!state.operator && state.operator.roles.some((r) => roles.includes(r));
}

export class Unauthenticated extends Error {}

export async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf },
    body: JSON.stringify(body || {}),
  });
  if (response.status === 401) {
    state.operator = null;
    unauthenticated();
    throw new Unauthenticated();
  }
  return response.json();
}

export function main() {
  return document.getElementById("main");
}

export function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
  const heading = m.querySelector("h1");
  if (heading) heading.setAttribute("tabindex", "-1");
  (heading || m).focus();
}

export function notice(reply, success) {
  const ok = reply.responseCode === "0000";
  return el("p", { role: ok ? "status" : "alert", class: ok ? "ok" : "error" },
    ok ? (success || reply.responseMessage) : `${reply.responseMessage}（${reply.responseCode}）`);
}

export function field(label, input) {
  const id = input.id || input.name;
  input.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), input);
}

export function table(caption, columns, rows) {
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.label)))),
    el("tbody", {}, rows.length
      ? rows.map((row) => el("tr", {}, columns.map((c) => el("td", { class: c.nowrap ? "nowrap" : false }, c.cell(row)))))
      : el("tr", {}, el("td", { colspan: columns.length, class: "muted" }, "暂无数据"))));
}

export function pager(reply, page, go) {
  const total = reply.total || 0;
  const pages = Math.max(1, Math.ceil(total / page.pageSize));
  return el("div", { class: "pager" },
    el("button", { type: "button", disabled: page.pageNum <= 1, onclick: () => go(page.pageNum - 1) }, "上一页"),
    ` 第 ${page.pageNum} / ${pages} 页，共 ${total} 条 `,
    el("button", { type: "button", disabled: page.pageNum >= pages, onclick: () => go(page.pageNum + 1) }, "下一页"));
}

export function filterForm(fields, values, apply) {
  const form = el("form", { class: "filters", role: "search" },
    fields.map(([name, label]) => field(label, el("input", { name, id: `filter-${name}`, value: values[name] || "" }))),
    el("button", { type: "submit" }, "筛选"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    apply(Object.fromEntries(fields.map(([name]) => [name, String(data.get(name) || "").trim()])));
  });
  return form;
}

export const YES = (v) => (v ? "是" : "否");

export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v === "" || v === undefined ? "—" : v)]));
}

let unauthenticated = () => {};

/** What to do when a call finds the session gone (the app shows the login). */
export function onUnauthenticated(then) {
  unauthenticated = then;
}
