// Users: a customer found by mobile, and the changes to their flags and credit line.

import { YES, api, el, facts, field, filterForm, hasRole, notice, show } from "../core.js";

export async function usersPage(filters) {
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
