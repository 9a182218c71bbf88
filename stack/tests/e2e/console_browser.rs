//! The operator console in a real browser (stack/tests/console/console_flow.py, Selenium driving
//! the machine's Chromium through its chromedriver): a new reviewer sets their password through
//! their enrolment link and approves, is refused the payout,
//! and another site's forged POST changes nothing; finance pays out; an admin sees both in the
//! audit log. `CONSOLE_PYTHON` names a Python with Selenium (`.ci/run` sets it, so CI never skips);
//! without one, and without Selenium in `python3`, the test says so and passes. Screenshots go to
//! `CONSOLE_SCREENSHOTS` (default `target/console-pages/`; `docs/console/` refreshes the README's).

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;

use crate::e2e;
use crate::loans::{application, apply, newest_application, product_id, verified_user};
use crate::operators::{create, email_of, enrolment_token, PASSWORD};

fn python() -> Option<String> {
    if let Ok(python) = std::env::var("CONSOLE_PYTHON") {
        return Some(python);
    }
    let has_selenium = Command::new("python3")
        .args(["-c", "import selenium"])
        .output()
        .is_ok_and(|o| o.status.success());
    let has_driver = Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    (has_selenium && has_driver).then(|| "python3".to_owned())
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

e2e!(operators_review_pay_out_and_audit_in_the_browser(app) {
    let Some(python) = python() else {
        eprintln!("no Python with Selenium and no chromedriver: the console's browser test is skipped (set CONSOLE_PYTHON)");
        return;
    };
    let suffix = rand::random_range(1000..9999u32);
    let (reviewer, finance, admin) = (format!("zhang.review{suffix}"), format!("li.finance{suffix}"), format!("wang.admin{suffix}"));
    let asked = app
        .admin_call("/admin/operators/create", json!({"username": reviewer, "email": email_of(&reviewer), "roles": ["reviewer"]}))
        .await;
    assert_eq!(asked["responseCode"], "0000", "{asked}");
    let enrolment = format!("{}/console#/enrol/{}", app.admin, enrolment_token(&app, &email_of(&reviewer)).unwrap());
    let finance_uri = create(&app, &finance, &["finance"]).await["totpUri"].as_str().unwrap().to_owned();
    let admin_uri = create(&app, &admin, &["admin"]).await["totpUri"].as_str().unwrap().to_owned();
    let second_admin = format!("zhao.admin{suffix}");
    let second_uri = create(&app, &second_admin, &["admin"]).await["totpUri"].as_str().unwrap().to_owned();

    let product = product_id(&app, "新现金贷").await;
    let (mobile, token) = verified_user(&app).await;
    assert_eq!(apply(&app, &token, application(&product, "800.00")).await["responseCode"], "20005000");
    let apply_id = newest_application(&app, &token).await;
    let (_, other) = verified_user(&app).await;
    assert_eq!(apply(&app, &other, application(&product, "600.00")).await["responseCode"], "20005000");
    let forged_id = newest_application(&app, &other).await;
    let code_of = |id: String| {
        let app = &app;
        async move {
            let listed = app.admin_call("/admin/loans/list", json!({"applyId": id})).await;
            listed["resultSet"][0]["code"].as_str().unwrap().to_owned()
        }
    };
    let code = code_of(apply_id.clone()).await;
    // A loan 6 days overdue for the collections page.
    let (_, late_token) = verified_user(&app).await;
    let late = crate::payments::approved(&app, &late_token).await;
    let release = (app.clock.today() - chrono::Days::new(20)).to_string();
    assert_eq!(crate::loans::disburse(&app, &late, &release).await["responseCode"], "0000");
    let overdue_code = code_of(late).await;

    let shots = std::env::var("CONSOLE_SCREENSHOTS").map_or_else(|_| workspace().join("target/console-pages"), PathBuf::from);
    let output = Command::new(&python)
        .arg(workspace().join("stack/tests/console/console_flow.py"))
        .env("CONSOLE_URL", &app.admin)
        .env("CONSOLE_PASSWORD", PASSWORD)
        .env("CONSOLE_REVIEWER", &reviewer)
        .env("CONSOLE_FINANCE", &finance)
        .env("CONSOLE_FINANCE_TOTP_URI", &finance_uri)
        .env("CONSOLE_REVIEWER_ENROLMENT", &enrolment)
        .env("CONSOLE_ADMIN", &admin)
        .env("CONSOLE_ADMIN_TOTP_URI", &admin_uri)
        .env("CONSOLE_APPLICATION_CODE", &code)
        .env("CONSOLE_APPLY_ID", &apply_id)
        .env("CONSOLE_FORGED_APPLY_ID", &forged_id)
        .env("CONSOLE_SCREENSHOTS", &shots)
        .env("CONSOLE_USER_MOBILE", &mobile)
        .env("CONSOLE_OVERDUE_CODE", &overdue_code)
        .env("CONSOLE_ADMIN2", &second_admin)
        .env("CONSOLE_ADMIN2_TOTP_URI", &second_uri)
        // Selenium must use the machine's driver, never fetch one.
        .env("SE_OFFLINE", "true")
        .output()
        .unwrap();
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "the browser flow failed (screenshots in {}):\n{}\n{}",
        shots.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // What the browser did, read back through the admin API.
    let status = |id: String| {
        let app = &app;
        async move {
            app.admin_call("/admin/loans/list", json!({"applyId": id})).await["resultSet"][0]["applyStatus"].clone()
        }
    };
    assert_eq!(status(apply_id.clone()).await, "4", "paid out");
    assert_eq!(status(forged_id).await, "0", "the forged rejection changed nothing");
    let reviews = app.admin_call("/admin/audit/list", json!({"operator": reviewer, "action": "/admin/loans/review"})).await;
    assert_eq!(reviews["resultSet"][0]["target"], apply_id.as_str(), "{reviews}");
    let payouts = app.admin_call("/admin/audit/list", json!({"operator": finance, "action": "/admin/loans/disburse"})).await;
    assert_eq!(payouts["resultSet"][0]["target"], apply_id.as_str(), "{payouts}");
    let operators = app.admin_call("/admin/operators/list", json!({})).await;
    let reset = operators["resultSet"].as_array().unwrap().iter().find(|o| o["username"] == finance.as_str()).unwrap().clone();
    assert_eq!((reset["enrolled"].as_bool(), reset["changedBy"].as_str()), (Some(false), Some(admin.as_str())), "reset in the browser: {reset}");
    assert!(enrolment_token(&app, &email_of(&finance)).is_some());
    let products = app.admin_call("/admin/products/list", json!({})).await;
    let edited = products["resultSet"].as_array().unwrap().iter().find(|p| p["name"] == "新现金贷").unwrap().clone();
    assert_eq!(edited["singleMinAmount"], "500.00", "the refused edit saved nothing");
    let center = app.call_as(&token, "/appCommonApi/getUserCenterInfo", json!({})).await;
    assert_eq!(center["resultSet"]["totalCredit"], "9000.00", "confirmed by the second admin: {center}");
    let published = app.call("/openCommonApi/getSystemMessage", json!({})).await;
    assert!(published.to_string().contains("春节放假安排"), "the app sees the message: {published}");
    let done = app.admin_call("/admin/approvals/list", json!({"status": "done"})).await;
    let approval = &done["resultSet"][0];
    assert_eq!((approval["madeBy"].as_str(), approval["decidedBy"].as_str()), (Some(admin.as_str()), Some(second_admin.as_str())));
});
