//! API.md §6.4 applications and §7 review and disbursement.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{bank_card, random_id_card, random_mobile, TestApp};

/// A logged-in user who passed all four verifications: (mobile, token).
pub async fn verified_user(app: &TestApp) -> (String, String) {
    let user = verified_user_numbers(app).await;
    (user.mobile, user.token)
}

/// A verified user and the personal numbers the verifications took.
pub struct VerifiedUser {
    pub mobile: String,
    pub token: String,
    pub id_card: String,
    pub bank_card: String,
    pub contact_phone: String,
}

pub async fn verified_user_numbers(app: &TestApp) -> VerifiedUser {
    verified_user_with(app, random_id_card()).await
}

/// A verified user of the ID number `id`.
pub async fn verified_user_with(app: &TestApp, id: String) -> VerifiedUser {
    let (mobile, token) = app.user().await;
    let (card, contact_phone) = (bank_card("6217", "", 16), random_mobile());
    let steps = [
        (
            "/appCommonApi/authRealNameInfo",
            json!({"realName": "王小明", "idCardNo": id}),
        ),
        ("/appCommonApi/authUserMobile", json!({})),
        (
            "/appCommonApi/authUserBankCard",
            json!({"bankCardNo": card, "mobile": random_mobile()}),
        ),
        ("/appCommonApi/savePerfectUserInfo", crate::customer::profile()),
        (
            "/appCommonApi/saveOrUpdateRelShip",
            json!({"operType": "add", "relType": "1", "realName": "王父", "phoneNum": contact_phone}),
        ),
    ];
    for (path, body) in steps {
        let reply = app.call_as(&token, path, body).await;
        assert_eq!(reply["responseCode"], "0000", "{path}: {reply}");
    }
    VerifiedUser {
        mobile,
        token,
        id_card: id,
        bank_card: card,
        contact_phone,
    }
}

