//! API.md §6.2: verification, profile and contacts, and the admin risk flags (§7).

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{bank_card, id_card, id_card_aged, random_mobile, TestApp};

const NAME: &str = "张三丰";

pub async fn status(app: &TestApp, token: &str) -> Value {
    let reply = app
        .call_as(token, "/appCommonApi/getAuthenticationStatus", json!({}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].clone()
}

async fn real_name(app: &TestApp, token: &str, name: &str, id: &str) -> Value {
    app.call_as(
        token,
        "/appCommonApi/authRealNameInfo",
        json!({"realName": name, "idCardNo": id}),
    )
    .await
}

async fn card(app: &TestApp, token: &str, number: &str, mobile: &str) -> Value {
    app.call_as(
        token,
        "/appCommonApi/authUserBankCard",
        json!({"bankCardNo": number, "mobile": mobile}),
    )
    .await
}

/// A fresh ID number no other test uses.
fn fresh_id() -> String {
    crate::harness::random_id_card()
}

fn contact(oper: &str, id: &str, rel: &str, name: &str, phone: &str) -> Value {
    json!({"operType": oper, "id": id, "relType": rel, "realName": name, "phoneNum": phone})
}

pub fn profile() -> Value {
    json!({
        "education": "3", "martialStatus": "02",
        "registry_province": "110000", "registry_city": "110100", "registry_detail": "朝阳区某街道1号",
        "house_address_province": "310000", "house_address_city": "310100", "house_address_county": "310115",
        "house_address_detail": "浦东新区某路2号", "residenceLength": "3", "industryType": "14",
        "work_address_province": "310000", "work_address_city": "310100", "work_address_county": "310104",
        "work_address_detail": "徐汇区某大厦10层", "workingHours": "05", "currentWorkInfo": "某某科技有限公司",
        "currentPosition": "工程师", "monthIncome": 12000, "payrollDay": "15"
    })
}

e2e!(verification_end_to_end_with_masks(app) {
    let (mobile, token) = app.user().await;
    let before = status(&app, &token).await;
    assert_eq!(before, json!({"realNameAuthStatus": "0", "bankCardAuthStatus": "0", "customerInfoStatus": "0",
        "mobileAuthStatus": "0", "isBlackList": "0", "isRisk": "0", "authRealName": "", "authNumber": "",
        "bankCardNumber": "", "bankCardMobile": ""}));
    let id = fresh_id();
    let number = bank_card("6217", "", 19);
    let reserved = random_mobile();
    let mut responses = Vec::new();
    let verified = real_name(&app, &token, NAME, &id.to_lowercase()).await;
    assert_eq!(verified["responseCode"], "0000", "{verified}");
    assert_eq!(verified["resultSet"], "0", "carrier not checked yet");
    responses.push(verified);
    let carrier = app.call_as(&token, "/appCommonApi/authUserMobile", json!({})).await;
    assert_eq!(carrier["responseCode"], "0000");
    responses.push(carrier);
    let carded = card(&app, &token, &number, &reserved).await;
    assert_eq!(carded["responseCode"], "0000", "{carded}");
    responses.push(carded);
    let after = status(&app, &token).await;
    assert_eq!(after["realNameAuthStatus"], "1");
    assert_eq!(after["bankCardAuthStatus"], "1");
    assert_eq!(after["mobileAuthStatus"], "1");
    assert_eq!(after["authRealName"], "张*丰");
    assert_eq!(after["authNumber"], format!("{}********{}", &id[..6], &id[14..]));
    assert_eq!(after["bankCardNumber"], format!("{} **** **** {}", &number[..4], &number[15..]));
    assert_eq!(after["bankCardMobile"], format!("{}****{}", &reserved[..3], &reserved[7..]));
    responses.push(after);
    responses.push(app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await);
    for response in responses {
        let text = response.to_string();
        for secret in [&id, &number, &reserved] {
            assert!(!text.contains(secret.as_str()), "a full value leaked: {text}");
        }
    }
    // The real name is fixed once verified.
    assert_eq!(real_name(&app, &token, "李四", &fresh_id()).await["responseCode"], "20007005");
    assert_eq!(real_name(&app, &token, NAME, &id).await["responseCode"], "20007005");
    let _ = mobile;
});

e2e!(bank_card_and_carrier_need_real_name_first(app) {
    let (_, token) = app.user().await;
    let carded = card(&app, &token, &bank_card("6217", "", 16), &random_mobile()).await;
    assert_eq!(carded["responseCode"], "20007010");
    assert_eq!(app.call_as(&token, "/appCommonApi/authUserMobile", json!({})).await["responseCode"], "20007010");
    let s = status(&app, &token).await;
    assert_eq!((s["bankCardAuthStatus"].as_str(), s["mobileAuthStatus"].as_str()), (Some("0"), Some("0")));
});

e2e!(real_name_codes_and_nothing_recorded_on_failure(app) {
    let (_, token) = app.user().await;
    let valid = fresh_id();
    for (name, id, code) in [
        ("张", valid.clone(), "20007001"),
        ("张3", valid.clone(), "20007001"),
        (NAME, format!("{}{}", &valid[..17], if valid.ends_with('1') { "2" } else { "1" }), "20007002"),
        (NAME, id_card("19900230", "123"), "20007002"),
        (NAME, "12345".to_string(), "20007002"),
        (NAME, id_card_aged(17, "123"), "20007003"),
        (NAME, id_card_aged(66, "123"), "20007003"),
    ] {
        assert_eq!(real_name(&app, &token, name, &id).await["responseCode"], code, "{name} {id}");
    }
    assert_eq!(status(&app, &token).await["realNameAuthStatus"], "0");
    assert_eq!(real_name(&app, &token, NAME, &id_card_aged(18, "123")).await["responseCode"], "0000", "18 is allowed");
});

e2e!(an_id_bound_to_another_account_is_refused(app) {
    let (_, first) = app.user().await;
    let (_, second) = app.user().await;
    let id = fresh_id();
    assert_eq!(real_name(&app, &first, NAME, &id).await["responseCode"], "0000");
    assert_eq!(real_name(&app, &second, NAME, &id).await["responseCode"], "20007004");
    assert_eq!(status(&app, &second).await["realNameAuthStatus"], "0");
});

e2e!(two_users_racing_for_one_id_exactly_one_wins(app) {
    let mut tokens = Vec::new();
    for _ in 0..4 {
        tokens.push(app.user().await.1);
    }
    let id = fresh_id();
    let attempts = tokens.iter().map(|t| real_name(&app, t, NAME, &id));
    let codes: Vec<String> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r["responseCode"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.iter().filter(|c| *c == "0000").count(), 1, "{codes:?}");
    assert!(codes.iter().all(|c| c == "0000" || c == "20007004"), "{codes:?}");
});

e2e!(bank_card_codes_and_replacement(app) {
    let (_, token) = app.user().await;
    real_name(&app, &token, NAME, &fresh_id()).await;
    let good = bank_card("6217", "", 19);
    let bad_luhn = format!("{}{}", &good[..18], (good.as_bytes()[18] - b'0' + 1) % 10);
    assert_eq!(card(&app, &token, &bad_luhn, &random_mobile()).await["responseCode"], "20007011");
    assert_eq!(card(&app, &token, &bank_card("6217", "", 14), &random_mobile()).await["responseCode"], "20007011");
    assert_eq!(card(&app, &token, &bank_card("6217", "", 20), &random_mobile()).await["responseCode"], "20007011");
    assert_eq!(card(&app, &token, &good, "1234").await["responseCode"], "10001000");
    assert_eq!(status(&app, &token).await["bankCardAuthStatus"], "0");
    assert_eq!(card(&app, &token, &good, &random_mobile()).await["responseCode"], "0000");
    let replacement = bank_card("6228", "", 16);
    assert_eq!(card(&app, &token, &replacement, &random_mobile()).await["responseCode"], "0000");
    assert_eq!(status(&app, &token).await["bankCardNumber"], format!("6228 **** **** {}", &replacement[12..]));
});

e2e!(a_vendor_outage_is_99990005_and_records_nothing(app) {
    let (_, token) = app.user().await;
    // The local identity vendor is down for sequence 999, the card vendor for cards ending 9999.
    assert_eq!(real_name(&app, &token, NAME, &id_card_aged(30, "999")).await["responseCode"], "99990005");
    assert_eq!(status(&app, &token).await["realNameAuthStatus"], "0");
    real_name(&app, &token, NAME, &fresh_id()).await;
    assert_eq!(card(&app, &token, &bank_card("6217", "9999", 16), &random_mobile()).await["responseCode"], "99990005");
    assert_eq!(status(&app, &token).await["bankCardAuthStatus"], "0");
});

e2e!(a_carrier_outage_is_99990005(app, crate::harness::StackTweak::sms_cooldown(0)) {
    // The local carrier vendor is down for 1700001xxxx numbers.
    let mobile = format!("1700001{:04}", rand::random_range(0..10_000));
    app.register(&mobile, crate::harness::PASSWORD).await;
    let token = app.login(&mobile, crate::harness::PASSWORD).await;
    app.accept_consents(&token).await;
    real_name(&app, &token, NAME, &fresh_id()).await;
    assert_eq!(app.call_as(&token, "/appCommonApi/authUserMobile", json!({})).await["responseCode"], "99990005");
    assert_eq!(status(&app, &token).await["mobileAuthStatus"], "0");
});

e2e!(a_slow_vendor_hits_the_deadline(app, |c: &mut cashloan_stack::StackConfig| c.provider_deadline_ms = 300) {
    let (_, token) = app.user().await;
    let started = std::time::Instant::now();
    // Sequence 998: the local identity vendor never answers.
    assert_eq!(real_name(&app, &token, NAME, &id_card_aged(30, "998")).await["responseCode"], "99990005");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(status(&app, &token).await["realNameAuthStatus"], "0");
});

e2e!(the_profile_round_trips_every_field(app) {
    let (_, token) = app.user().await;
    let empty = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await;
    assert_eq!(empty["resultSet"]["education"], "");
    assert_eq!(empty["resultSet"]["relShipList"], json!([]));
    let saved = app.call_as(&token, "/appCommonApi/savePerfectUserInfo", profile()).await;
    assert_eq!(saved["responseCode"], "0000", "{saved}");
    let got = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"].clone();
    let mut expected = profile();
    expected["martialStatus"] = json!("2");
    expected["residenceLength"] = json!("03");
    expected["monthIncome"] = json!("12000");
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&got[field], value, "{field}");
    }
    // Saving again replaces; payrollDay is optional.
    let mut changed = profile();
    changed["currentPosition"] = json!("经理");
    changed.as_object_mut().unwrap().remove("payrollDay");
    assert_eq!(app.call_as(&token, "/appCommonApi/savePerfectUserInfo", changed).await["responseCode"], "0000");
    let got = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"].clone();
    assert_eq!(got["currentPosition"], "经理");
    assert_eq!(got["payrollDay"], "");
});

