// Operators: the list, creating one (their own link sets the password), a forced reset,
// disabling. Admin and finance accounts, and role changes, wait for a second admin.

import { ROLE, api, el, field, notice, show, state, table } from "../core.js";

function createdNotice(reply) {
  if (reply.responseCode !== "0000") return notice(reply);
  if (reply.resultSet.status === "pending") return notice(reply, "已提交，待其他管理员复核；确认后设置链接发往其邮箱");
  return reply.resultSet.enrolmentSent
    ? notice(reply, "已完成；设置链接已发往其邮箱（您看不到它）")
    : el("p", { role: "alert", class: "error" }, "已完成，但设置链接未能发出：请稍后重置以重发");
}

function actions(o, done) {
  // No one disables themselves; a disabled account is left as it is.
  if (o.disabled || o.username === state.operator.username) return "";
  const act = async (body, question) => {
    if (!window.confirm(question)) return;
    done(await api("/admin/operators/update", { id: o.id, ...body }));
  };
  return el("span", { class: "row-actions" },
    el("button", { type: "button", class: "link", "aria-label": `重置 ${o.username}`, onclick: () => act({ reset: "1" }, `重置 ${o.username}？其会话立即结束，新的设置链接发往其邮箱。`) }, "重置"),
    el("button", { type: "button", class: "link danger", "aria-label": `停用 ${o.username}`, onclick: () => act({ disabled: "1" }, `停用 ${o.username}？其待复核的请求将被撤回。`) }, "停用"));
}

export async function operatorsPage(after) {
  const reply = await api("/admin/operators/list", {});
  const result = el("div", { id: "operator-result" }, after || "");
  const refresh = async (outcome) => operatorsPage(createdNotice(outcome));
  const form = el("form", { class: "card", id: "operator-form", "aria-labelledby": "operator-title" },
    el("h2", { id: "operator-title" }, "新建操作员"),
    field("用户名", el("input", { name: "username", id: "new-username", required: true })),
    field("显示名", el("input", { name: "displayName", id: "new-display" })),
    field("工作邮箱（设置链接只发到这里）", el("input", { name: "email", id: "new-email", type: "email", required: true })),
    el("fieldset", {}, el("legend", {}, "角色（审核员与财务不能兼任；管理员、财务需另一位管理员复核）"),
      Object.entries(ROLE).map(([value, label]) =>
        el("label", { class: "inline" }, el("input", { type: "checkbox", name: "roles", value }), label))),
    el("label", { class: "inline" }, el("input", { type: "checkbox", name: "withTotp", value: "1" }), "启用动态口令（管理员、财务必开）"),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "创建")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const created = await api("/admin/operators/create", {
      username: data.get("username"), displayName: data.get("displayName"), email: data.get("email"),
      roles: data.getAll("roles"), withTotp: data.get("withTotp") ? "1" : "0",
    });
    if (created.responseCode !== "0000") return result.replaceChildren(notice(created));
    await refresh(created);
  });
  show(
    el("h1", {}, "操作员"),
    result,
    reply.responseCode === "0000" ? table("操作员", [
      { label: "用户名", cell: (o) => o.username },
      { label: "显示名", cell: (o) => o.displayName },
      { label: "邮箱", cell: (o) => o.email },
      { label: "角色", cell: (o) => o.roles.map((r) => ROLE[r] || r).join("、") },
      { label: "密码", cell: (o) => (o.enrolled ? "已设置" : "待本人设置") },
      { label: "动态口令", cell: (o) => (o.totpEnrolled ? "已启用" : "未启用") },
      { label: "状态", cell: (o) => (o.disabled ? "已停用" : "正常") },
      { label: "创建人", cell: (o) => o.createdBy },
      { label: "最近修改人", cell: (o) => o.changedBy || "—" },
      { label: "创建时间", cell: (o) => o.createdAt, nowrap: true },
      { label: "操作", cell: (o) => actions(o, refresh) },
    ], reply.resultSet) : notice(reply),
    form);
}
