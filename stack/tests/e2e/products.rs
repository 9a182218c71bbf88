//! API.md §6.3 products, §7 product upsert, and the §6.4 quote.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;

async fn products(app: &TestApp) -> Vec<Value> {
    let reply = app.call("/openCommonApi/getLoanProductList", json!({})).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].as_array().unwrap().clone()
}

async fn product_id(app: &TestApp, name: &str) -> String {
    let list = products(app).await;
    let found = list
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed"));
    found["id"].as_str().unwrap().to_owned()
}

/// A month-and-day product offering every repay type, for quotes.
pub fn flexible_product(code: &str) -> Value {
    json!({
        "code": code, "name": "灵活贷", "detailDescription": "测试产品", "thirdServiceCode": "",
        "amountLimitType": "0", "singleMinAmount": "100.00", "singleMaxAmount": "20000.00", "singleDefaultAmount": "1000.00",
        "interestRateLimitType": "0", "minInterestRate": "0.1000", "maxInterestRate": "0.3600", "defaultInterestRate": "0.2400",
        "termUnit": "1,2", "daysLimitType": "1", "singleDays": "7,14,28", "singleDefaultDays": "14",
        "monthsLimitType": "0", "singleMinMonths": "1", "singleMaxMonths": "12", "singleDefaultMonths": "12",
        "repayType": "1,2,3,4", "defaultRepayTermCount": "1", "defaultRepayTermUnit": "2", "repayTermUnit": "1,2",
        "penaltyRate": "0.3600", "feeRate": "0.0000", "onSale": "1", "sortOrder": 10
    })
}

async fn upsert(app: &TestApp, product: Value) -> Value {
    app.admin_call("/admin/products/upsert", product).await
}

/// The quote fields: amount, termCount, termUnit, repayTermCount, repayTermUnit, repayType, rate.
fn quote_fields(id: &str, terms: [&str; 7]) -> Value {
    let [amount, count, unit, every, every_unit, kind, rate] = terms;
    json!({"productId": id, "amount": amount, "termCount": count, "termUnit": unit, "repayTermCount": every,
        "repayTermUnit": every_unit, "repayType": kind, "interestRate": rate})
}

fn today_plus_days(days: u64) -> String {
    (cashloan_runtime::clock::today_cst() + chrono::Days::new(days)).to_string()
}

e2e!(a_fresh_installation_lists_the_three_sample_products(app) {
    let list = products(&app).await;
    let names: Vec<&str> = list.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["现金贷", "新现金贷", "员工贷"]);
    assert_eq!(list[0]["amountLimitType"], "1");
    assert_eq!(list[0]["singleAmounts"], "2000.00");
    assert_eq!(list[0]["singleMinAmount"], "");
    assert_eq!(list[1]["amountLimitType"], "0");
    assert_eq!((list[1]["singleMinAmount"].as_str(), list[1]["singleMaxAmount"].as_str()), (Some("500.00"), Some("5000.00")));
    assert_eq!(list[1]["singleDays"], "7,14");
    assert_eq!(list[2]["singleAmounts"], "500.00");
    assert_eq!(list[0]["termUnit"], "1");
    assert_eq!(list[0]["monthsLimitType"], "", "months are not offered");
});

e2e!(product_details_and_unknown_products(app) {
    let id = product_id(&app, "新现金贷").await;
    let reply = app.call("/openCommonApi/getLoanProductDetails", json!({"productId": id})).await;
    assert_eq!(reply["responseCode"], "0000");
    let d = &reply["resultSet"];
    assert_eq!(d["interestRates"], "0.3600");
    assert_eq!(d["penaltyRate"], "0.3600");
    assert_eq!(d["repayType"], "1");
    assert_eq!(d["singleDefaultAmount"], "2000.00");
    assert_eq!(d["repayTypeData"], json!({"1":"一次性还本付息","2":"按期还息到期还本","3":"等额本息","4":"等本等息"}));
    assert_eq!(d["otherChannelsData"]["02"], "有,已结清");
    assert_eq!(d["purposeData"]["21"], "短期资金周转");
    let unknown = app.call("/openCommonApi/getLoanProductDetails", json!({"productId": "nope"})).await;
    assert_eq!(unknown["responseCode"], "10001000");
    assert_eq!(unknown["responseMessage"], "产品不存在");
});