pub async fn product_id(app: &TestApp, name: &str) -> String {
    let list = app.call("/openCommonApi/getLoanProductList", json!({})).await;
    let found = list["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()
        .clone();
    found["id"].as_str().unwrap().to_owned()
}

/// An application for 500.00 over 14 days on 新现金贷 (bullet, 36 %).
pub fn application(product_id: &str, amount: &str) -> Value {
    json!({"productId": product_id, "amount": amount, "termCount": "14", "termUnit": "1", "repayTermCount": "1",
        "repayTermUnit": "1", "repayType": "1", "interestRate": "0.36", "longitude": "116.40", "latitude": "39.90",
        "orderId": format!("order-{}", rand::random::<u32>()), "purpose": "21", "otherChannels": "01",
        "phonebookList": [{"contactName": "张三", "contactPhone": "13800138000"}], "remark": ""})
}

pub async fn apply(app: &TestApp, token: &str, body: Value) -> Value {
    app.call_as(token, "/appCommonApi/loanProductApply", body).await
}

pub async fn my_applications(app: &TestApp, token: &str, page: Value) -> Value {
    app.call_as(token, "/appCommonApi/getLoanApplyInfoList", page)
        .await
}

/// The id of the user's newest application.
pub async fn newest_application(app: &TestApp, token: &str) -> String {
    my_applications(app, token, json!({})).await["resultSet"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn review(app: &TestApp, id: &str, decision: &str) -> Value {
    app.admin_call(
        "/admin/loans/review",
        json!({"applyId": id, "decision": decision, "remark": "测试"}),
    )
    .await
}

pub async fn disburse(app: &TestApp, id: &str, release_date: &str) -> Value {
    app.admin_call(
        "/admin/loans/disburse",
        json!({"applyId": id, "releaseDate": release_date}),
    )
    .await
}

pub async fn plan(app: &TestApp, token: &str, id: &str) -> Value {
    app.call_as(
        token,
        "/appCommonApi/getLoanApplyRepayList",
        json!({"loanProductApplyId": id}),
    )
    .await
}

e2e!(applying_needs_every_verification_and_one_open_application(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, unverified) = app.user().await;
    assert_eq!(apply(&app, &unverified, application(&product, "500.00")).await["responseCode"], "20005002");
    let (_, token) = verified_user(&app).await;
    let reply = apply(&app, &token, application(&product, "500.00")).await;
    assert_eq!(reply["responseCode"], "20005000", "{reply}");
    assert_eq!(reply["resultSet"], "20005000");
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005003");
    let list = my_applications(&app, &token, json!({})).await;
    assert_eq!(list["total"], 1);
    let item = &list["resultSet"][0];
    assert_eq!(item["applyStatus"], "0");
    assert_eq!(item["applyAmount"], "500.00");
    assert_eq!(item["replyAmount"], "");
    assert_eq!(item["releaseDate"], "");
    assert_eq!(item["useType"], "21");
    assert_eq!(item["otherChannels"], "01");
    // API.md §6.6: from the application on (the documents were accepted with it).
    let contracts: Vec<&str> = item["contractInfoList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contractName"].as_str().unwrap())
        .collect();
    assert_eq!(contracts, ["借款协议", "委托扣款授权书"]);
    assert!(item["applyTime"].is_i64());
    let code = item["code"].as_str().unwrap();
    assert!(code.starts_with("CL") && code.len() == 16, "{code}");
});

e2e!(apply_codes_for_blacklist_credit_and_fields(app) {
    let product = product_id(&app, "新现金贷").await;
    let (mobile, token) = verified_user(&app).await;
    let mut bad = application(&product, "500.00");
    bad["purpose"] = json!("99");
    assert_eq!(apply(&app, &token, bad).await["responseCode"], "10001000");
    let mut bad = application(&product, "500.00");
    bad["otherChannels"] = json!("04");
    assert_eq!(apply(&app, &token, bad).await["responseCode"], "10001000");
    assert_eq!(apply(&app, &token, application(&product, "12.345")).await["responseCode"], "20004000");
    app.admin_call("/admin/users/update", json!({"mobile": mobile, "totalCredit": "400.00"})).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005004");
    app.admin_call("/admin/users/update", json!({"mobile": mobile, "totalCredit": "5000.00", "isBlackList": "1"})).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005005");
    assert_eq!(my_applications(&app, &token, json!({})).await["total"], 0, "nothing was stored");
});

e2e!(two_concurrent_applications_make_one(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    let (a, b) = tokio::join!(
        apply(&app, &token, application(&product, "500.00")),
        apply(&app, &token, application(&product, "600.00"))
    );
    let mut codes = [a["responseCode"].as_str().unwrap().to_owned(), b["responseCode"].as_str().unwrap().to_owned()];
    codes.sort();
    assert_eq!(codes, ["20005000".to_string(), "20005003".to_string()]);
    assert_eq!(my_applications(&app, &token, json!({})).await["total"], 1);
});

e2e!(review_and_disbursement_follow_the_status_rules(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    apply(&app, &token, application(&product, "500.00")).await;
    let id = newest_application(&app, &token).await;
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "20008001", "not approved yet");
    assert_eq!(review(&app, &id, "start").await["responseCode"], "0000");
    assert_eq!(review(&app, &id, "start").await["responseCode"], "20008001");
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "0000");
    assert_eq!(review(&app, &id, "reject").await["responseCode"], "20008001");
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "20008001");
    let item = &my_applications(&app, &token, json!({})).await["resultSet"][0];
    assert_eq!((item["applyStatus"].as_str(), item["replyAmount"].as_str()), (Some("2"), Some("500.00")));
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "0000");
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "20008001", "never twice");
    let item = &my_applications(&app, &token, json!({})).await["resultSet"][0];
    assert_eq!(item["applyStatus"], "4");
    assert_eq!(item["releaseDate"].as_str().unwrap().len(), 19);
    let periods = plan(&app, &token, &id).await;
    assert_eq!(periods["total"], 1);
    let p = &periods["resultSet"][0];
    assert_eq!((p["duePrincipal"].as_str(), p["dueInterest"].as_str(), p["dueAmount"].as_str()), (Some("500.00"), Some("7.00"), Some("507.00")));
    assert_eq!(p["repayStatus"], "0");
    assert_eq!(p["loanProductApplyId"], id.as_str());
    assert_eq!(review(&app, "no-such-id", "start").await["responseCode"], "10001000");
    assert_eq!(review(&app, &id, "maybe").await["responseCode"], "10001000");
});

e2e!(a_back_dated_disbursement_dates_the_plan_from_the_release_date(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    apply(&app, &token, application(&product, "500.00")).await;
    let id = newest_application(&app, &token).await;
    review(&app, &id, "approve").await;
    let future = cashloan_runtime::clock::today_cst() + chrono::Days::new(1);
    assert_eq!(disburse(&app, &id, &future.to_string()).await["responseCode"], "10001000", "not in the future");
    let release = cashloan_runtime::clock::today_cst() - chrono::Days::new(20);
    assert_eq!(disburse(&app, &id, &release.to_string()).await["responseCode"], "0000");
    let due = release + chrono::Days::new(14);
    let due_at = due.and_hms_opt(23, 59, 59).unwrap().and_local_timezone(cashloan_runtime::clock::cst()).unwrap().timestamp_millis();
    assert_eq!(plan(&app, &token, &id).await["resultSet"][0]["dueRepayDate"], due_at);
    let item = &my_applications(&app, &token, json!({})).await["resultSet"][0];
    assert!(item["releaseDate"].as_str().unwrap().starts_with(&release.to_string()));
});

