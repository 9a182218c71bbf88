// The operator console: one page, hash routes, every change through /admin/* with the session's
// CSRF token. Text only ever goes in through textContent, never as markup.
"use strict";

const state = { csrf: "", operator: null };

const STATUS = { "0": "待审核", "1": "审核中", "2": "已批准", "3": "已拒绝", "4": "已放款", "5": "已结清" };
const UNIT = { "1": "天", "2": "个月" };
const ROLE = { reviewer: "审核员", finance: "财务", admin: "管理员", auditor: "审计员" };
const ACTION = {
  "/console/api/login": "登录", "/console/api/logout": "退出",
  "/admin/loans/list": "查询借款", "/admin/loans/review": "审核借款", "/admin/loans/disburse": "放款",
  "/admin/users/update": "修改用户", "/admin/products/upsert": "保存产品", "/admin/messages/system": "发布系统消息",
  "/admin/appVersions/publish": "发布版本", "/admin/sms/outbox": "查询短信", "/admin/payments/list": "查询支付单",
  "/admin/payments/settle": "查询并结算支付单", "/admin/payments/resolve": "处理支付单", "/admin/reconciliation/run": "对账", "/admin/reconciliation/mismatches": "查询对账差异",
  "/admin/ledger/fund": "记录注资", "/admin/ledger/trialBalance": "试算平衡", "/admin/contracts/verify": "校验合同",
  "/admin/audit/list": "查询审计日志", "/admin/reveal": "查看完整信息", "/admin/operators/list": "查询操作员",
  "/admin/operators/create": "新建操作员", "/admin/operators/update": "修改操作员",
};
const ORDER_STATUS = { created: "已创建", submitted: "处理中", unknown: "结果未明", succeeded: "成功", failed: "失败", returned: "已退票", manual: "人工处理", mismatch: "对账不符" };

function el(tag, attrs, ...children) {
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

function maskMobile(mobile) {
  return /^\d{11}$/.test(mobile || "") ? mobile.slice(0, 3) + "****" + mobile.slice(7) : (mobile || "");
}

function dateTime(ms) {
  if (typeof ms !== "number" || !ms) return "";
  const d = new Date(ms + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19).replace("T", " ");
}

function hasRole(...roles) {
  return !!state.operator && state.operator.roles.some((r) => roles.includes(r));
}

class Unauthenticated extends Error {}

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf },
    body: JSON.stringify(body || {}),
  });
  if (response.status === 401) {
    state.operator = null;
    showLogin();
    throw new Unauthenticated();
  }
  return response.json();
}

function main() {
  return document.getElementById("main");
}

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
  const heading = m.querySelector("h1");
  if (heading) heading.setAttribute("tabindex", "-1");
  (heading || m).focus();
}

function notice(reply, success) {
  const ok = reply.responseCode === "0000";
  return el("p", { role: ok ? "status" : "alert", class: ok ? "ok" : "error" },
    ok ? (success || reply.responseMessage) : `${reply.responseMessage}（${reply.responseCode}）`);
}

// ---- login -------------------------------------------------------------------------------

function showLogin(message) {
  renderChrome();
  const error = el("p", { role: "alert", class: "error", id: "login-error" }, message || "");
  const form = el("form", { class: "card narrow", id: "login-form", "aria-labelledby": "login-title" },
    el("h1", { id: "login-title" }, "登录"),
    field("用户名", el("input", { name: "username", id: "username", autocomplete: "username", required: true })),
    field("密码", el("input", { name: "password", id: "password", type: "password", autocomplete: "current-password", required: true })),
    field("动态口令（管理员必填）", el("input", { name: "totp", id: "totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "\\d{6}", maxlength: 6 })),
    error,
    el("button", { type: "submit", id: "login-submit" }, "登录"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const response = await fetch("/console/api/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: data.get("username"), password: data.get("password"), totp: data.get("totp") }),
    });
    const reply = await response.json();
    if (reply.responseCode === "0000") {
      state.csrf = reply.resultSet.csrf;
      state.operator = reply.resultSet.operator;
      if (!location.hash || location.hash === "#/") location.hash = home();
      route();
    } else {
      error.textContent = `${reply.responseMessage}（${reply.responseCode}）`;
      form.querySelector(reply.responseCode === "20009003" || reply.responseCode === "20009004" ? "#totp" : "#password").focus();
    }
  });
  show(form);
  form.querySelector("#username").focus();
}

function field(label, input) {
  const id = input.id || input.name;
  input.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), input);
}

