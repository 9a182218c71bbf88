// System messages and app versions.

import { api, el, field, hasRole, notice, show } from "../core.js";

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

export async function messagesPage() {
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