e2e!(a_bad_profile_field_is_named_and_changes_nothing(app) {
    let (_, token) = app.user().await;
    app.call_as(&token, "/appCommonApi/savePerfectUserInfo", profile()).await;
    for (field, bad) in [
        ("education", json!("9")), ("martialStatus", json!("5")), ("registry_city", json!("1101")),
        ("house_address_county", json!("abcdef")), ("residenceLength", json!("06")), ("industryType", json!("15")),
        ("workingHours", json!("0")), ("work_address_detail", json!("")), ("currentWorkInfo", json!("字".repeat(101))),
        ("monthIncome", json!(-5)), ("monthIncome", json!("1.5")), ("payrollDay", json!("32")),
    ] {
        let mut body = profile();
        body[field] = bad.clone();
        body["currentPosition"] = json!("不应保存");
        let reply = app.call_as(&token, "/appCommonApi/savePerfectUserInfo", body).await;
        assert_eq!(reply["responseCode"], "20007020", "{field} {bad}");
        assert!(reply["responseMessage"].as_str().unwrap().contains(field), "{reply}");
    }
    let mut missing = profile();
    missing.as_object_mut().unwrap().remove("registry_detail");
    let reply = app.call_as(&token, "/appCommonApi/savePerfectUserInfo", missing).await;
    assert_eq!(reply["responseCode"], "10001000");
    assert!(reply["responseMessage"].as_str().unwrap().contains("registry_detail"));
    let got = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await;
    assert_eq!(got["resultSet"]["currentPosition"], "工程师");
});