async function logout() {
  await api("/console/api/logout", {}).catch(() => {});
  state.operator = null;
  state.csrf = "";
  showLogin("已退出登录");
}

// ---- chrome ------------------------------------------------------------------------------

const PAGES = [
  { hash: "#/review", label: "审核队列", roles: ["reviewer", "auditor"] },
  { hash: "#/payouts", label: "放款", roles: ["finance", "auditor"] },
  { hash: "#/collections", label: "催收", roles: ["finance", "admin", "auditor"] },
  { hash: "#/books", label: "对账与账本", roles: ["finance", "auditor"] },
  { hash: "#/messages", label: "消息与版本", roles: ["admin"] },
  { hash: "#/approvals", label: "复核", roles: ["reviewer", "finance", "admin", "auditor"] },
  { hash: "#/users", label: "用户", roles: ["admin", "auditor"] },
  { hash: "#/audit", label: "审计日志", roles: ["admin", "auditor"] },
  { hash: "#/products", label: "产品", roles: ["admin", "auditor"] },
  { hash: "#/operators", label: "操作员", roles: ["admin"] },
];

function home() {
  const page = PAGES.find((p) => hasRole(...p.roles));
  return page ? page.hash : "#/none";
}

function renderChrome() {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!state.operator) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const current = location.hash.split("/").slice(0, 2).join("/");
  nav.replaceChildren(...PAGES.filter((p) => hasRole(...p.roles)).map((p) =>
    el("a", { href: p.hash, "aria-current": p.hash === current ? "page" : false }, p.label)));
  who.replaceChildren(
    `${state.operator.displayName || state.operator.username}（${state.operator.roles.map((r) => ROLE[r] || r).join("、")}）`,
    el("button", { type: "button", class: "link", id: "logout", onclick: logout }, "退出"));
}

// ---- tables and paging --------------------------------------------------------------------

function table(caption, columns, rows) {
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.label)))),
    el("tbody", {}, rows.length
      ? rows.map((row) => el("tr", {}, columns.map((c) => el("td", { class: c.nowrap ? "nowrap" : false }, c.cell(row)))))
      : el("tr", {}, el("td", { colspan: columns.length, class: "muted" }, "暂无数据"))));
}

function pager(reply, page, go) {
  const total = reply.total || 0;
  const pages = Math.max(1, Math.ceil(total / page.pageSize));
  return el("div", { class: "pager" },
    el("button", { type: "button", disabled: page.pageNum <= 1, onclick: () => go(page.pageNum - 1) }, "上一页"),
    ` 第 ${page.pageNum} / ${pages} 页，共 ${total} 条 `,
    el("button", { type: "button", disabled: page.pageNum >= pages, onclick: () => go(page.pageNum + 1) }, "下一页"));
}

function filterForm(fields, values, apply) {
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

// ---- review ------------------------------------------------------------------------------

function applicationLink(a) {
  return el("a", { href: `#/application/${a.id}` }, a.code);
}

const APPLICATION_COLUMNS = [
  { label: "申请编号", cell: applicationLink },
  { label: "手机号", cell: (a) => maskMobile(a.mobile) },
  { label: "产品", cell: (a) => a.name },
  { label: "申请金额", cell: (a) => a.applyAmount },
  { label: "批准金额", cell: (a) => a.replyAmount || "—" },
  { label: "期限", cell: (a) => `${a.termCount}${UNIT[a.termUnit] || ""}` },
  { label: "状态", cell: (a) => STATUS[a.applyStatus] || a.applyStatus },
  { label: "申请时间", cell: (a) => dateTime(a.applyTime), nowrap: true },
];

async function queuePage(title, statuses, filters) {
  const page = { pageNum: filters.pageNum || 1, pageSize: 20 };
  const reply = await api("/admin/loans/list", { statuses, order: "oldest", mobile: filters.mobile || "", ...page });
  const again = (changes) => queuePage(title, statuses, { ...filters, ...changes });
  show(
    el("h1", {}, title),
    filterForm([["mobile", "手机号"]], filters, (values) => again({ ...values, pageNum: 1 })),
    reply.responseCode === "0000"
      ? table(`${title}（最早的在前）`, APPLICATION_COLUMNS, reply.resultSet)
      : notice(reply),
    pager(reply, page, (pageNum) => again({ pageNum })));
}

const YES = (v) => (v ? "是" : "否");
const PROFILE_LABELS = [
  ["education", "学历"], ["martialStatus", "婚姻状况"], ["monthIncome", "月收入"], ["industryType", "行业"],
  ["currentPosition", "职位"], ["currentWorkInfo", "单位"], ["house_address_province", "居住省份"],
  ["house_address_city", "居住城市"], ["house_address_detail", "居住地址"], ["work_address_city", "工作城市"],
  ["residenceLength", "居住时长"], ["payrollDay", "发薪日"],
];
const MOVE_LABEL = (h) => `${h.fromStatus === "" ? "提交" : STATUS[h.fromStatus] || h.fromStatus} → ${STATUS[h.toStatus] || h.toStatus}`;

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v === "" || v === undefined ? "—" : v)]));
}