e2e!(an_upsert_is_visible_at_once_and_off_sale_products_are_hidden(app) {
    let created = upsert(&app, flexible_product("FLEX")).await;
    assert_eq!(created["responseCode"], "0000", "{created}");
    let id = created["resultSet"].as_str().unwrap().to_owned();
    assert_eq!(products(&app).await.last().unwrap()["id"], id.as_str(), "the next list call sees it");
    // Same code again: an update of the same product.
    let mut renamed = flexible_product("FLEX");
    renamed["name"] = json!("灵活贷Plus");
    renamed["sortOrder"] = json!(0);
    assert_eq!(upsert(&app, renamed).await["resultSet"], id.as_str());
    let list = products(&app).await;
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["name"], "灵活贷Plus", "sorted by the new order");
    let mut off = flexible_product("FLEX");
    off["onSale"] = json!("0");
    upsert(&app, off).await;
    assert!(products(&app).await.iter().all(|p| p["id"] != id.as_str()));
    let detail = app.call("/openCommonApi/getLoanProductDetails", json!({"productId": id})).await;
    assert_eq!(detail["responseCode"], "10001000");
    let (_, token) = app.user().await;
    let q = app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo",
        quote_fields(&id, ["1000.00", "3", "2", "1", "2", "3", "0.24"])).await;
    assert_eq!(q["responseCode"], "10001000", "an off-sale product cannot be quoted");
});

e2e!(product_upserts_are_validated_field_by_field(app) {
    for (field, value, named) in [
        ("singleMinAmount", json!("30000.00"), "singleMinAmount"),
        ("maxInterestRate", json!("0.4000"), "maxInterestRate"),
        ("defaultInterestRate", json!("0.0500"), "defaultInterestRate"),
        ("singleDefaultMonths", json!("13"), "singleDefaultMonths"),
        ("repayType", json!("1,5"), "repayType"),
        ("singleMaxAmount", json!("12.345"), "singleMaxAmount"),
        ("onSale", json!("maybe"), "onSale"),
    ] {
        let mut product = flexible_product("BAD");
        product[field] = value;
        let reply = upsert(&app, product).await;
        assert_eq!(reply["responseCode"], "20008002", "{field}: {reply}");
        assert!(reply["responseMessage"].as_str().unwrap().contains(named), "{reply}");
    }
    // Day limits are not checked for a product without days.
    let mut months_only = flexible_product("MONTHS");
    months_only["termUnit"] = json!("2");
    months_only["singleDays"] = json!("");
    assert_eq!(upsert(&app, months_only).await["responseCode"], "0000");
    assert_eq!(products(&app).await.len(), 4, "nothing invalid was stored");
});

// API.md §6.3: the limits of a unit the product does not offer are not read, so a range type
// with empty bounds there is no error.
e2e!(a_month_only_product_ignores_its_day_fields(app) {
    let mut product = flexible_product("MONTHS-ONLY");
    product["termUnit"] = json!("2");
    for (field, value) in [("daysLimitType", "0"), ("singleMinDays", ""), ("singleMaxDays", ""), ("singleDays", ""), ("singleDefaultDays", "")] {
        product[field] = json!(value);
    }
    let reply = upsert(&app, product).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    let id = reply["resultSet"].as_str().unwrap().to_owned();
    let detail = app.call("/openCommonApi/getLoanProductDetails", json!({"productId": id})).await["resultSet"].clone();
    assert_eq!((detail["termUnit"].as_str(), detail["daysLimitType"].as_str(), detail["singleDefaultDays"].as_str()), (Some("2"), Some(""), Some("")));
    assert_eq!((detail["singleMinMonths"].as_str(), detail["singleMaxMonths"].as_str()), (Some("1"), Some("12")));
});