e2e!(racing_operators_approve_and_disburse_once(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    apply(&app, &token, application(&product, "500.00")).await;
    let id = newest_application(&app, &token).await;
    let approvals = futures_util::future::join_all((0..4).map(|_| review(&app, &id, "approve"))).await;
    assert_eq!(approvals.iter().filter(|r| r["responseCode"] == "0000").count(), 1);
    let payouts = futures_util::future::join_all((0..4).map(|_| disburse(&app, &id, ""))).await;
    assert_eq!(payouts.iter().filter(|r| r["responseCode"] == "0000").count(), 1);
    assert_eq!(plan(&app, &token, &id).await["total"], 1, "one plan");
});

e2e!(nobody_sees_another_users_plan(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, owner) = verified_user(&app).await;
    apply(&app, &owner, application(&product, "500.00")).await;
    let id = newest_application(&app, &owner).await;
    review(&app, &id, "approve").await;
    disburse(&app, &id, "").await;
    let (_, intruder) = app.user().await;
    let theirs = plan(&app, &intruder, &id).await;
    assert_eq!((theirs["total"].clone(), theirs["resultSet"].clone()), (json!(0), json!([])));
    assert_eq!(my_applications(&app, &intruder, json!({})).await["total"], 0);
});

e2e!(a_rejection_frees_the_slot_and_lists_page(app) {
    let product = product_id(&app, "新现金贷").await;
    let (mobile, token) = verified_user(&app).await;
    let empty = my_applications(&app, &token, json!({})).await;
    assert_eq!((empty["total"].clone(), empty["pages"].clone(), empty["isFirstPage"].clone(), empty["isLastPage"].clone()),
        (json!(0), json!(0), json!(true), json!(true)));
    for _ in 0..3 {
        assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
        let id = newest_application(&app, &token).await;
        assert_eq!(review(&app, &id, "reject").await["responseCode"], "0000");
    }
    let first = my_applications(&app, &token, json!({"pageNum": 1, "pageSize": "2"})).await;
    assert_eq!((first["total"].clone(), first["pages"].clone(), first["pageSize"].clone()), (json!(3), json!(2), json!(2)));
    assert_eq!((first["isFirstPage"].clone(), first["isLastPage"].clone()), (json!(true), json!(false)));
    assert_eq!(first["resultSet"].as_array().unwrap().len(), 2);
    let second = my_applications(&app, &token, json!({"pageNum": "2", "pageSize": 2})).await;
    assert_eq!(second["resultSet"].as_array().unwrap().len(), 1);
    assert_eq!(second["isLastPage"], true);
    let beyond = my_applications(&app, &token, json!({"pageNum": 9, "pageSize": 2})).await;
    assert_eq!((beyond["resultSet"].clone(), beyond["total"].clone()), (json!([]), json!(3)));
    assert_eq!(my_applications(&app, &token, json!({"pageSize": 101})).await["responseCode"], "10001000");
    // Newest first.
    let codes: Vec<String> = first["resultSet"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()).collect();
    assert!(codes[0] > codes[1], "{codes:?}");
    // Operators filter by status and mobile.
    let rejected = app.admin_call("/admin/loans/list", json!({"status": "3", "mobile": mobile, "pageSize": 10})).await;
    assert_eq!(rejected["total"], 3);
    assert_eq!(rejected["resultSet"][0]["mobile"], mobile.as_str());
    let pending = app.admin_call("/admin/loans/list", json!({"status": 0, "mobile": mobile})).await;
    assert_eq!(pending["total"], 0);
});

e2e!(statuses_one_two_and_four_block_a_new_application(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    for (decision, status) in [("start", "1"), ("approve", "2"), ("disburse", "4")] {
        let moved = if decision == "disburse" { disburse(&app, &id, "").await } else { review(&app, &id, decision).await };
        assert_eq!(moved["responseCode"], "0000", "{decision}: {moved}");
        assert_eq!(my_applications(&app, &token, json!({})).await["resultSet"][0]["applyStatus"], status);
        // Well within the credit left: only the open application stands in the way.
        assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005003", "status {status}");
    }
    assert_eq!(my_applications(&app, &token, json!({})).await["total"], 1);
});