e2e!(contacts_are_limited_owned_and_not_the_user(app) {
    let (mobile, token) = app.user().await;
    let own = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("add", "", "1", "李四", &mobile)).await;
    assert_eq!(own["responseCode"], "20007020");
    let bad_rel = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("add", "", "5", "李四", &random_mobile())).await;
    assert_eq!(bad_rel["responseCode"], "20007020");
    let mut ids = Vec::new();
    let mut phones = Vec::new();
    for (i, rel) in ["1", "02", "3", "6", "8"].iter().enumerate() {
        let phone = random_mobile();
        let reply = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("add", "", rel, "李四", &phone)).await;
        assert_eq!(reply["responseCode"], "0000", "contact {i}: {reply}");
        ids.push(reply["resultSet"].as_str().unwrap().to_owned());
        phones.push(phone);
    }
    let sixth = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("add", "", "4", "王五", &random_mobile())).await;
    assert_eq!(sixth["responseCode"], "20007020", "{sixth}");
    let list = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"]["relShipList"].clone();
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert_eq!(list[1]["relType"], "2");
    assert_eq!(list[0]["phoneNum"], format!("{}****{}", &phones[0][..3], &phones[0][7..]));
    assert!(!list.to_string().contains(&phones[0]), "phones are masked");

    // Update one's own; another user cannot touch it.
    let new_phone = random_mobile();
    let updated = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("update", &ids[0], "7", "赵六", &new_phone)).await;
    assert_eq!(updated["responseCode"], "0000");
    let (_, intruder) = app.user().await;
    let stolen = app.call_as(&intruder, "/appCommonApi/saveOrUpdateRelShip", contact("update", &ids[0], "1", "坏人", &random_mobile())).await;
    assert_eq!(stolen["responseCode"], "20007021");
    let unknown = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("update", "no-such-id", "1", "李四", &random_mobile())).await;
    assert_eq!(unknown["responseCode"], "20007021");
    let list = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"]["relShipList"].clone();
    assert_eq!(list[0]["realName"], "赵六", "unchanged by the intruder");
    assert_eq!(list[0]["relType"], "7");
    assert_eq!(list[0]["phoneNum"], format!("{}****{}", &new_phone[..3], &new_phone[7..]));
    let theirs = app.call_as(&intruder, "/appCommonApi/getPerfectUserInfo", json!({})).await;
    assert_eq!(theirs["resultSet"]["relShipList"], json!([]), "nobody else's contacts are visible");
});

