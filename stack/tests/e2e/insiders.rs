//! Attacks by insiders (issue 28), each replayed against the fix: an admin making a second person
//! of themselves, taking over another operator's account through a password they set, and a
//! checker the action refuses killing the request they were not allowed to confirm.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::verified_user;
use crate::operators::{
    console_post, email_of, enrol, enrolment_token, login, signed_in, totp, unique, Console, PASSWORD,
};

async fn operator_named(app: &TestApp, username: &str) -> Option<Value> {
    let list = app.admin_call("/admin/operators/list", json!({})).await;
    list["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == username)
        .cloned()
}

async fn approval(c: &Console, id: &str) -> Value {
    let (_, list) = c.call("/admin/approvals/list", json!({"pageSize": 100})).await;
    list["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .unwrap()
}

async fn blacklisted(app: &TestApp, mobile: &str) -> Value {
    app.admin_call("/admin/users/detail", json!({"mobile": mobile}))
        .await["resultSet"]["isBlackList"]
        .clone()
}

e2e!(an_admin_cannot_make_a_second_person_of_themselves(app) {
    let (a_name, _, a) = signed_in(&app, "admin", &["admin"]).await;
    let (_, _, c) = signed_in(&app, "admin", &["admin"]).await;

    // A new admin asked by an admin waits for another; its link goes only to its own address.
    let b_name = unique("admin");
    let (_, asked) = a.call("/admin/operators/create", json!({"username": b_name, "email": email_of(&b_name), "roles": ["admin"]})).await;
    assert_eq!((asked["responseCode"].as_str(), asked["resultSet"]["status"].as_str()), (Some("0000"), Some("pending")), "{asked}");
    assert!(operator_named(&app, &b_name).await.is_none(), "not created yet");
    assert!(enrolment_token(&app, &email_of(&b_name)).is_none(), "no link yet");
    let b_request = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    let (_, own) = a.call("/admin/approvals/decide", json!({"id": b_request, "decision": "confirm"})).await;
    assert_eq!(own["responseCode"], "20009009", "{own}");
    let f_name = unique("finance");
    let (_, finance) = a.call("/admin/operators/create", json!({"username": f_name, "email": email_of(&f_name), "roles": ["finance"]})).await;
    assert_eq!(finance["resultSet"]["status"], "pending", "finance accounts wait too: {finance}");

    // Others are created at once, but the creator gets no password, secret or link.
    let r_name = unique("reviewer");
    let (_, made) = a.call("/admin/operators/create", json!({"username": r_name, "email": email_of(&r_name), "roles": ["reviewer"]})).await;
    assert_eq!(made["responseCode"], "0000", "{made}");
    let link = enrolment_token(&app, &email_of(&r_name)).unwrap();
    assert!(!made.to_string().contains(&link) && made["resultSet"].get("totpUri").is_none(), "{made}");
    assert_eq!(login(&app, &r_name, PASSWORD, "").await.err().unwrap()["responseCode"], "20009001", "no password until enrolled");
    let log = app.admin_call("/admin/audit/list", json!({"operator": a_name, "pageSize": 50})).await;
    assert!(!log.to_string().contains(&link), "nor does the audit log hold the link");

    // Confirmed by the other admin, B exists; B, made by A, never checks A's requests.
    let (_, confirmed) = c.call("/admin/approvals/decide", json!({"id": b_request, "decision": "confirm"})).await;
    assert_eq!(confirmed["responseCode"], "0000", "{confirmed}");
    assert_eq!(operator_named(&app, &b_name).await.unwrap()["createdBy"], a_name.as_str());
    let b_uri = enrol(&app, &enrolment_token(&app, &email_of(&b_name)).unwrap(), PASSWORD).await;
    let b = login(&app, &b_name, PASSWORD, &totp(&b_uri, 0)).await.unwrap();
    let (mobile, _) = verified_user(&app).await;
    let (_, asked) = a.call("/admin/users/update", json!({"mobile": mobile, "isBlackList": "1", "totalCredit": "99999.00"})).await;
    let request = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    for decision in ["confirm", "reject"] {
        let (_, refused) = b.call("/admin/approvals/decide", json!({"id": request, "decision": decision})).await;
        assert_eq!(refused["responseCode"], "20009014", "{decision}: {refused}");
    }
    assert_eq!(approval(&c, &request).await["status"], "pending");
    assert_eq!(blacklisted(&app, &mobile).await, "0");

    // A role change asked by an operator waits too, and makes its target the maker's own.
    let r = operator_named(&app, &r_name).await.unwrap();
    enrol(&app, &link, PASSWORD).await;
    let (_, grant) = a.call("/admin/operators/update", json!({"id": r["id"], "roles": ["admin"]})).await;
    assert_eq!(grant["resultSet"]["status"], "pending", "{grant}");
    let (_, self_grant) = a.call("/admin/operators/update", json!({"id": operator_named(&app, &a_name).await.unwrap()["id"], "roles": ["admin", "finance"]})).await;
    assert_eq!(self_grant["responseCode"], "20009005", "nobody is asked to confirm the impossible: {self_grant}");
    let (_, granted) = c.call("/admin/approvals/decide", json!({"id": grant["resultSet"]["approvalId"], "decision": "confirm"})).await;
    assert_eq!(granted["responseCode"], "0000", "{granted}");
    let r = operator_named(&app, &r_name).await.unwrap();
    assert_eq!((r["roles"].clone(), r["changedBy"].as_str(), r["totpEnrolled"].as_bool()), (json!(["admin"]), Some(a_name.as_str()), Some(false)));
    // Admin needs a second factor: the grant mailed R a new link and voided the old password.
    assert_eq!(login(&app, &r_name, PASSWORD, "").await.err().unwrap()["responseCode"], "20009001");
    let r_uri = enrol(&app, &enrolment_token(&app, &email_of(&r_name)).unwrap(), PASSWORD).await;
    let r_console = login(&app, &r_name, PASSWORD, &totp(&r_uri, 0)).await.unwrap();
    let (_, refused) = r_console.call("/admin/approvals/decide", json!({"id": request, "decision": "confirm"})).await;
    assert_eq!(refused["responseCode"], "20009014", "{refused}");

    let (_, done) = c.call("/admin/approvals/decide", json!({"id": request, "decision": "confirm"})).await;
    assert_eq!(done["responseCode"], "0000", "{done}");
    assert_eq!(blacklisted(&app, &mobile).await, "1");
});

e2e!(finance_and_admin_accounts_enrol_a_second_factor(app) {
    let name = unique("finance");
    let reply = app.admin_call("/admin/operators/create", json!({"username": name, "email": email_of(&name), "roles": ["finance"]})).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    let link = enrolment_token(&app, &email_of(&name)).unwrap();
    let (_, early) = console_post(&app, "/console/api/enrol", json!({"token": link, "password": PASSWORD})).await;
    assert_eq!(early["responseCode"], "20009003", "the link must be opened for its second factor: {early}");
    let (_, opened) = console_post(&app, "/console/api/enrolment", json!({"token": link})).await;
    let uri = opened["resultSet"]["totpUri"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("otpauth://totp/") && opened["resultSet"]["username"] == name.as_str(), "{opened}");
    let (_, without) = console_post(&app, "/console/api/enrol", json!({"token": link, "password": PASSWORD})).await;
    assert_eq!(without["responseCode"], "20009003", "{without}");
    let (_, wrong) = console_post(&app, "/console/api/enrol", json!({"token": link, "password": PASSWORD, "totp": totp(&uri, 5)})).await;
    assert_eq!(wrong["responseCode"], "20009004", "{wrong}");
    // Opened again, the link shows a new factor: that one is enrolled, the first is worthless.
    let enrolled = enrol(&app, &link, PASSWORD).await;
    assert_ne!(enrolled, uri);
    assert_eq!(login(&app, &name, PASSWORD, &totp(&uri, 0)).await.err().unwrap()["responseCode"], "20009004");
    assert_eq!(login(&app, &name, PASSWORD, "").await.err().unwrap()["responseCode"], "20009003");
    assert!(login(&app, &name, PASSWORD, &totp(&enrolled, 0)).await.is_ok());
});

e2e!(an_admin_can_force_a_reset_but_never_set_a_password(app) {
    let (_, _, admin) = signed_in(&app, "admin", &["admin"]).await;
    let (victim_name, victim, victim_console) = signed_in(&app, "auditor", &["auditor"]).await;
    let (_, set) = admin.call("/admin/operators/update", json!({"id": victim["id"], "password": "Attacker-2026"})).await;
    assert_eq!(set["responseCode"], "10001000", "{set}");
    let create_with = json!({"username": unique("x"), "email": "x@staff.example", "roles": ["auditor"], "password": "Attacker-2026"});
    assert_eq!(admin.call("/admin/operators/create", create_with).await.1["responseCode"], "10001000");
    assert_eq!(victim_console.me().await, 200, "nothing changed");
    assert!(login(&app, &victim_name, "Attacker-2026", "").await.is_err());

    let (_, reset) = admin.call("/admin/operators/update", json!({"id": victim["id"], "reset": "1"})).await;
    assert_eq!(reset["responseCode"], "0000", "{reset}");
    assert_eq!(victim_console.me().await, 401, "the victim's sessions end");
    assert_eq!(login(&app, &victim_name, PASSWORD, "").await.err().unwrap()["responseCode"], "20009001", "the old password is void");
    let link = enrolment_token(&app, &email_of(&victim_name)).unwrap();
    assert!(!reset.to_string().contains(&link), "{reset}");
    enrol(&app, &link, "Victims-Own-2026").await;
    assert!(login(&app, &victim_name, "Victims-Own-2026", "").await.is_ok());
    let (_, again) = console_post(&app, "/console/api/enrol", json!({"token": link, "password": "Attacker-2026"})).await;
    assert_eq!(again["responseCode"], "20009015", "a link is spent once: {again}");
    let (_, forged) = console_post(&app, "/console/api/enrolment", json!({"token": "A".repeat(64)})).await;
    assert_eq!(forged["responseCode"], "20009015", "{forged}");

    // A link dies with its time, and with the account's disabling.
    let late = unique("late");
    app.admin_call("/admin/operators/create", json!({"username": late, "email": email_of(&late), "roles": ["auditor"]})).await;
    let late_link = enrolment_token(&app, &email_of(&late)).unwrap();
    app.clock.advance_ms(24 * 3600 * 1000 + 1);
    let (_, expired) = console_post(&app, "/console/api/enrolment", json!({"token": late_link})).await;
    assert_eq!(expired["responseCode"], "20009015", "{expired}");
    let gone = unique("gone");
    let made = app.admin_call("/admin/operators/create", json!({"username": gone, "email": email_of(&gone), "roles": ["auditor"]})).await;
    app.admin_call("/admin/operators/update", json!({"id": made["resultSet"]["id"], "disabled": "1"})).await;
    let (_, disabled) = console_post(&app, "/console/api/enrolment", json!({"token": enrolment_token(&app, &email_of(&gone)).unwrap()})).await;
    assert_eq!(disabled["responseCode"], "20009015", "{disabled}");
});

e2e!(a_checker_the_action_refuses_leaves_the_request_waiting(app) {
    let product = crate::loans::product_id(&app, "新现金贷").await;
    let (_, token) = verified_user(&app).await;
    crate::loans::apply(&app, &token, crate::loans::application(&product, "500.00")).await;
    let id = crate::loans::newest_application(&app, &token).await;
    let (reviewer_name, reviewer, reviewer_console) = signed_in(&app, "reviewer", &["reviewer"]).await;
    let (_, approved) = reviewer_console.call("/admin/loans/review", json!({"applyId": id, "decision": "approve"})).await;
    assert_eq!(approved["responseCode"], "0000", "{approved}");
    // The reviewer moves to finance (by the token: no maker), and enrols their second factor.
    app.admin_call("/admin/operators/update", json!({"id": reviewer["id"], "roles": ["finance"]})).await;
    let uri = enrol(&app, &enrolment_token(&app, &email_of(&reviewer_name)).unwrap(), PASSWORD).await;
    let former_reviewer = login(&app, &reviewer_name, PASSWORD, &totp(&uri, 0)).await.unwrap();

    let (_, _, maker) = signed_in(&app, "finance", &["finance"]).await;
    let yesterday = (app.clock.today() - chrono::Days::new(1)).to_string();
    let (_, asked) = maker.call("/admin/loans/disburse", json!({"applyId": id, "releaseDate": yesterday})).await;
    let request = asked["resultSet"]["approvalId"].as_str().unwrap().to_owned();
    let (_, refused) = former_reviewer.call("/admin/approvals/decide", json!({"id": request, "decision": "confirm"})).await;
    assert_eq!(refused["responseCode"], "20008006", "{refused}");
    let waiting = approval(&maker, &request).await;
    assert_eq!((waiting["status"].as_str(), waiting["decidedBy"].as_str()), (Some("pending"), Some("")), "{waiting}");

    let (_, _, checker) = signed_in(&app, "finance", &["finance"]).await;
    let (_, paid) = checker.call("/admin/approvals/decide", json!({"id": request, "decision": "confirm"})).await;
    assert_eq!(paid["responseCode"], "0000", "{paid}");
    assert_eq!(approval(&maker, &request).await["status"], "done");
});

e2e!(the_admin_apis_map_is_for_operators_only(app) {
    for path in ["/openapi.json", "/reference"] {
        let anonymous = app.http.get(format!("{}{path}", app.admin)).send().await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 401, "{path}");
        let with_token = app
            .http
            .get(format!("{}{path}", app.admin))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(with_token.status().as_u16(), 200, "{path}");
    }
    let (_, _, auditor) = signed_in(&app, "auditor", &["auditor"]).await;
    let response = app
        .http
        .get(format!("{}/openapi.json", app.admin))
        .header("cookie", format!("console_session={}", auditor.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "an operator's session reads it");
    let doc: Value = response.json().await.unwrap();
    assert!(doc["paths"]["/admin/operators/create"].is_object());
    // The app API's document is the apps' developers' and stays public.
    assert_eq!(app.http.get(app.url("/openapi.json")).send().await.unwrap().status().as_u16(), 200);
});

e2e!(a_service_port_from_the_log_gives_nothing_without_a_service_key(app) {
    use cashloan_proto::auth::v1 as auth;
    use cashloan_proto::loan::v1 as loan;
    use cashloan_proto::message::v1 as message;
    let (mobile, token) = verified_user(&app).await;
    let outbox = message::ListSmsOutboxRequest { mobile: String::new(), limit: 10 };
    let credit = |user_id: String| loan::SetCreditLineRequest { user_id, total: "99999.00".into() };
    let user_id = crate::messages::auth_user_id(&app, &mobile).await;

    // No token: nothing at all, not even whether the method exists.
    let mut sms = message::message_client::MessageClient::new(app.service_channel("message-service", None));
    assert_eq!(sms.list_sms_outbox(outbox.clone()).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    let mut loans = loan::loan_client::LoanClient::new(app.service_channel("loan-service", None));
    assert_eq!(loans.set_credit_line(credit(user_id.clone())).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    let mut audit = auth::auth_client::AuthClient::new(app.service_channel("auth-service", None));
    assert_eq!(audit.list_audit(auth::ListAuditRequest::default()).await.unwrap_err().code(), tonic::Code::Unauthenticated);

    // A real key of another caller opens only what that caller may call: loan-service's key or
    // the gateway's app side never reach operators' methods.
    for caller in ["loan", "gateway", "auth"] {
        let mut sms = message::message_client::MessageClient::new(app.service_channel("message-service", Some(caller)));
        assert_eq!(sms.list_sms_outbox(outbox.clone()).await.unwrap_err().code(), tonic::Code::PermissionDenied, "{caller}");
        let mut loans = loan::loan_client::LoanClient::new(app.service_channel("loan-service", Some(caller)));
        assert_eq!(loans.set_credit_line(credit(user_id.clone())).await.unwrap_err().code(), tonic::Code::PermissionDenied, "{caller}");
    }
    let center = app.call_as(&token, "/appCommonApi/getUserCenterInfo", json!({})).await;
    assert_ne!(center["resultSet"]["totalCredit"], "99999.00", "nothing changed: {center}");
    // The admin side's key does; the gateway holds it for operators' calls only.
    let mut admin = message::message_client::MessageClient::new(app.service_channel("message-service", Some("gateway-admin")));
    assert!(admin.list_sms_outbox(outbox).await.is_ok());
});

/// Every file of the stack's data folder, at any depth.
#[cfg(unix)]
fn files_under(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        found.push(path.clone());
        if path.is_dir() {
            files_under(&path, found);
        }
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stacks_files_are_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(&crate::harness::Backend::Embedded, |_| {}).await;
    let (_, token) = verified_user(&app).await;
    assert_eq!(
        app.call_as(&token, "/appCommonApi/getUserCenterInfo", json!({}))
            .await["responseCode"],
        "0000"
    );
    signed_in(&app, "auditor", &["auditor"]).await;
    let mut found = Vec::new();
    files_under(&app.config.data_dir, &mut found);
    assert!(
        found.iter().any(|p| p.extension().is_some_and(|e| e == "db")),
        "{found:?}"
    );
    let open: Vec<String> = found
        .iter()
        .filter(|p| std::fs::metadata(p).unwrap().permissions().mode() & 0o077 != 0)
        .map(|p| p.display().to_string())
        .collect();
    assert!(open.is_empty(), "readable by others: {open:?}");
    app.stop().await;
}