/// 3000.00 over 12 months at 36 %, monthly, of the given repay type, on `product`.
fn year_at_36(product: &str, repay_type: &str) -> Value {
    json!({"productId": product, "amount": "3000.00", "termCount": "12", "termUnit": "2", "repayTermCount": "1",
        "repayTermUnit": "2", "repayType": repay_type, "interestRate": "0.36", "longitude": "0", "latitude": "0",
        "orderId": "o-apr", "purpose": "16", "otherChannels": "01", "phonebookList": []})
}

e2e!(apply_refuses_an_apr_above_the_cap_and_a_fee_can_push_it_over(app) {
    let flexible = app.admin_call("/admin/products/upsert", crate::products::flexible_product("FLEX")).await;
    let flexible = flexible["resultSet"].as_str().unwrap().to_owned();
    let mut with_fee = crate::products::flexible_product("FEE");
    with_fee["feeRate"] = json!("0.0001");
    let with_fee = app.admin_call("/admin/products/upsert", with_fee).await["resultSet"].as_str().unwrap().to_owned();
    let (_, token) = verified_user(&app).await;
    let quote = |body: Value| app.call_as(&token, "/appCommonApi/getLoanApplyConfirmInfo", body);
    // 等本等息 at 36 %: interest on the whole principal every month.
    assert_eq!(apply(&app, &token, year_at_36(&flexible, "4")).await["responseCode"], "20004016");
    // 等额本息 at 36 % is exactly at the cap; 0.30 of fee a month takes it to 0.3620.
    assert_eq!(quote(year_at_36(&flexible, "3")).await["resultSet"]["apr"], "0.3600");
    assert_eq!(quote(year_at_36(&with_fee, "3")).await["responseCode"], "20004016");
    assert_eq!(apply(&app, &token, year_at_36(&with_fee, "3")).await["responseCode"], "20004016");
    assert_eq!(my_applications(&app, &token, json!({})).await["total"], 0, "nothing was stored");
    assert_eq!(apply(&app, &token, year_at_36(&flexible, "3")).await["responseCode"], "20005000");
});

e2e!(an_operator_narrows_the_amount_and_term_and_the_plan_follows(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    let narrow = |amount: &str, count: &str| {
        app.admin_call("/admin/loans/review", json!({"applyId": id, "decision": "approve", "replyAmount": amount,
            "authTermCount": count, "authTermUnit": "1", "remark": "额度调整"}))
    };
    assert_eq!(narrow("500.01", "7").await["responseCode"], "10001000", "never above the applied amount");
    assert_eq!(narrow("0.00", "7").await["responseCode"], "10001000");
    assert_eq!(narrow("400.00", "0").await["responseCode"], "10001000");
    assert_eq!(my_applications(&app, &token, json!({})).await["resultSet"][0]["applyStatus"], "0", "refusals change nothing");
    assert_eq!(narrow("400.00", "7").await["responseCode"], "0000");
    let item = &my_applications(&app, &token, json!({})).await["resultSet"][0];
    assert_eq!((item["applyAmount"].as_str(), item["replyAmount"].as_str()), (Some("500.00"), Some("400.00")));
    assert_eq!((item["authTermCount"].as_str(), item["authTermUnit"].as_str()), (Some("7"), Some("1")));
    // Other terms than applied for: no payout until the borrower confirms them (API.md §6.6).
    assert_eq!(item["needConfirm"], "1");
    let release = app.clock.today() - chrono::Days::new(1);
    assert_eq!(disburse(&app, &id, &release.to_string()).await["responseCode"], "20008005");
    let confirm = json!({"loanProductApplyId": id});
    assert_eq!(app.call_as(&token, "/appCommonApi/confirmLoanTerms", confirm).await["responseCode"], "0000");
    assert_eq!(disburse(&app, &id, &release.to_string()).await["responseCode"], "0000");
    let periods = plan(&app, &token, &id).await;
    let p = &periods["resultSet"][0];
    // 400.00 × 0.36 / 360 × 7 = 2.80, due 7 days after the release.
    assert_eq!((p["duePrincipal"].as_str(), p["dueInterest"].as_str(), p["dueAmount"].as_str()), (Some("400.00"), Some("2.80"), Some("402.80")));
    let due = (release + chrono::Days::new(7)).and_hms_opt(23, 59, 59).unwrap();
    assert_eq!(p["dueRepayDate"], due.and_local_timezone(cashloan_runtime::clock::cst()).unwrap().timestamp_millis());
    let centre = app.call_as(&token, "/appCommonApi/getUserCenterInfo", json!({})).await;
    assert_eq!((centre["resultSet"]["totalApplyAmount"].as_str(), centre["resultSet"]["availableCredit"].as_str()), (Some("400.00"), Some("4600.00")));
});