async function applicationPage(id) {
  const reply = await api("/admin/loans/detail", { applyId: id });
  if (reply.responseCode !== "0000") return show(el("h1", {}, "借款申请"), notice(reply));
  const { application: a, verification: v, profile, contacts, credit, history } = reply.resultSet;
  const result = el("div", { id: "action-result" });
  const sections = [
    el("h1", {}, `借款申请 ${a.code}`),
    facts([
      ["申请编号", a.code], ["状态", STATUS[a.applyStatus] || a.applyStatus], ["手机号", a.mobile],
      ["产品", a.name], ["申请金额", a.applyAmount], ["批准金额", a.replyAmount],
      ["申请期限", `${a.termCount}${UNIT[a.termUnit] || ""}`],
      ["批准期限", a.authTermCount ? `${a.authTermCount}${UNIT[a.authTermUnit] || ""}` : ""],
      ["年利率", a.interestRate], ["罚息年利率", a.penaltyRate], ["申请时间", dateTime(a.applyTime)],
      ["放款时间", a.releaseDate], ["待借款人确认", a.needConfirm === "1" ? "是" : "否"],
    ]),
    el("h2", {}, "借款人认证与额度"),
    facts([
      ["实名认证", YES(v.realNameVerified)], ["姓名", v.realName], ["身份证号", v.idCardNo],
      ["银行卡认证", YES(v.bankCardVerified)], ["银行卡号", v.bankCardNo], ["预留手机号", v.bankCardMobile],
      ["运营商认证", YES(v.mobileVerified)], ["资料完整", YES(v.customerInfoComplete)],
      ["黑名单", YES(v.blacklisted)], ["风险标记", YES(v.risk)],
      ["总额度", credit.totalCredit], ["可用额度", credit.availableCredit],
    ]),
    el("h2", {}, "个人信息（已脱敏）"),
    profile ? facts(PROFILE_LABELS.map(([key, label]) => [label, profile[key]])) : el("p", { class: "muted" }, "未填写"),
    table("紧急联系人", [
      { label: "关系", cell: (c) => c.relType },
      { label: "姓名", cell: (c) => c.realName },
      { label: "手机号", cell: (c) => c.phoneNum },
    ], contacts),
    table("审批记录", [
      { label: "时间", cell: (h) => h.at, nowrap: true },
      { label: "变更", cell: MOVE_LABEL },
      { label: "操作人", cell: (h) => (h.actor === a.userId ? "借款人" : h.actor) },
      { label: "备注", cell: (h) => h.remark },
    ], history),
  ];
  if (a.contractInfoList && a.contractInfoList.length) {
    sections.push(el("h2", {}, "合同"), el("ul", {}, a.contractInfoList.map((c) =>
      el("li", {}, el("a", { href: c.contractPath, target: "_blank", rel: "noopener noreferrer" }, c.contractName)))));
  }
  if (a.applyStatus === "4" || a.applyStatus === "5") sections.push(el("p", {}, el("a", { href: `#/loan/${a.id}`, id: "loan-link" }, "查看还款计划、支付单与催收记录")));
  if (hasRole("reviewer") && (a.applyStatus === "0" || a.applyStatus === "1")) sections.push(reviewForm(a, result));
  if (hasRole("finance") && a.applyStatus === "2") sections.push(payoutForm(a, result));
  if (hasRole("reviewer", "finance", "admin")) sections.push(revealForm(a.userId));
  sections.push(result);
  show(...sections);
}

