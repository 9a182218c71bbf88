// The review queue and an application's page: its facts, history, review and payout.

import { STATUS, UNIT, YES, api, dateTime, el, facts, field, filterForm, hasRole, main, maskMobile, notice, pager, show, table } from "../core.js";

function applicationLink(a) {
  return el("a", { href: `#/application/${a.id}` }, a.code);
}

export const APPLICATION_COLUMNS = [
  { label: "申请编号", cell: applicationLink },
  { label: "手机号", cell: (a) => maskMobile(a.mobile) },
  { label: "产品", cell: (a) => a.name },
  { label: "申请金额", cell: (a) => a.applyAmount },
  { label: "批准金额", cell: (a) => a.replyAmount || "—" },
  { label: "期限", cell: (a) => `${a.termCount}${UNIT[a.termUnit] || ""}` },
  { label: "状态", cell: (a) => STATUS[a.applyStatus] || a.applyStatus },
  { label: "申请时间", cell: (a) => dateTime(a.applyTime), nowrap: true },
];

export async function queuePage(title, statuses, filters) {
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

const PROFILE_LABELS = [
  ["education", "学历"], ["martialStatus", "婚姻状况"], ["monthIncome", "月收入"], ["industryType", "行业"],
  ["currentPosition", "职位"], ["currentWorkInfo", "单位"], ["house_address_province", "居住省份"],
  ["house_address_city", "居住城市"], ["house_address_detail", "居住地址"], ["work_address_city", "工作城市"],
  ["residenceLength", "居住时长"], ["payrollDay", "发薪日"],
];

const MOVE_LABEL = (h) => `${h.fromStatus === "" ? "提交" : STATUS[h.fromStatus] || h.fromStatus} → ${STATUS[h.toStatus] || h.toStatus}`;

export async function applicationPage(id) {
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