e2e!(concurrent_adds_never_pass_five_contacts(app) {
    let (_, token) = app.user().await;
    let adds = (0..8).map(|_| {
        let body = contact("add", "", "6", "朋友", &random_mobile());
        let token = token.clone();
        let app = &app;
        async move { app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", body).await }
    });
    let replies = futures_util::future::join_all(adds).await;
    assert_eq!(replies.iter().filter(|r| r["responseCode"] == "0000").count(), 5);
    let list = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"]["relShipList"].clone();
    assert_eq!(list.as_array().unwrap().len(), 5);
});

e2e!(customer_info_status_needs_profile_and_a_contact(app) {
    let (_, token) = app.user().await;
    app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("add", "", "1", "李四", &random_mobile())).await;
    assert_eq!(status(&app, &token).await["customerInfoStatus"], "0", "contact only");
    let (_, other) = app.user().await;
    app.call_as(&other, "/appCommonApi/savePerfectUserInfo", profile()).await;
    assert_eq!(status(&app, &other).await["customerInfoStatus"], "0", "profile only");
    app.call_as(&token, "/appCommonApi/savePerfectUserInfo", profile()).await;
    assert_eq!(status(&app, &token).await["customerInfoStatus"], "1");
});

e2e!(operators_set_risk_flags_visible_in_the_status(app) {
    let (mobile, token) = app.user().await;
    let set = app.admin_call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1"})).await;
    assert_eq!(set["responseCode"], "0000", "{set}");
    let s = status(&app, &token).await;
    assert_eq!((s["isBlackList"].as_str(), s["isRisk"].as_str()), (Some("1"), Some("0")));
    app.admin_call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "0", "isRisk": "1"})).await;
    let s = status(&app, &token).await;
    assert_eq!((s["isBlackList"].as_str(), s["isRisk"].as_str()), (Some("0"), Some("1")));
    let unknown = app.admin_call("/admin/users/update", json!({"mobile": random_mobile(), "isRisk": "1"})).await;
    assert_eq!(unknown["responseCode"], "10001000");
    let bad = app.admin_call("/admin/users/update", json!({"mobile": mobile, "isRisk": "yes"})).await;
    assert_eq!(bad["responseCode"], "10001000");
    let credit = app.admin_call("/admin/users/update", json!({"mobile": mobile, "totalCredit": "8000.00"})).await;
    assert_eq!(credit["responseCode"], "0000", "forwarded to loan-service");
    let bad_credit = app.admin_call("/admin/users/update", json!({"mobile": mobile, "totalCredit": "lots"})).await;
    assert_eq!(bad_credit["responseCode"], "10001000");
});