function revealForm(userId) {
  const shown = el("p", { id: "revealed", role: "status" });
  const form = el("form", { class: "card", id: "reveal-form", "aria-labelledby": "reveal-title" },
    el("h2", { id: "reveal-title" }, "查看完整信息（将记录审计日志）"),
    field("字段", el("select", { name: "field", id: "reveal-field" },
      [["mobile", "手机号"], ["realName", "姓名"], ["idCardNo", "身份证号"], ["bankCardNo", "银行卡号"]].map(([value, label]) =>
        el("option", { value }, label)))),
    field("原因（必填）", el("input", { name: "reason", id: "reveal-reason", required: true, maxlength: 200 })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "查看")), shown);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const reply = await api("/admin/reveal", { userId, field: data.get("field"), reason: data.get("reason") });
    shown.replaceChildren(reply.responseCode === "0000" ? `完整值：${reply.resultSet}` : notice(reply));
  });
  return form;
}

function reviewForm(a, result) {
  const form = el("form", { class: "card", id: "review-form", "aria-labelledby": "review-title" },
    el("h2", { id: "review-title" }, "审核"),
    field("批准金额（可调低）", el("input", { name: "replyAmount", id: "replyAmount", value: a.applyAmount, inputmode: "decimal" })),
    field(`批准期限（${UNIT[a.termUnit] || ""}）`, el("input", { name: "authTermCount", id: "authTermCount", value: a.termCount, inputmode: "numeric" })),
    field("备注", el("input", { name: "remark", id: "remark", maxlength: 200 })),
    el("div", { class: "actions" },
      a.applyStatus === "0" ? el("button", { type: "button", id: "start-review", onclick: () => decide("start") }, "开始审核") : null,
      el("button", { type: "submit", id: "approve", class: "primary" }, "批准"),
      el("button", { type: "button", id: "reject", class: "danger", onclick: () => decide("reject") }, "拒绝")));
  async function decide(decision) {
    const data = new FormData(form);
    const body = { applyId: a.id, decision, remark: data.get("remark") };
    if (decision === "approve") {
      body.replyAmount = data.get("replyAmount");
      body.authTermCount = data.get("authTermCount");
      body.authTermUnit = a.termUnit;
    }
    const reply = await api("/admin/loans/review", body);
    if (reply.responseCode === "0000") return applicationPage(a.id).then(() => main().append(notice(reply, "已保存")));
    result.replaceChildren(notice(reply));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); decide("approve"); });
  return form;
}

function payoutForm(a, result) {
  const form = el("form", { class: "card", id: "payout-form", "aria-labelledby": "payout-title" },
    el("h2", { id: "payout-title" }, "放款"),
    el("p", {}, `向借款人已验证的银行卡放款 ${a.replyAmount || a.applyAmount} 元。`),
    field("起息日（可选，yyyy-MM-dd）", el("input", { name: "releaseDate", id: "releaseDate", placeholder: "默认今天" })),
    el("div", { class: "actions" }, el("button", { type: "submit", id: "disburse", class: "primary" }, "确认放款")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await api("/admin/loans/disburse", { applyId: a.id, releaseDate: new FormData(form).get("releaseDate") });
    if (reply.responseCode === "0000") return applicationPage(a.id).then(() => main().append(notice(reply, `放款单 ${reply.resultSet} 已提交`)));
    result.replaceChildren(notice(reply));
  });
  return form;
}

// ---- payouts -----------------------------------------------------------------------------

