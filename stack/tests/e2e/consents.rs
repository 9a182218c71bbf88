//! Consents (API.md §6.6, #37–#39): each sensitive collection needs its own, the texts are pages,
//! and every acceptance and withdrawal is evidence in auth-service's chain.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::{bank_card, random_id_card, random_mobile, TestApp};
use crate::loans::{application, apply, product_id, verified_user_numbers};

async fn consents(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app.call_as(token, "/appCommonApi/getConsents", json!({})).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].as_array().unwrap().clone()
}

/// `consentType` → `accepted` of the list.
async fn accepted(app: &TestApp, token: &str) -> Vec<(String, String)> {
    consents(app, token)
        .await
        .iter()
        .map(|c| {
            (
                c["consentType"].as_str().unwrap().to_owned(),
                c["accepted"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

async fn accept(app: &TestApp, token: &str, kind: &str, version: Value) -> String {
    let body = json!({"consentType": kind, "version": version, "appType": "1", "appVersion": "2.3.0"});
    app.call_as(token, "/appCommonApi/acceptConsent", body).await["responseCode"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn withdraw(app: &TestApp, token: &str, kind: &str) -> String {
    app.call_as(
        token,
        "/appCommonApi/withdrawConsent",
        json!({"consentType": kind}),
    )
    .await["responseCode"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn status(app: &TestApp, token: &str) -> Value {
    app.call_as(token, "/appCommonApi/getAuthenticationStatus", json!({}))
        .await["resultSet"]
        .clone()
}

fn contact(phone: &str) -> Value {
    json!({"operType": "add", "relType": "1", "realName": "王父", "phoneNum": phone})
}

e2e!(each_collection_needs_its_consent_and_without_it_stores_nothing(app) {
    let (_, token) = app.user_without_consents().await;
    let list = consents(&app, &token).await;
    let kinds: Vec<&str> = list.iter().map(|c| c["consentType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["sensitive", "carrier", "contacts"]);
    for c in &list {
        assert_eq!((c["version"].as_str(), c["accepted"].as_str(), c["acceptedTime"].as_str()), (Some("1"), Some("0"), Some("")), "{c}");
        let url = c["url"].as_str().unwrap();
        assert_eq!(url, format!("{}/h5/consent/{}/1", app.api, c["consentType"].as_str().unwrap()));
        let page = app.http.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
        let text = page.text().await.unwrap();
        assert!(text.contains(c["title"].as_str().unwrap()) && text.contains("保存期限") && text.contains("撤回"), "{text}");
    }
    assert_eq!(app.http.get(format!("{}/h5/consent/sensitive/9", app.api)).send().await.unwrap().status(), 404);
    assert_eq!(app.http.get(format!("{}/h5/consent/phonebook/1", app.api)).send().await.unwrap().status(), 404);

    // Nothing collected without its consent, and nothing stored by the refusal.
    let id = random_id_card();
    let real_name = json!({"realName": "王小明", "idCardNo": id});
    assert_eq!(app.call_as(&token, "/appCommonApi/authRealNameInfo", real_name.clone()).await["responseCode"], "20007030");
    assert_eq!(app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact(&random_mobile())).await["responseCode"], "20007030");
    let profile = app.call_as(&token, "/appCommonApi/getPerfectUserInfo", json!({})).await;
    assert_eq!(profile["resultSet"]["relShipList"], json!([]), "{profile}");
    assert_eq!(status(&app, &token).await["realNameAuthStatus"], "0");
    let stored = |table: &str| app.database_integer("auth", &format!("SELECT COUNT(*) AS value FROM {table}"));
    assert_eq!((stored("identities"), stored("contacts")), (0, 0));

    // Only the current version of a known type can be accepted.
    assert_eq!(accept(&app, &token, "sensitive", json!("2")).await, "10001000");
    assert_eq!(accept(&app, &token, "phonebook", json!("1")).await, "10001000");
    assert_eq!(accepted(&app, &token).await, pairs(&[("sensitive", "0"), ("carrier", "0"), ("contacts", "0")]));

    // Sensitive: real name and card. Not the carrier check.
    assert_eq!(accept(&app, &token, "sensitive", json!(1)).await, "0000", "a number is the same version");
    assert_eq!(app.call_as(&token, "/appCommonApi/authRealNameInfo", real_name).await["responseCode"], "0000");
    let card = json!({"bankCardNo": bank_card("6217", "", 16), "mobile": random_mobile()});
    assert_eq!(app.call_as(&token, "/appCommonApi/authUserBankCard", card.clone()).await["responseCode"], "0000");
    assert_eq!(app.call_as(&token, "/appCommonApi/authUserMobile", json!({})).await["responseCode"], "20007030");
    assert_eq!(status(&app, &token).await["mobileAuthStatus"], "0");
    assert_eq!(accept(&app, &token, "carrier", json!("1")).await, "0000");
    assert_eq!(app.call_as(&token, "/appCommonApi/authUserMobile", json!({})).await["responseCode"], "0000");
    let list = consents(&app, &token).await;
    let time = list[0]["acceptedTime"].as_str().unwrap();
    assert!(time.len() == 19 && time.as_bytes()[10] == b' ', "yyyy-MM-dd HH:mm:ss: {time}");

    // Withdrawn: the card cannot be verified again; what was verified stays.
    assert_eq!(withdraw(&app, &token, "sensitive").await, "0000");
    assert_eq!(withdraw(&app, &token, "sensitive").await, "0000", "withdrawing twice is no error");
    assert_eq!(accepted(&app, &token).await, pairs(&[("sensitive", "0"), ("carrier", "1"), ("contacts", "0")]));
    assert_eq!(app.call_as(&token, "/appCommonApi/authUserBankCard", card).await["responseCode"], "20007030");
    assert_eq!(status(&app, &token).await["realNameAuthStatus"], "1");

    // Contacts.
    assert_eq!(accept(&app, &token, "contacts", json!("1")).await, "0000");
    assert_eq!(app.call_as(&token, "/appCommonApi/saveOrUpdateRelShip", contact(&random_mobile())).await["responseCode"], "0000");
});

e2e!(consents_are_evidence_in_a_chain_of_their_own(app) {
    let (_, token) = app.user_without_consents().await;
    for kind in ["sensitive", "carrier", "contacts"] {
        assert_eq!(accept(&app, &token, kind, json!("1")).await, "0000");
    }
    assert_eq!(accept(&app, &token, "carrier", json!("1")).await, "0000", "accepting again records nothing");
    assert_eq!(withdraw(&app, &token, "carrier").await, "0000");
    assert_eq!(withdraw(&app, &token, "carrier").await, "0000", "nothing held, nothing recorded");
    assert_eq!(accept(&app, &token, "carrier", json!("1")).await, "0000");
    let verify = || async {
        let reply = app.admin_call("/admin/contracts/verify", json!({})).await;
        assert_eq!(reply["responseCode"], "0000", "{reply}");
        reply["resultSet"].clone()
    };
    let result = verify().await;
    assert_eq!(result["authEvidenceBroken"], "", "{result}");
    // The chain also holds the audit log of admin calls (the harness reads SMS codes through one).
    let consent_seq = |nth: i64| {
        app.database_integer(
            "auth",
            &format!("SELECT seq AS value FROM evidence WHERE action IN ('consent', 'withdraw') ORDER BY seq LIMIT 1 OFFSET {nth}"),
        )
    };
    assert_eq!(
        app.database_integer("auth", "SELECT COUNT(*) AS value FROM evidence WHERE action IN ('consent', 'withdraw')"),
        5
    );
    // What was shown, from where and with which app.
    let page = app
        .http
        .get(format!("{}/h5/consent/contacts/1", app.api))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let shown = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&page));
    let text = app.database_text("auth");
    assert!(text.contains(&shown), "the hash of the page as served is in the record");
    assert!(text.contains("1/2.3.0") && text.contains("withdraw"), "appType/appVersion and the withdrawal");

    let (second, fourth) = (consent_seq(1), consent_seq(3));
    app.database_execute("auth", &format!("UPDATE evidence SET client_ip = '10.0.0.9' WHERE seq = {second}"));
    assert_eq!(verify().await["authEvidenceBroken"], format!("record {second} was altered"));
    app.database_execute("auth", &format!("DELETE FROM evidence WHERE seq = {fourth}"));
    assert_eq!(verify().await["authEvidenceBroken"], format!("record {second} was altered"), "the first break is named");
    app.database_execute("auth", &format!("UPDATE evidence SET client_ip = '127.0.0.1' WHERE seq = {second}"));
    assert_eq!(verify().await["authEvidenceBroken"], format!("record {fourth} is missing"));
});

e2e!(without_the_contacts_consent_an_applications_phonebook_is_dropped(app) {
    let product = product_id(&app, "新现金贷").await;
    // By the application's id: the mobile is sealed at rest too.
    let stored_length = |token: &str| {
        let app = &app;
        let token = token.to_owned();
        async move {
            let id = crate::loans::newest_application(app, &token).await;
            app.loan_database_integer(&format!(
                "SELECT CAST(LENGTH(phonebook) AS BIGINT) AS value FROM applications WHERE id = '{id}'"
            ))
        }
    };
    let friend = random_mobile();
    let with_phonebook = || {
        let mut body = application(&product, "500.00");
        body["phonebookList"] = json!([{"contactName": "赵六六", "contactPhone": friend}]);
        body
    };
    let consenting = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &consenting.token, with_phonebook()).await["responseCode"], "20005000");

    let withdrawn = verified_user_numbers(&app).await;
    assert_eq!(withdraw(&app, &withdrawn.token, "contacts").await, "0000");
    assert_eq!(apply(&app, &withdrawn.token, with_phonebook()).await["responseCode"], "20005000");

    let empty = verified_user_numbers(&app).await;
    let mut body = application(&product, "500.00");
    body["phonebookList"] = json!([]);
    assert_eq!(apply(&app, &empty.token, body).await["responseCode"], "20005000");

    // Sealed at rest, so compared by size: the withdrawn user's is an empty list's.
    assert_eq!(stored_length(&withdrawn.token).await, stored_length(&empty.token).await);
    assert!(stored_length(&consenting.token).await > stored_length(&empty.token).await + 30);
});
