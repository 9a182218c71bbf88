// Signing in and out, and the chrome: the navigation an operator's roles allow.

import { ROLE, api, el, field, hasRole, show, state } from "./core.js";

export function showLogin(message) {
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
      signedIn();
    } else {
      error.textContent = `${reply.responseMessage}（${reply.responseCode}）`;
      form.querySelector(reply.responseCode === "20009003" || reply.responseCode === "20009004" ? "#totp" : "#password").focus();
    }
  });
  show(form);
  form.querySelector("#username").focus();
}

export async function logout() {
  await api("/console/api/logout", {}).catch(() => {});
  state.operator = null;
  state.csrf = "";
  showLogin("已退出登录");
}

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

export function home() {
  const page = PAGES.find((p) => hasRole(...p.roles));
  return page ? page.hash : "#/none";
}

export function renderChrome() {
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

let signedIn = () => {};

/** What to do once signed in (the app routes to the page asked for). */
export function onSignedIn(then) {
  signedIn = then;
}