async function payoutsPage(filters) {
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

// ---- audit -------------------------------------------------------------------------------

async function auditPage(filters) {
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

// ---- operators ---------------------------------------------------------------------------

async function operatorsPage() {
  const reply = await api("/admin/operators/list", {});
  const result = el("div", { id: "operator-result" });
  const form = el("form", { class: "card", id: "operator-form", "aria-labelledby": "operator-title" },
    el("h2", { id: "operator-title" }, "新建操作员"),
    field("用户名", el("input", { name: "username", id: "new-username", required: true })),
    field("显示名", el("input", { name: "displayName", id: "new-display" })),
    field("初始密码（10-64位，至少两类字符）", el("input", { name: "password", id: "new-password", type: "password", autocomplete: "new-password", required: true })),
    el("fieldset", {}, el("legend", {}, "角色（审核员与财务不能兼任）"),
      Object.entries(ROLE).map(([value, label]) =>
        el("label", { class: "inline" }, el("input", { type: "checkbox", name: "roles", value }), label))),
    el("label", { class: "inline" }, el("input", { type: "checkbox", name: "withTotp", value: "1" }), "启用动态口令（管理员必开）"),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "创建")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const created = await api("/admin/operators/create", {
      username: data.get("username"), displayName: data.get("displayName"), password: data.get("password"),
      roles: data.getAll("roles"), withTotp: data.get("withTotp") ? "1" : "0",
    });
    if (created.responseCode !== "0000") return result.replaceChildren(notice(created));
    await operatorsPage();
    const uri = created.resultSet.totpUri;
    main().append(notice(created, "已创建"), uri
      ? el("p", { class: "card" }, "请将此密钥添加到验证器（仅显示一次）：", el("code", {}, uri))
      : "");
  });
  show(
    el("h1", {}, "操作员"),
    reply.responseCode === "0000" ? table("操作员", [
      { label: "用户名", cell: (o) => o.username },
      { label: "显示名", cell: (o) => o.displayName },
      { label: "角色", cell: (o) => o.roles.map((r) => ROLE[r] || r).join("、") },
      { label: "动态口令", cell: (o) => (o.totpEnrolled ? "已启用" : "未启用") },
      { label: "状态", cell: (o) => (o.disabled ? "已停用" : "正常") },
      { label: "创建人", cell: (o) => o.createdBy },
      { label: "创建时间", cell: (o) => o.createdAt },
    ], reply.resultSet) : notice(reply),
    form, result);
}

// ---- products ----------------------------------------------------------------------------

const PRODUCT_GROUPS = [
  ["基本信息", [["code", "产品代码"], ["name", "产品名称"], ["onSale", "上架（1 是，0 否）"], ["sortOrder", "排序"],
    ["detailDescription", "产品说明（以 ; 分隔）"], ["thirdServiceCode", "第三方服务编码"]]],
  ["金额", [["amountLimitType", "金额类型（0 区间，1 固定）"], ["singleMinAmount", "最小金额"], ["singleMaxAmount", "最大金额"],
    ["singleAmounts", "固定金额（以 , 分隔）"], ["singleDefaultAmount", "默认金额"]]],
  ["利率", [["interestRateLimitType", "利率类型（0 区间，1 固定）"], ["minInterestRate", "最低年利率"], ["maxInterestRate", "最高年利率"],
    ["interestRates", "固定年利率（以 , 分隔）"], ["defaultInterestRate", "默认年利率"]]],
  ["期限", [["termUnit", "期限单位（1 日，2 月，以 , 分隔）"], ["daysLimitType", "天数类型（0 区间，1 固定）"], ["singleMinDays", "最少天数"],
    ["singleMaxDays", "最多天数"], ["singleDays", "固定天数（以 , 分隔）"], ["singleDefaultDays", "默认天数"],
    ["monthsLimitType", "月数类型（0 区间，1 固定）"], ["singleMinMonths", "最少月数"], ["singleMaxMonths", "最多月数"],
    ["singleMonths", "固定月数（以 , 分隔）"], ["singleDefaultMonths", "默认月数"]]],
  ["还款与费用", [["repayType", "还款方式（1 一次性还本付息，2 按期还息到期还本，3 等额本息，4 等本等息）"],
    ["defaultRepayTermCount", "默认还款间隔"], ["defaultRepayTermUnit", "默认还款间隔单位（1 日，2 月）"],
    ["repayTermUnit", "还款间隔单位（以 , 分隔）"], ["penaltyRate", "罚息年利率"], ["feeRate", "每期服务费率"]]],
];