e2e!(a_day_only_product_ignores_its_month_fields(app) {
    let mut product = flexible_product("DAYS-ONLY");
    for (field, value) in [("termUnit", "1"), ("repayTermUnit", "1"), ("defaultRepayTermUnit", "1"), ("repayType", "1,2"),
        ("monthsLimitType", "0"), ("singleMinMonths", ""), ("singleMaxMonths", ""), ("singleMonths", ""), ("singleDefaultMonths", "")] {
        product[field] = json!(value);
    }
    let reply = upsert(&app, product).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    let id = reply["resultSet"].as_str().unwrap().to_owned();
    let detail = app.call("/openCommonApi/getLoanProductDetails", json!({"productId": id})).await["resultSet"].clone();
    assert_eq!((detail["monthsLimitType"].as_str(), detail["singleDefaultMonths"].as_str()), (Some(""), Some("")));
    assert_eq!((detail["singleDays"].as_str(), detail["singleDefaultDays"].as_str()), (Some("7,14,28"), Some("14")));
});

e2e!(each_repay_type_is_quoted_to_the_cent(app) {
    let id = upsert(&app, flexible_product("FLEX")).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = app.user().await;
    let quote = |fields: Value| app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", fields);

    let annuity = quote(quote_fields(&id, ["10000.00", "12", "02", "1", "02", "03", "0.12"])).await;
    assert_eq!(annuity["responseCode"], "0000", "{annuity}");
    let r = &annuity["resultSet"];
    assert_eq!(r["schedule"][0]["dueAmount"], "888.49");
    assert_eq!((r["schedule"][0]["dueInterest"].as_str(), r["schedule"][0]["duePrincipal"].as_str()), (Some("100.00"), Some("788.49")));
    assert_eq!((r["schedule"][11]["duePrincipal"].as_str(), r["schedule"][11]["dueInterest"].as_str()), (Some("879.67"), Some("8.80")));
    assert_eq!(r["totalDueInterest"], "661.86");
    assert_eq!(r["totalDuePrincipal"], "10000.00");
    assert_eq!(r["apr"], "0.1200");
    assert_eq!((r["applyAmount"].as_str(), r["replyAmount"].as_str()), (Some("10000.00"), Some("10000.00")));

    let flat = quote(quote_fields(&id, ["10000.00", "12", "2", "1", "2", "4", "0.12"])).await;
    let r = &flat["resultSet"];
    assert_eq!((r["schedule"][0]["duePrincipal"].as_str(), r["schedule"][11]["duePrincipal"].as_str()), (Some("833.33"), Some("833.37")));
    assert_eq!(r["schedule"][5]["dueInterest"], "100.00");
    // IRR of 933.33 × 11 + 933.37 against 10000.00: 1.7881 % a month.
    assert_eq!(r["apr"], "0.2146");

    let interest_only = quote(quote_fields(&id, ["10000.00", "3", "2", "1", "2", "2", "0.12"])).await;
    let amounts: Vec<&str> = interest_only["resultSet"]["schedule"].as_array().unwrap().iter().map(|p| p["dueAmount"].as_str().unwrap()).collect();
    assert_eq!(amounts, ["100.00", "100.00", "10100.00"]);

    let new_cash = product_id(&app, "新现金贷").await;
    let bullet = quote(quote_fields(&new_cash, ["500.00", "14", "1", "1", "1", "1", "0.36"])).await;
    let r = &bullet["resultSet"];
    assert_eq!(r["schedule"].as_array().unwrap().len(), 1);
    assert_eq!(r["totalDueInterest"], "7.00");
    assert_eq!(r["totalAmount"], "507.00");
    assert_eq!(r["repayTime"], today_plus_days(14).as_str());
    assert_eq!(r["schedule"][0]["dueRepayDate"], today_plus_days(14).as_str());
    assert_eq!(r["apr"], "0.3600");
});

