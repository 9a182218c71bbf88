//! The risk team's rulesets end to end (DECISIONS.md "Operators", API.md §7 `/admin/risk/*`):
//! an invalid document is refused with its first error, a replay shows what a stricter rule
//! changes, activation waits for a second `risk` operator, a challenger is recorded and never
//! applied, and the day's statistics count it all. Spoken through the admin protocol only.

use serde_json::{json, Value};

use crate::decisions::{applicant, automatic, decided, ordinary_id, record};
use crate::e2e;
use crate::harness::{id_card_aged, TestApp};
use crate::operators::{signed_in, Console};

/// The default ruleset as a fresh stack has it (version 1).
async fn default_document(app: &TestApp) -> Value {
    let reply = app
        .admin_call("/admin/risk/rulesets/get", json!({"version": 1}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    assert_eq!(
        (
            reply["resultSet"]["status"].as_str(),
            reply["resultSet"]["changes"].clone()
        ),
        (Some("champion"), json!([]))
    );
    reply["resultSet"]["document"].clone()
}

fn today(app: &TestApp) -> String {
    app.clock.today().format("%Y-%m-%d").to_string()
}

async fn versions(app: &TestApp) -> Vec<(i64, String)> {
    let reply = app.admin_call("/admin/risk/rulesets/list", json!({})).await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn save(console: &Console, document: Value) -> Value {
    console
        .call("/admin/risk/rulesets/save", json!({"document": document}))
        .await
        .1
}

/// The default document with its AGE rule asking 30 at least.
fn stricter(default: &Value) -> Value {
    let mut doc = default.clone();
    doc["name"] = json!("stricter age");
    doc["rules"][0]["when"] = json!("age < 30 || age > 55");
    doc
}

fn aged(age: i32) -> String {
    id_card_aged(age, &format!("{:03}", rand::random_range(100..990)))
}

e2e!(an_invalid_ruleset_is_refused_with_its_first_error(app) {
    let (_, _, risk) = signed_in(&app, "risk", &["risk"]).await;
    let default = default_document(&app).await;
    let before = versions(&app).await;

    let mut syntax = default.clone();
    syntax["rules"][0]["when"] = json!("age < < 20");
    let mut unknown = default.clone();
    unknown["rules"][1]["when"] = json!("bureau.creditCardCount > 3");
    let mut gap = default.clone();
    gap["bands"][1]["min"] = json!(625);
    let mut approving = default.clone();
    approving["rules"][2]["outcome"] = json!("approve");
    for (doc, names) in [(syntax, "AGE"), (unknown, "bureau.creditCardCount"), (gap, "620"), (approving, "MULTI_LENDING_HIGH")] {
        let reply = save(&risk, doc).await;
        assert_eq!(reply["responseCode"], "20009020", "{reply}");
        let message = reply["responseMessage"].as_str().unwrap();
        assert!(message.starts_with("规则集无效") && message.contains(names), "the first error named: {message}");
    }
    let reply = save(&risk, json!("not json")).await;
    assert_eq!(reply["responseCode"], "20009020", "{reply}");
    assert_eq!(versions(&app).await, before, "nothing saved");

    // Only the risk team writes rules; risk never goes with finance.
    let (_, _, finance) = signed_in(&app, "finance", &["finance"]).await;
    let (status, refused) = finance.call("/admin/risk/rulesets/save", json!({"document": default})).await;
    assert_eq!((status, refused["responseCode"].as_str()), (403, Some("99990007")), "{refused}");
    let both = app
        .admin_call("/admin/operators/create", json!({"username": crate::operators::unique("rf"), "email": "rf@staff.example", "roles": ["risk", "finance"]}))
        .await;
    assert_eq!(both["responseCode"], "20009005", "{both}");
    let (_, unknown_version) = risk.call("/admin/risk/rulesets/get", json!({"version": 99})).await;
    assert_eq!(unknown_version["responseCode"], "10001000", "{unknown_version}");
});

e2e!(a_replay_shows_what_a_stricter_rule_changes_and_a_second_risk_operator_activates_it(app, automatic) {
    let (_, _, maker) = signed_in(&app, "risk", &["risk"]).await;
    let (_, _, checker) = signed_in(&app, "risk", &["risk"]).await;
    let (_, _, reviewer) = signed_in(&app, "reviewer", &["reviewer"]).await;
    let (_, young_token, young) = applicant(&app, aged(25), "500.00").await;
    let (_, older_token, older) = applicant(&app, ordinary_id(), "500.00").await;
    assert_eq!(decided(&app, &young_token, &young).await["outcome"], "approve");
    assert_eq!(decided(&app, &older_token, &older).await["outcome"], "approve");

    let default = default_document(&app).await;
    let saved = save(&maker, stricter(&default)).await;
    assert_eq!(saved["responseCode"], "0000", "{saved}");
    let version = saved["resultSet"]["version"].as_i64().unwrap();
    assert_eq!(saved["resultSet"]["status"], "draft");
    let (_, shown) = maker.call("/admin/risk/rulesets/get", json!({"version": version})).await;
    let changes = &shown["resultSet"]["changes"];
    assert_eq!((changes.as_array().unwrap().len(), changes[0]["part"].as_str()), (1, Some("rule AGE")), "{shown}");
    assert!(changes[0]["after"].as_str().unwrap().contains("age < 30"), "{shown}");

    let (_, replay) = maker
        .call("/admin/risk/rulesets/replay", json!({"version": version, "from": today(&app), "to": today(&app)}))
        .await;
    assert_eq!(replay["responseCode"], "0000", "{replay}");
    let report = &replay["resultSet"];
    assert_eq!((report["decisions"].as_i64(), report["currentVersion"].as_i64()), (Some(2), Some(1)), "{report}");
    assert_eq!((report["current"]["approve"].as_i64(), report["draft"]["approve"].as_i64()), (Some(2), Some(1)), "{report}");
    assert_eq!(report["draft"]["reject"], 1);
    assert_eq!(report["changed"], json!([{"applyId": young, "from": "approve", "to": "reject"}]), "{report}");

    // Asked by one, the version waits; the maker and a reviewer cannot confirm it.
    let (_, asked) = maker.call("/admin/risk/rulesets/activate", json!({"version": version, "as": "champion"})).await;
    assert_eq!(asked["resultSet"]["status"], "pending", "{asked}");
    let approval = asked["resultSet"]["approvalId"].clone();
    assert_eq!(versions(&app).await[0], (version, "draft".to_owned()));
    let (_, own) = maker.call("/admin/approvals/decide", json!({"id": approval, "decision": "confirm"})).await;
    assert_eq!(own["responseCode"], "20009009", "{own}");
    let (_, other) = reviewer.call("/admin/approvals/decide", json!({"id": approval, "decision": "confirm"})).await;
    assert_eq!(other["responseCode"], "99990007", "{other}");
    let (_, confirmed) = checker.call("/admin/approvals/decide", json!({"id": approval, "decision": "confirm"})).await;
    assert_eq!(confirmed["responseCode"], "0000", "{confirmed}");
    let now = versions(&app).await;
    assert!(now.contains(&(version, "champion".into())) && now.contains(&(1, "retired".into())), "{now:?}");

    // The new champion decides from now on: a 25-year-old is turned away; the decided stay so.
    let (_, token, id) = applicant(&app, aged(25), "500.00").await;
    let d = decided(&app, &token, &id).await;
    assert_eq!((d["outcome"].as_str(), d["reasons"][0]["code"].as_str()), (Some("reject"), Some("AGE")), "{d}");
    assert_eq!(record(&app, &id).await["rulesetVersion"], version.to_string());
    assert_eq!(record(&app, &young).await["rulesetVersion"], "1");
    let (_, again) = maker.call("/admin/risk/rulesets/activate", json!({"version": version, "as": "champion"})).await;
    assert_eq!(again["responseCode"], "20009020", "the champion already: {again}");
});

e2e!(a_challenger_is_recorded_in_shadow_and_never_changes_an_outcome(app, automatic) {
    // A challenger that would reject everyone, on half of the applications.
    let mut doc = default_document(&app).await;
    doc["rules"] = json!([{"id": "EVERYONE", "when": "age >= 0", "outcome": "reject", "reason": "EVERYONE", "text": "不予受理"}]);
    let saved = app.admin_call("/admin/risk/rulesets/save", json!({"document": doc})).await;
    let version = saved["resultSet"]["version"].as_i64().unwrap();
    let (_, _, risk) = signed_in(&app, "risk", &["risk"]).await;
    let (_, too_much) = risk.call("/admin/risk/rulesets/activate", json!({"version": version, "as": "challenger", "share": 51})).await;
    assert_eq!(too_much["responseCode"], "10001000", "{too_much}");
    let active = app
        .admin_call("/admin/risk/rulesets/activate", json!({"version": version, "as": "challenger", "share": 50}))
        .await;
    assert_eq!((active["responseCode"].as_str(), active["resultSet"]["status"].as_str()), (Some("0000"), Some("challenger")), "{active}");

    // Until one application falls in the share (each does with one chance in two).
    let mut shadowed = 0;
    let mut decided_count = 0;
    for _ in 0..12 {
        let (_, token, id) = applicant(&app, ordinary_id(), "500.00").await;
        let d = decided(&app, &token, &id).await;
        decided_count += 1;
        assert_eq!((d["outcome"].as_str(), d["reasons"].clone()), (Some("approve"), json!([])), "the champion's outcome: {d}");
        let r = record(&app, &id).await;
        assert_eq!(r["rulesetVersion"], "1");
        if !r["challenger"].is_null() {
            assert_eq!((r["challenger"]["outcome"].as_str(), r["challenger"]["version"].as_i64()), (Some("reject"), Some(version)), "{r}");
            shadowed += 1;
            break;
        }
    }
    assert_eq!(shadowed, 1, "one application of twelve in a 50 % share");

    let (_, stats) = risk.call("/admin/risk/stats", json!({"from": today(&app), "to": today(&app)})).await;
    assert_eq!(stats["responseCode"], "0000", "{stats}");
    let day = &stats["resultSet"][0];
    assert_eq!((day["decisions"].as_i64(), day["outcomes"]["approve"].as_i64()), (Some(decided_count), Some(decided_count)), "{day}");
    assert_eq!((day["challenger"]["evaluated"].as_i64(), day["challenger"]["agreed"].as_i64()), (Some(1), Some(0)), "{day}");
    assert_eq!(day["challenger"]["outcomes"]["reject"], 1);
    let (_, listed) = risk.call("/admin/risk/decisions/list", json!({"outcome": "approve", "pageSize": 100})).await;
    assert_eq!(listed["total"].as_i64(), Some(decided_count), "{listed}");
    let (_, none) = risk.call("/admin/risk/decisions/list", json!({"outcome": "reject"})).await;
    assert_eq!((none["total"].as_i64(), none["resultSet"].clone()), (Some(0), json!([])), "{none}");
    let (_, bad) = risk.call("/admin/risk/decisions/list", json!({"outcome": "maybe"})).await;
    assert_eq!(bad["responseCode"], "10001000");
});