async function productsPage(editing) {
  const reply = await api("/admin/products/list", {});
  const products = reply.responseCode === "0000" ? reply.resultSet : [];
  const sections = [
    el("h1", {}, "产品"),
    reply.responseCode === "0000" ? table("全部产品（含已下架）", [
      { label: "产品代码", cell: (p) => p.code },
      { label: "名称", cell: (p) => p.name },
      { label: "金额", cell: (p) => (p.amountLimitType === "1" ? p.singleAmounts : `${p.singleMinAmount}–${p.singleMaxAmount}`) },
      { label: "年利率", cell: (p) => p.defaultInterestRate },
      { label: "状态", cell: (p) => (p.onSale === "1" ? "在售" : "已下架") },
      { label: "排序", cell: (p) => p.sortOrder },
      { label: "", cell: (p) => el("a", { href: `#/products/${p.id}` }, `编辑 ${p.name}`) },
    ], products) : notice(reply),
    el("p", {}, el("a", { href: "#/products/new", id: "new-product" }, "新建产品")),
  ];
  if (editing) {
    const product = editing === "new" ? { onSale: "0", sortOrder: "0" } : products.find((p) => p.id === editing);
    if (product) sections.push(productForm(product));
  }
  show(...sections);
  const form = document.getElementById("product-form");
  if (form) form.querySelector("input").focus();
}

function productForm(product) {
  const result = el("div", { id: "product-result" });
  const form = el("form", { class: "card", id: "product-form", novalidate: true, "aria-labelledby": "product-title" },
    el("h2", { id: "product-title" }, product.id ? `编辑产品：${product.name}` : "新建产品"),
    PRODUCT_GROUPS.map(([legend, fields]) => el("fieldset", { class: "grid" }, el("legend", {}, legend),
      fields.map(([name, label]) => field(label, el("input", { name, id: `product-${name}`, value: product[name] || "" }))))),
    result,
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "save-product" }, "保存")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const bad of form.querySelectorAll("[aria-invalid]")) {
      bad.removeAttribute("aria-invalid");
      bad.removeAttribute("aria-describedby");
    }
    for (const old of form.querySelectorAll(".field-error")) old.remove();
    const body = Object.fromEntries(new FormData(form).entries());
    if (product.id) body.id = product.id;
    const reply = await api("/admin/products/upsert", body);
    if (reply.responseCode === "0000") {
      await productsPage(null);
      main().append(notice(reply, "产品已保存"));
      return;
    }
    // 20008002 names the field after the colon: the error is shown where it is.
    const name = (reply.responseMessage.split(/[:：]\s*/)[1] || "").trim();
    const input = name && form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) {
      const id = `error-${name}`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.after(el("p", { class: "field-error error", id, role: "alert" }, "此项不符合产品规则（最小值不能大于最大值，默认值须在范围内，利率不能超过上限）"));
      input.focus();
    } else {
      result.replaceChildren(notice(reply));
    }
  });
  return form;
}

// ---- collections and a loan's page --------------------------------------------------------

const PERIOD_STATUS = { "0": "未还", "1": "已还", "2": "处理中" };

async function collectionsPage(filters) {
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

async function loanPage(id) {
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

// ---- users -------------------------------------------------------------------------------

async function usersPage(filters) {
  const sections = [el("h1", {}, "用户"),
    filterForm([["mobile", "手机号（完整）"]], filters, (values) => usersPage(values))];
  if (filters.mobile) {
    const reply = await api("/admin/users/detail", { mobile: filters.mobile });
    if (reply.responseCode !== "0000") sections.push(notice(reply));
    else sections.push(userCard(reply.resultSet, filters.mobile));
  }
  show(...sections);
}

function userCard(u, mobile) {
  const result = el("div", { id: "user-result" });
  const form = el("form", { class: "card", id: "user-form", "aria-labelledby": "user-title" },
    el("h2", { id: "user-title" }, "修改（黑名单与额度须另一名操作员复核）"),
    field("黑名单（1 是，0 否）", el("input", { name: "isBlackList", id: "user-blacklist", value: u.isBlackList })),
    field("风险标记（1 是，0 否）", el("input", { name: "isRisk", id: "user-risk", value: u.isRisk })),
    field("总额度", el("input", { name: "totalCredit", id: "user-credit", value: u.totalCredit, inputmode: "decimal" })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "提交")), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    const body = { mobile };
    // Only what changed is sent: an unchanged credit line asks no one to confirm anything.
    if (data.isBlackList !== u.isBlackList) body.isBlackList = data.isBlackList;
    if (data.isRisk !== u.isRisk) body.isRisk = data.isRisk;
    if (data.totalCredit !== u.totalCredit) body.totalCredit = data.totalCredit;
    const reply = await api("/admin/users/update", body);
    result.replaceChildren(notice(reply, reply.resultSet && reply.resultSet.approvalId ? "已提交，待其他操作员复核" : "已更新"));
  });
  return [facts([
    ["手机号", u.mobile], ["姓名", u.realName], ["实名认证", YES(u.realNameVerified)], ["银行卡认证", YES(u.bankCardVerified)],
    ["运营商认证", YES(u.mobileVerified)], ["资料完整", YES(u.customerInfoComplete)], ["黑名单", YES(u.isBlackList === "1")],
    ["风险标记", YES(u.isRisk === "1")], ["总额度", u.totalCredit], ["可用额度", u.availableCredit], ["待还金额", u.totalNeedPayAmount],
  ]), hasRole("admin") ? form : null];
}