e2e!(every_term_rule_has_its_code(app) {
    let id = upsert(&app, flexible_product("FLEX")).await["resultSet"].as_str().unwrap().to_owned();
    let mut day_only = flexible_product("DAYS");
    day_only["termUnit"] = json!("1");
    day_only["repayTermUnit"] = json!("1");
    day_only["defaultRepayTermUnit"] = json!("1");
    day_only["repayType"] = json!("1,2");
    let days_id = upsert(&app, day_only).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = app.user().await;
    let good = quote_fields(&id, ["3000.00", "6", "2", "1", "2", "3", "0.24"]);
    assert_eq!(app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", good.clone()).await["responseCode"], "0000");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("productId", json!("nope"), "10001000"),
        ("amount", json!("12.345"), "20004000"),
        ("amount", json!("-1"), "20004000"),
        ("amount", json!("20000.01"), "20004001"),
        ("interestRate", json!("abc"), "20004002"),
        ("interestRate", json!("0.05"), "20004003"),
        ("termCount", json!("0"), "20004004"),
        ("termCount", json!("13"), "20004005"),
        ("termUnit", json!("3"), "20004006"),
        ("repayTermCount", json!("x"), "20004008"),
        ("repayTermCount", json!("4"), "20004009"),
        ("repayTermUnit", json!("5"), "20004010"),
        ("repayTermUnit", json!("1"), "20004012"),
        ("repayType", json!("9"), "20004013"),
    ];
    for (field, value, code) in cases {
        let mut fields = good.clone();
        fields[field] = value.clone();
        let reply = app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", fields).await;
        assert_eq!(reply["responseCode"], code, "{field}={value}: {reply}");
    }
    let quote_days = |fields: Value| app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", fields);
    assert_eq!(quote_days(quote_fields(&days_id, ["3000.00", "3", "2", "1", "2", "1", "0.24"])).await["responseCode"], "20004007");
    assert_eq!(quote_days(quote_fields(&days_id, ["3000.00", "14", "1", "1", "2", "1", "0.24"])).await["responseCode"], "20004011");
    assert_eq!(quote_days(quote_fields(&days_id, ["3000.00", "14", "1", "7", "1", "4", "0.24"])).await["responseCode"], "20004014");
    assert_eq!(quote_days(quote_fields(&id, ["3000.00", "14", "1", "7", "1", "3", "0.24"])).await["responseCode"], "20004015");
    // A day term cut into months does not divide.
    assert_eq!(quote_days(quote_fields(&id, ["3000.00", "14", "1", "1", "2", "2", "0.24"])).await["responseCode"], "20004009");
});

e2e!(an_apr_above_the_cap_is_refused(app) {
    let id = upsert(&app, flexible_product("FLEX")).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = app.user().await;
    // 等本等息 charges interest on the whole principal: at a 36 % rate its apr is far above 36 %.
    let reply = app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", quote_fields(&id, ["10000.00", "12", "2", "1", "2", "4", "0.36"])).await;
    assert_eq!(reply["responseCode"], "20004016");
    let ok = app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", quote_fields(&id, ["10000.00", "12", "2", "1", "2", "3", "0.36"])).await;
    assert_eq!(ok["resultSet"]["apr"], "0.3600");
});

e2e!(fees_are_charged_per_period_and_counted_in_the_apr(app) {
    let mut product = flexible_product("FEE");
    product["feeRate"] = json!("0.0010");
    let id = upsert(&app, product).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = app.user().await;
    let reply = app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", quote_fields(&id, ["10000.00", "12", "2", "1", "2", "3", "0.12"])).await;
    let r = &reply["resultSet"];
    assert_eq!(r["schedule"][0]["fee"], "10.00");
    assert_eq!(r["totalDueFee"], "120.00");
    assert_eq!(r["replyAmount"], "10000.00", "no fee deducted up front");
    assert_eq!(r["schedule"][11]["dueAmount"], "898.47", "879.67 + 8.80 + 10.00");
    // IRR of 898.49 × 11 + 898.47 against 10000.00.
    assert_eq!(r["apr"], "0.1413");
});

