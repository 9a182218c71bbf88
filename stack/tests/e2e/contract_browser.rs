//! The agreement of a real loan as a browser shows it: headless Chromium from the machine's
//! packages (`.ci/run` installs it; without it the test says so and passes) opens the contract
//! link, and the schedule it renders is the loan's plan, period by period. A screenshot is left in
//! `target/contract-pages/` to look at.

use std::process::Command;

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::{disburse, newest_application, plan, review, verified_user_numbers};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The page's DOM after Chromium rendered it, and a phone-sized screenshot of it.
fn render(browser: &str, url: &str, screenshot: &std::path::Path) -> String {
    let headless = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];
    let dom = Command::new(browser)
        .args(headless)
        .args(["--dump-dom", url])
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let shot = Command::new(browser)
        .args(headless)
        .arg(format!("--screenshot={}", screenshot.display()))
        .args(["--window-size=412,2000", url])
        .output()
        .unwrap();
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    String::from_utf8(dom.stdout).unwrap()
}

async fn six_month_annuity(app: &TestApp, token: &str) -> String {
    let product = app
        .admin_call(
            "/admin/products/upsert",
            crate::products::flexible_product("BROWSER"),
        )
        .await["resultSet"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"productId": product, "amount": "3000.00", "termCount": "6", "termUnit": "2",
        "repayTermCount": "1", "repayTermUnit": "2", "repayType": "3", "interestRate": "0.24",
        "longitude": "116.40", "latitude": "39.90", "orderId": "browser-1", "purpose": "17", "otherChannels": "01",
        "phonebookList": [], "remark": ""});
    let reply = app.call_as(token, "/appCommonApi/loanProductApply", body).await;
    assert_eq!(reply["responseCode"], "20005000", "{reply}");
    newest_application(app, token).await
}

e2e!(the_agreement_in_a_browser_shows_the_loans_plan(app) {
    let Some(browser) = chromium() else {
        eprintln!("no chromium on this machine: skipped (.ci/run installs it)");
        return;
    };
    let user = verified_user_numbers(&app).await;
    let id = six_month_annuity(&app, &user.token).await;
    assert_eq!(review(&app, &id, "approve").await["responseCode"], "0000");
    assert_eq!(disburse(&app, &id, "").await["responseCode"], "0000");
    let periods = plan(&app, &user.token, &id).await["resultSet"].as_array().unwrap().clone();
    assert_eq!(periods.len(), 6);

    let list = app.call_as(&user.token, "/appCommonApi/getLoanApplyInfoList", json!({})).await;
    let url = list["resultSet"][0]["contractInfoList"][0]["contractPath"].as_str().unwrap().to_owned();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract-pages");
    std::fs::create_dir_all(&dir).unwrap();
    let dom = render(browser, &url, &dir.join("loan-agreement.png"));

    let shown = crate::contracts::schedule_cells(&dom);
    let planned: Vec<Vec<String>> = periods
        .iter()
        .map(|p: &Value| {
            vec![
                p["periodNum"].to_string(),
                cashloan_runtime::clock::date_cst(p["dueRepayDate"].as_i64().unwrap()),
                p["duePrincipal"].as_str().unwrap().to_owned(),
                p["dueInterest"].as_str().unwrap().to_owned(),
                p["fee"].as_str().unwrap().to_owned(),
                p["dueAmount"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    assert_eq!(shown, planned, "the schedule the borrower accepted is the plan");
    assert!(dom.contains("等额本息") && dom.contains("6个月") && dom.contains("教育/培训"));
    assert!(!dom.contains(&user.id_card), "no whole ID number in the browser");

    // The plan issued at payout shows the same rows, with its actual dates.
    let issued = &list["resultSet"][0]["contractInfoList"][2];
    assert_eq!(issued["contractName"], "还款计划表");
    let plan_dom = render(browser, issued["contractPath"].as_str().unwrap(), &dir.join("repayment-plan.png"));
    assert_eq!(crate::contracts::schedule_cells(&plan_dom), planned);

    // A consent text, as the app's web view shows it.
    let consents = app.call_as(&user.token, "/appCommonApi/getConsents", json!({})).await;
    let consent = consents["resultSet"][0]["url"].as_str().unwrap().to_owned();
    assert!(render(browser, &consent, &dir.join("consent-sensitive.png")).contains("敏感个人信息处理授权书"));
});
