// Operators: the list, creating one, changing roles.

import { ROLE, api, el, field, main, notice, show, table } from "../core.js";

export async function operatorsPage() {
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