e2e!(day_terms_are_scheduled_for_interest_only_and_equal_principal(app) {
    let id = upsert(&app, flexible_product("FLEX")).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = app.user().await;
    let quote = |fields: Value| app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", fields);
    let column = |r: &Value, name: &str| -> Vec<String> {
        r["schedule"].as_array().unwrap().iter().map(|p| p[name].as_str().unwrap().to_owned()).collect()
    };
    let weekly_dates: Vec<String> = [7, 14, 21, 28].map(today_plus_days).into();
    // 1000.00 at 12 % over 28 days, every 7 days: a week's interest is 1000 × 0.12 / 360 × 7 = 2.33.
    let interest_only = quote(quote_fields(&id, ["1000.00", "28", "1", "7", "1", "2", "0.12"])).await;
    assert_eq!(interest_only["responseCode"], "0000", "{interest_only}");
    let r = &interest_only["resultSet"];
    assert_eq!(column(r, "dueAmount"), ["2.33", "2.33", "2.33", "1002.33"]);
    assert_eq!(column(r, "duePrincipal"), ["0.00", "0.00", "0.00", "1000.00"]);
    assert_eq!(column(r, "dueRepayDate"), weekly_dates);
    assert_eq!((r["totalDueInterest"].as_str(), r["apr"].as_str()), (Some("9.32"), Some("0.1198")));

    let equal_principal = quote(quote_fields(&id, ["1000.00", "28", "1", "7", "1", "4", "0.12"])).await;
    assert_eq!(equal_principal["responseCode"], "0000", "{equal_principal}");
    let r = &equal_principal["resultSet"];
    assert_eq!(column(r, "duePrincipal"), ["250.00", "250.00", "250.00", "250.00"]);
    assert_eq!(column(r, "dueInterest"), ["2.33", "2.33", "2.33", "2.33"], "on the whole principal");
    assert_eq!(column(r, "dueRepayDate"), weekly_dates);
    assert_eq!(r["apr"], "0.1914");
});

e2e!(a_repay_interval_of_several_months(app) {
    let id = upsert(&app, flexible_product("FLEX")).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = app.user().await;
    // 12000.00 at 12 % over 12 months, every 3 months: 4 periods at i = 3 %.
    let reply = app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo",
        quote_fields(&id, ["12000.00", "12", "2", "3", "2", "3", "0.12"])).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    let r = &reply["resultSet"];
    let column = |name: &str| -> Vec<String> {
        r["schedule"].as_array().unwrap().iter().map(|p| p[name].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(column("dueAmount"), ["3228.32", "3228.32", "3228.32", "3228.34"]);
    assert_eq!(column("dueInterest"), ["360.00", "273.95", "185.32", "94.03"]);
    assert_eq!(column("duePrincipal"), ["2868.32", "2954.37", "3043.00", "3134.31"]);
    let today = cashloan_runtime::clock::today_cst();
    let quarters: Vec<String> = (1..=4).map(|k| today.checked_add_months(chrono::Months::new(3 * k)).unwrap().to_string()).collect();
    assert_eq!(column("dueRepayDate"), quarters);
    assert_eq!(r["apr"], "0.1200");
});

e2e!(quotes_need_a_session(app) {
    let id = product_id(&app, "新现金贷").await;
    let reply = app.call("/appCommonApi/getLoanApplyConfirmInfo", quote_fields(&id, ["500.00", "14", "1", "1", "1", "1", "0.36"])).await;
    assert_eq!(reply["responseCode"], "99990004");
});