e2e!(every_customer_endpoint_needs_a_session(app) {
    for path in [
        "/appCommonApi/getAuthenticationStatus", "/appCommonApi/authUserBankCard", "/appCommonApi/authUserMobile",
        "/appCommonApi/authRealNameInfo", "/appCommonApi/getPerfectUserInfo", "/appCommonApi/savePerfectUserInfo",
        "/appCommonApi/saveOrUpdateRelShip",
    ] {
        assert_eq!(app.call(path, json!({})).await["responseCode"], "99990004", "{path}");
        let bogus = "0123456789ABCDEF0123456789ABCDEF";
        assert_eq!(app.call_as(bogus, path, json!({})).await["responseCode"], "99990004", "{path}");
    }
});

e2e!(no_plaintext_id_card_phone_or_name_in_the_database(app) {
    let (mobile, token) = app.user().await;
    let id = fresh_id();
    let number = bank_card("6217", "", 19);
    let (reserved, contact_phone) = (random_mobile(), random_mobile());
    real_name(&app, &token, NAME, &id).await;
    card(&app, &token, &number, &reserved).await;
    app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact("add", "", "1", "李四", &contact_phone)).await;
    let text = app.database_text("auth");
    assert!(text.contains("contacts"), "the dump is readable (the consents' types are stored in clear)");
    // Names, the verified one and a contact's, and the account's own mobile are sealed too (issue
    // 28, finding 6).
    for secret in [&id, &number, &reserved, &contact_phone, &NAME.to_owned(), &mobile, &"李四".to_owned()] {
        assert!(!text.contains(secret.as_str()), "{secret} stored in plain text");
    }
});

