// Loan products: the list and the upsert form.

import { api, el, field, main, notice, show, table } from "../core.js";

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

export async function productsPage(editing) {
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
