// The operator console: one page, hash routes, every change through /admin/* with the session's
// CSRF token. This module routes to the pages and starts the console.

import { Unauthenticated, api, el, onUnauthenticated, show, state } from "./core.js";
import { approvalsPage } from "./pages/approvals.js";
import { auditPage } from "./pages/audit.js";
import { booksPage } from "./pages/books.js";
import { collectionsPage, loanPage } from "./pages/collections.js";
import { enrolPage } from "./pages/enrol.js";
import { messagesPage } from "./pages/messages.js";
import { operatorsPage } from "./pages/operators.js";
import { payoutsPage } from "./pages/payouts.js";
import { productsPage } from "./pages/products.js";
import { applicationPage, queuePage } from "./pages/review.js";
import { usersPage } from "./pages/users.js";
import { home, onSignedIn, renderChrome, showLogin } from "./session.js";

async function route() {
  const [, page, id] = (location.hash || home()).split("/");
  // An enrolment link needs no session (its own token is the key).
  if (page === "enrol") return enrolPage(decodeURIComponent(id || ""));
  if (!state.operator) return showLogin();
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

onUnauthenticated(() => showLogin());
onSignedIn(route);
start();
