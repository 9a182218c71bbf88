//! The operators' audit log (API.md §7): every admin call, reads included, recorded before it acts
//! and with its outcome after, hash-chained, listed newest first.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::{application, apply, newest_application, product_id, review, verified_user};

async fn audit(app: &TestApp, filter: Value) -> Value {
    let reply = app.admin_call("/admin/audit/list", filter).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply
}

e2e!(every_admin_call_is_in_the_audit_log_with_its_outcome(app) {
    let product = product_id(&app, "新现金贷").await;
    let (mobile, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;

    assert_eq!(review(&app, &id, "approve").await["responseCode"], "0000");
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "20008001", "a refused move is recorded too");
    let read = app.admin_call("/admin/loans/list", json!({"mobile": mobile})).await;
    assert_eq!(read["responseCode"], "0000");
    let flagged = app.admin_call("/admin/users/update", json!({"mobile": mobile, "isRisk": "1", "password": "hunter2"})).await;
    assert_eq!(flagged["responseCode"], "0000");

    // Outcomes are written after the answer.
    crate::payments::eventually("the outcomes are recorded", || async {
        audit(&app, json!({"pageSize": 50})).await["resultSet"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] != "/admin/audit/list")
            .all(|e| e["outcome"] != "")
    })
    .await;
    let log = audit(&app, json!({"pageSize": 50, "operator": "token"})).await;
    let all = log["resultSet"].as_array().unwrap();
    let entries: Vec<&Value> = all.iter().filter(|e| e["action"] != "/admin/audit/list").take(4).collect();
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    let listing = &log["resultSet"][0];
    assert_eq!(listing["action"], "/admin/audit/list", "the list call itself");
    assert_eq!(
        seen,
        [
            ("/admin/users/update", mobile.as_str(), "0000 更新成功"),
            ("/admin/loans/list", mobile.as_str(), "0000 查询成功"),
            ("/admin/loans/review", id.as_str(), "20008001 状态不允许此操作"),
            ("/admin/loans/review", id.as_str(), "0000 操作成功"),
        ],
        "newest first"
    );
    for e in &entries {
        assert_eq!((e["operator"].as_str(), e["role"].as_str(), e["clientIp"].as_str()), (Some("token"), Some("token"), Some("127.0.0.1")));
        assert_eq!(e["startedAt"].as_str().unwrap().len(), 19);
        assert!(!e["finishedAt"].as_str().unwrap().is_empty());
    }
    // The read names the customer whose data it returned; the update returned none.
    let customer = read["resultSet"][0]["userId"].clone();
    assert_eq!(entries[1]["customers"], json!([customer]));
    assert_eq!(entries[0]["customers"], json!([]));
    let request: Value = serde_json::from_str(entries[0]["request"].as_str().unwrap()).unwrap();
    assert_eq!(request, json!({"mobile": mobile, "isRisk": "1", "password": "***"}), "secrets masked");
    assert!(log["total"].as_u64().unwrap() >= 6, "the list calls themselves are recorded: {}", log["total"]);

    let reviews = audit(&app, json!({"action": "/admin/loans/review"})).await;
    assert_eq!(reviews["total"], 2);
    assert_eq!(audit(&app, json!({"operator": "someone-else"})).await["total"], 0);

    // Sealed into auth-service's chain within a second: a row altered or removed after is found.
    let refused = entries[2]["id"].as_str().unwrap().to_owned();
    crate::payments::eventually("the entries are sealed", || async {
        audit(&app, json!({"action": "/admin/loans/review"})).await["resultSet"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["sealed"] == true)
    })
    .await;
    let broken = || async {
        app.admin_call("/admin/contracts/verify", json!({})).await["resultSet"]["authEvidenceBroken"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(broken().await, "");
    let set_outcome = |outcome: &str| {
        app.database_execute("auth", &format!("UPDATE audit_entries SET outcome = '{outcome}' WHERE id = '{refused}'"))
    };
    set_outcome("0000 操作成功");
    let altered = broken().await;
    assert!(altered.starts_with(&format!("audit entry {refused} (record ")) && altered.ends_with(") was altered"), "{altered}");
    set_outcome("20008001 状态不允许此操作");
    assert_eq!(broken().await, "");
    app.database_execute("auth", &format!("DELETE FROM audit_entries WHERE id = '{refused}'"));
    assert!(broken().await.ends_with(") is missing"));
});

e2e!(an_admin_call_that_cannot_be_recorded_does_not_act(app) {
    let product = product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    app.stack.as_mut().unwrap().stop_service("auth-service").await;
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "99990005");
    let status = app.loan_database_integer(&format!("SELECT CAST(status AS BIGINT) AS value FROM applications WHERE id = '{id}'"));
    assert_eq!(status, 0, "not approved without its record");
});

