// An enrolment link's page, outside any session: the operator sets their own password, and adds
// the second factor shown when their roles need one. The link works once; the token leaves the
// address bar as soon as the page has it.

import { el, field, show } from "../core.js";

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

function failed(reply) {
  return `${reply.responseMessage}（${reply.responseCode}）`;
}

export async function enrolPage(token) {
  history.replaceState(null, "", "#/enrol");
  const opened = await post("/console/api/enrolment", { token });
  if (opened.responseCode !== "0000") {
    return show(el("h1", {}, "设置密码"), el("p", { role: "alert", class: "error" }, failed(opened)),
      el("p", {}, "请联系管理员重置，新的链接会发到您的邮箱。"), el("p", {}, el("a", { href: "#/" }, "返回登录")));
  }
  const { username, displayName, totpUri, expiresAt } = opened.resultSet;
  const error = el("p", { role: "alert", class: "error", id: "enrol-error" });
  const form = el("form", { class: "card narrow", id: "enrol-form", "aria-labelledby": "enrol-title" },
    el("h1", { id: "enrol-title" }, "设置密码"),
    el("p", {}, `账号 ${username}（${displayName}）。链接有效至 ${expiresAt}，只能使用一次。`),
    field("新密码（10-64位，至少两类字符）", el("input", { name: "password", id: "enrol-password", type: "password", autocomplete: "new-password", required: true })),
    field("再次输入新密码", el("input", { name: "again", id: "enrol-again", type: "password", autocomplete: "new-password", required: true })),
    totpUri ? [
      el("p", {}, "您的角色需要动态口令：请把下面的密钥添加到验证器应用，再填写它显示的 6 位口令。"),
      el("p", {}, el("code", { id: "enrol-totp-uri" }, totpUri)),
      field("动态口令", el("input", { name: "totp", id: "enrol-totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "\\d{6}", maxlength: 6, required: true })),
    ] : null,
    error,
    el("button", { type: "submit", class: "primary", id: "enrol-submit" }, "设置"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (data.get("password") !== data.get("again")) {
      error.textContent = "两次输入的密码不一致";
      return form.querySelector("#enrol-again").focus();
    }
    const done = await post("/console/api/enrol", { token, password: data.get("password"), totp: data.get("totp") || "" });
    if (done.responseCode !== "0000") {
      error.textContent = failed(done);
      return;
    }
    show(el("h1", {}, "设置完成"), el("p", { role: "status", class: "ok" }, `账号 ${username} 已可登录。`),
      el("p", {}, el("a", { href: "#/", id: "enrol-login" }, "去登录")));
  });
  show(form);
  form.querySelector("#enrol-password").focus();
}