e2e!(a_rejection_tells_the_customer_once(app, |c: &mut cashloan_stack::StackConfig| c.relay_interval_ms = 100) {
    let product = product_id(&app, "新现金贷").await;
    let (mobile, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    assert_eq!(review(&app, &id, "reject").await["responseCode"], "0000");
    let code = my_applications(&app, &token, json!({})).await["resultSet"][0]["code"].as_str().unwrap().to_owned();
    let messages = crate::messages::messages_when(&app, &token, 2).await;
    let newest = &messages["resultSet"][0];
    assert_eq!((newest["messageType"].as_str(), newest["messageTitle"].as_str()), (Some("13"), Some("借款审核未通过")));
    let content = newest["messageContent"].as_str().unwrap();
    assert!(content.contains(&code) && content.contains("新现金贷") && content.contains("未通过审核"), "{content}");
    assert_eq!(messages["resultSet"][1]["messageType"], "11");
    crate::messages::assert_texts(&app, &mobile, "未通过审核", 1).await;
});

// Personal data at rest, as in auth's database: the phonebook and the location an application
// carries are sealed; ID and card numbers never reach the loan or message databases.
e2e!(no_personal_number_in_the_loan_or_message_database(app, |c: &mut cashloan_stack::StackConfig| c.relay_interval_ms = 100) {
    let product = product_id(&app, "新现金贷").await;
    let user = verified_user_numbers(&app).await;
    let (friend, friend_phone) = ("赵六六", random_mobile());
    let mut body = application(&product, "500.00");
    body["longitude"] = json!("116.397128");
    body["latitude"] = json!("39.916527");
    body["phonebookList"] = json!([{"contactName": friend, "contactPhone": friend_phone}]);
    assert_eq!(apply(&app, &user.token, body).await["responseCode"], "20005000");
    let id = newest_application(&app, &user.token).await;
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "0000");
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "0000");
    let period = plan(&app, &user.token, &id).await["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    let paid = app.call_as(&user.token, "/appCommonApi/gotoRepayment", json!({"id": period, "repayType": "current"})).await;
    assert_eq!(paid["responseCode"], "0000");
    crate::messages::messages_when(&app, &user.token, 4).await;

    let loans = app.database_text("loan");
    let messages = app.database_text("message");
    assert!(loans.contains("新现金贷") && messages.contains("借款已放款"), "the dumps are readable");
    for secret in [&user.id_card, &user.bank_card, &user.contact_phone, &friend_phone] {
        assert!(!loans.contains(secret.as_str()), "{secret} in the loan database");
        assert!(!messages.contains(secret.as_str()), "{secret} in the message database");
    }
    // The borrower's own mobile is sealed in applications and events (issue 28, finding 6).
    for secret in [friend, "116.397128", "39.916527", user.mobile.as_str()] {
        assert!(!loans.contains(secret), "{secret} in the loan database");
    }
    // Operators still find the loan by it.
    let found = app.admin_call("/admin/loans/list", json!({"mobile": user.mobile})).await;
    assert_eq!(found["resultSet"].as_array().map(|a| a.iter().any(|l| l["id"] == id.as_str())), Some(true), "{found}");
    let orders = app.admin_call("/admin/payments/list", json!({"mobile": user.mobile})).await;
    assert_eq!(orders["resultSet"].as_array().map(Vec::len), Some(2), "the payout and the repayment: {orders}");
});

e2e!(an_application_from_before_mobiles_were_sealed_is_sealed_at_start_and_found(app) {
    let product = product_id(&app, "新现金贷").await;
    let user = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &user.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &user.token).await;
    // As the rows were written before: the mobile in clear, no hash to find it by.
    app.loan_database_execute(&format!("UPDATE applications SET mobile = '{}' WHERE id = '{id}'", user.mobile));
    app.loan_database_execute(&format!("DELETE FROM application_mobiles WHERE application_id = '{id}'"));
    app.restart().await;
    let stored = app.loan_database_integer(&format!(
        "SELECT COUNT(*) AS value FROM applications WHERE id = '{id}' AND mobile = '{}'",
        user.mobile
    ));
    assert_eq!(stored, 0, "sealed at start");
    let found = app.admin_call("/admin/loans/list", json!({"mobile": user.mobile})).await;
    assert_eq!(found["resultSet"][0]["id"], id.as_str(), "{found}");
});