// ---- approvals ---------------------------------------------------------------------------

const APPROVAL_STATUS = { pending: "待复核", executing: "执行中", done: "已执行", failed: "执行失败", rejected: "已驳回" };

async function approvalsPage(filters) {
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

// ---- messages and app versions -------------------------------------------------------------

function publishForm(id, title, fields, path, success) {
  const result = el("div", { id: `${id}-result` });
  const form = el("form", { class: "card", id, "aria-labelledby": `${id}-title` },
    el("h2", { id: `${id}-title` }, title),
    fields.map(([name, label, attrs]) => field(label, el("input", { name, id: `${id}-${name}`, ...(attrs || {}) }))),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "发布")), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await api(path, Object.fromEntries(new FormData(form).entries()));
    result.replaceChildren(notice(reply, success));
    if (reply.responseCode === "0000") form.reset();
  });
  return form;
}

async function messagesPage() {
  const writable = hasRole("admin");
  show(
    el("h1", {}, "系统消息与版本"),
    writable ? publishForm("system-message", "发布系统消息", [
      ["messageTitle", "标题", { required: true, maxlength: 100 }],
      ["messageContent", "内容", { required: true, maxlength: 1000 }],
      ["messageType", "类型（0 活动消息，1 公告消息）", { required: true, value: "1" }],
      ["eventUrl", "链接（可选）"],
    ], "/admin/messages/system", "系统消息已发布") : null,
    writable ? publishForm("app-version", "发布 App 版本", [
      ["appType", "平台（android / ios）", { required: true }],
      ["latestVersion", "最新版本", { required: true }],
      ["minSupportedVersion", "最低支持版本", { required: true }],
      ["downloadUrl", "下载地址"],
      ["releaseNotes", "更新说明"],
    ], "/admin/appVersions/publish", "版本已发布") : el("p", { class: "muted" }, "仅管理员可发布。"));
}

// ---- books: reconciliation and the trial balance --------------------------------------------

async function booksPage(filters) {
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

// ---- routing -----------------------------------------------------------------------------

async function route() {
  if (!state.operator) return showLogin();
  const [, page, id] = (location.hash || home()).split("/");
  renderChrome();
  try {
    switch (page) {
      case "review": return await queuePage("审核队列", "0,1", {});
      case "application": return await applicationPage(decodeURIComponent(id || ""));
      case "payouts": return await payoutsPage({});
      case "audit": return await auditPage({});
      case "operators": return await operatorsPage();
      case "users": return await usersPage({});
      case "messages": return await messagesPage();
      case "books": return await booksPage({});
      case "collections": return await collectionsPage({});
      case "loan": return await loanPage(decodeURIComponent(id || ""));
      case "approvals": return await approvalsPage({});
      case "products": return await productsPage(id ? decodeURIComponent(id) : null);
      default:
        if (home() !== "#/none") { location.hash = home(); return; }
        return show(el("h1", {}, "欢迎"), el("p", {}, "您的角色暂无可用页面。"));
    }
  } catch (error) {
    if (!(error instanceof Unauthenticated)) show(el("h1", {}, "出错了"), el("p", { role: "alert", class: "error" }, "页面加载失败，请稍后重试。"));
  }
}

async function start() {
  const response = await fetch("/console/api/me", { credentials: "same-origin" });
  if (response.ok) {
    const reply = await response.json();
    state.csrf = reply.resultSet.csrf;
    state.operator = reply.resultSet.operator;
  }
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