e2e!(forgot_password_checks_the_verified_identity(app, crate::harness::StackTweak::sms_cooldown(0)) {
    let (mobile, token) = app.user().await;
    let id = fresh_id();
    assert_eq!(real_name(&app, &token, NAME, &id).await["responseCode"], "0000");
    let identity = |name: &str, number: &str| {
        app.call("/openApi/forgetPwdIdentityAuth", json!({"mobile": mobile, "realname": name, "identitycode": number}))
    };
    // The identity step needs the SMS step before it, even with the right name and number.
    assert_eq!(identity(NAME, &id).await["responseCode"], "20004001", "before the SMS check");
    assert_eq!(app.send_code("/openApi/forgetPwdGetSmsCode", &mobile).await["responseCode"], "20001000");
    let code = app.last_sms_code(&mobile).await.unwrap();
    let checked = app.call("/openApi/forgetPwdCheckSmsCode", json!({"mobile": mobile, "smscode": code})).await;
    assert_eq!(checked["responseCode"], "20002006");
    let reset = |password: &'static str| {
        let enc = crate::harness::encrypt(password);
        app.call("/openApi/userResetPwd", json!({"mobile": mobile, "password": enc, "confirmPassword": enc}))
    };
    assert_eq!(reset("new-pass-1").await["responseCode"], "20003003", "identity step skipped");
    assert_eq!(identity("李四", &id).await["responseCode"], "20004001");
    assert_eq!(identity(NAME, &fresh_id()).await["responseCode"], "20004001");
    assert_eq!(identity(NAME, &id.to_lowercase()).await["responseCode"], "20004000");
    assert_eq!(reset("new-pass-1").await["responseCode"], "20003002");
    app.login(&mobile, "new-pass-1").await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loan_service_gets_the_summary_and_identity_over_grpc() {
    use cashloan_proto::auth::v1 as pb;
    let app = TestApp::spawn(&crate::harness::Backend::Embedded, |_| {}).await;
    let (mobile, token) = app.user().await;
    let id = fresh_id();
    let number = bank_card("6217", "", 16);
    let reserved = random_mobile();
    real_name(&app, &token, NAME, &id).await;
    card(&app, &token, &number, &reserved).await;
    app.admin_call("/admin/users/update", json!({"mobile": mobile, "isRisk": "1"}))
        .await;

    let mut gateway = pb::auth_client::AuthClient::new(app.service_channel("auth-service", Some("gateway")));
    let mut auth = pb::auth_client::AuthClient::new(app.service_channel("auth-service", Some("loan")));
    let user_id = gateway
        .find_account(pb::FindAccountRequest { mobile })
        .await
        .unwrap()
        .into_inner()
        .user_id;
    let user = pb::UserRef { user_id };
    let summary = auth
        .get_verification_summary(user.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        summary,
        pb::VerificationSummary {
            real_name_verified: true,
            bank_card_verified: true,
            customer_info_complete: false,
            mobile_verified: false,
            blacklisted: false,
            risk: true,
            contacts_consented: true,
        }
    );
    let identity = auth.get_verified_identity(user).await.unwrap().into_inner();
    assert_eq!(
        identity,
        pb::VerifiedIdentity {
            real_name: NAME.into(),
            id_card_no: id,
            bank_card_no: number,
            bank_card_mobile: reserved,
        }
    );
    app.stop().await;
}

// API.md §4: the user comes from the session only; ids and mobiles in the body change nothing.
e2e!(a_user_id_or_mobile_in_the_body_is_ignored(app) {
    let (victim_mobile, victim) = app.user().await;
    let victim_id = crate::messages::auth_user_id(&app, &victim_mobile).await;
    let (mobile, token) = app.user().await;
    let injected = |mut fields: Value| {
        for (name, value) in [("userId", &victim_id), ("user_id", &victim_id), ("customerId", &victim_id), ("mobile", &victim_mobile)] {
            fields[name] = json!(value);
        }
        fields
    };
    let centre = app.call_as(&token, "/appCommonApi/getUserCenterInfo", injected(json!({}))).await;
    assert_eq!(centre["resultSet"]["mobile"], format!("{}****{}", &mobile[..3], &mobile[7..]));
    assert_eq!(real_name(&app, &victim, NAME, &fresh_id()).await["responseCode"], "0000");
    let seen = app.call_as(&token, "/appCommonApi/getAuthenticationStatus", injected(json!({}))).await;
    assert_eq!((seen["resultSet"]["realNameAuthStatus"].as_str(), seen["resultSet"]["authRealName"].as_str()), (Some("0"), Some("")));
    let added = app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", injected(contact("add", "", "1", "李四", &random_mobile()))).await;
    assert_eq!(added["responseCode"], "0000", "{added}");
    let saved = app.call_as(&token, "/appCommonApi/savePerfectUserInfo", injected(profile())).await;
    assert_eq!(saved["responseCode"], "0000", "{saved}");
    let victims = app.call_as(&victim, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"].clone();
    assert_eq!((victims["relShipList"].clone(), victims["education"].clone()), (json!([]), json!("")), "the victim's profile is untouched");
    let mine = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await["resultSet"].clone();
    assert_eq!(mine["relShipList"].as_array().unwrap().len(), 1);
    assert_eq!(status(&app, &victim).await["customerInfoStatus"], "0");
});

e2e!(an_account_from_before_mobiles_were_sealed_is_sealed_at_start_and_logs_in(app) {
    let mobile = random_mobile();
    app.register(&mobile, "secret-9").await;
    // As the row was written before: the mobile in clear, no keyed hash.
    let rows = app.database_execute(
        "auth",
        &format!("UPDATE users SET mobile = '{mobile}', mobile_hash = NULL WHERE mobile_hash IS NOT NULL AND id = (SELECT id FROM users ORDER BY created_at DESC LIMIT 1)"),
    );
    assert_eq!(rows, 1);
    const STORED: &str = "SELECT mobile || ' ' || COALESCE(mobile_hash, '-') AS value FROM users";
    assert_eq!(app.database_string("auth", STORED), format!("{mobile} -"));
    app.restart().await;
    let sealed = app.database_string("auth", STORED);
    assert!(!sealed.contains(&mobile) && !sealed.ends_with(" -"), "sealed at start: {sealed}");
    assert_eq!(app.login_reply(&mobile, "secret-9").await["responseCode"], "90000000");
    let again = app.send_code("/openApi/getSmsCode", &mobile).await;
    assert_eq!(again["responseMessage"], "该手机号码已注册", "still one account per mobile: {again}");
});