e2e!(reveal_shows_one_value_whole_and_only_its_reason_is_logged(app) {
    let product = product_id(&app, "新现金贷").await;
    let user = crate::loans::verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &user.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let listed = app.admin_call("/admin/loans/list", json!({"mobile": user.mobile})).await;
    let user_id = listed["resultSet"][0]["userId"].as_str().unwrap().to_owned();
    let reveal = |field: &str, reason: &str| {
        let body = json!({"field": field, "userId": user_id, "reason": reason});
        let app = app.clone_handle();
        async move { app.admin_call("/admin/reveal", body).await }
    };
    for (field, whole) in [("idCardNo", &user.id_card), ("bankCardNo", &user.bank_card), ("mobile", &user.mobile)] {
        let reply = reveal(field, "客户来电核实身份").await;
        assert_eq!((reply["responseCode"].as_str(), reply["resultSet"].as_str()), (Some("0000"), Some(whole.as_str())), "{field}");
    }
    assert_eq!(reveal("realName", "核实").await["resultSet"], "王小明");
    assert_eq!(reveal("idCardNo", " ").await["responseCode"], "10001000", "a reason is required");
    assert_eq!(reveal("password", "核实").await["responseCode"], "10001000");
    let unknown = app.admin_call("/admin/reveal", json!({"field": "mobile", "userId": "nobody", "reason": "核实"})).await;
    assert_eq!(unknown["responseCode"], "10001000");

    crate::payments::eventually("the reveals are logged", || async {
        audit(&app, json!({"action": "/admin/reveal", "pageSize": 100})).await["resultSet"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"] != "")
    })
    .await;
    let log = audit(&app, json!({"action": "/admin/reveal", "pageSize": 100})).await;
    assert_eq!(log["total"], 7);
    let first = log["resultSet"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(first["target"], user_id.as_str());
    assert!(first["request"].as_str().unwrap().contains("客户来电核实身份"), "{first}");
    let text = log.to_string();
    assert!(!text.contains(&user.id_card) && !text.contains(&user.bank_card), "no value in the log");
});

/// The newest finished entry of an action, once its outcome is written.
async fn finished(app: &TestApp, action: &str) -> Value {
    crate::payments::eventually("the entry is finished", || async {
        audit(app, json!({"action": action})).await["resultSet"][0]["outcome"] != ""
    })
    .await;
    audit(app, json!({"action": action})).await["resultSet"][0].clone()
}

e2e!(a_change_is_recorded_with_the_values_before_and_after(app) {
    let (mobile, token) = verified_user(&app).await;
    let set = app.admin_call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1", "totalCredit": "7000.00"})).await;
    assert_eq!(set["responseCode"], "0000");
    assert!(set.get("changes").is_none() && !set.to_string().contains("before"), "never in the answer: {set}");
    let entry = finished(&app, "/admin/users/update").await;
    assert_eq!(
        entry["changes"],
        json!({"isBlackList": {"before": "0", "after": "1"}, "totalCredit": {"before": "5000.00", "after": "7000.00"}}),
        "{entry}"
    );
    app.admin_call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "0"})).await;
    // Stored sealed: what the call acted on, its request and the values it changed name the
    // customer; only the list opens them (issue 28, finding 6).
    let stored = app.database_string(
        "auth",
        "SELECT target || request || COALESCE(changes, '') AS value FROM audit_entries WHERE action = '/admin/users/update' ORDER BY n DESC LIMIT 1",
    );
    assert!(!stored.contains(&mobile) && !stored.contains("7000.00") && !stored.contains("isBlackList"), "{stored}");
    assert_eq!(finished(&app, "/admin/users/update").await["target"], mobile.as_str());

    let product = product_id(&app, "新现金贷").await;
    assert_eq!(apply(&app, &token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &token).await;
    let approved = app
        .admin_call("/admin/loans/review", json!({"applyId": id, "decision": "approve", "replyAmount": "400.00"}))
        .await;
    assert_eq!(approved["responseCode"], "0000", "{approved}");
    let entry = finished(&app, "/admin/loans/review").await;
    assert_eq!(entry["changes"]["applyStatus"], json!({"before": "0", "after": "2"}), "{entry}");
    assert_eq!(entry["changes"]["replyAmount"], json!({"before": "", "after": "400.00"}));
    let refused = review(&app, &id, "approve").await;
    assert_eq!(refused["responseCode"], "20008001");
    assert_eq!(finished(&app, "/admin/loans/review").await["changes"], Value::Null, "nothing changed");

    let listed = app.admin_call("/admin/products/list", json!({})).await;
    let mut edited = listed["resultSet"].as_array().unwrap().iter().find(|p| p["name"] == "员工贷").unwrap().clone();
    edited["sortOrder"] = json!("9");
    assert_eq!(app.admin_call("/admin/products/upsert", edited).await["responseCode"], "0000");
    let entry = finished(&app, "/admin/products/upsert").await;
    let changed: Vec<&String> = entry["changes"].as_object().unwrap().keys().collect();
    assert_eq!(changed, ["sortOrder"], "{entry}");

    // Sealed with the rest: altering the recorded values is found.
    let entry_id = entry["id"].as_str().unwrap().to_owned();
    crate::payments::eventually("sealed", || async {
        audit(&app, json!({"action": "/admin/products/upsert"})).await["resultSet"][0]["sealed"] == true
    })
    .await;
    app.database_execute("auth", &format!("UPDATE audit_entries SET changes = '{{}}' WHERE id = '{entry_id}'"));
    let broken = app.admin_call("/admin/contracts/verify", json!({})).await["resultSet"]["authEvidenceBroken"].clone();
    assert!(broken.as_str().unwrap().ends_with(") was altered"), "{broken}");
});

e2e!(admin_answers_are_never_cached(app) {
    let user = crate::loans::verified_user_numbers(&app).await;
    let detail = app.admin_call("/admin/users/detail", json!({"mobile": user.mobile})).await;
    assert_eq!(detail["responseCode"], "0000", "{detail}");
    // Nothing along the way, and not the browser, keeps a copy of customers' data.
    for (path, body) in [
        ("/admin/users/detail", json!({"mobile": user.mobile})),
        ("/admin/loans/list", json!({"mobile": user.mobile})),
        ("/admin/reveal", json!({"field": "mobile", "userId": "nobody", "reason": "核实"})),
    ] {
        let response = app.http.post(format!("{}{path}", app.admin)).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
    }
});
