//! Collections and a loan's page in the console (API.md §7): overdue loans with days overdue and
//! amounts owed, most overdue first, the notes kept on them, and one loan's plan, orders, notes
//! and messages.

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::{disburse, verified_user};
use crate::operators::{create, login, sign_in, PASSWORD};

/// A 500.00 / 14-day loan of a new customer released `days_ago` days ago; (mobile, token, applyId).
async fn released(app: &TestApp, days_ago: u64) -> (String, String, String) {
    let (mobile, token) = verified_user(app).await;
    let id = crate::payments::approved(app, &token).await;
    let release = app.clock.today() - chrono::Days::new(days_ago);
    assert_eq!(
        disburse(app, &id, &release.to_string()).await["responseCode"],
        "0000"
    );
    (mobile, token, id)
}

fn find<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list["resultSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["applyId"] == id)
}

e2e!(overdue_loans_are_listed_with_what_is_owed_and_their_notes(app) {
    // 6 and 2 days overdue; one not yet due.
    let (mobile, token, late) = released(&app, 20).await;
    let (_, _, later) = released(&app, 16).await;
    let (_, _, current) = released(&app, 3).await;
    let name = format!("collector{}", rand::random_range(1000..9999u32));
    let created = create(&app, &name, &["finance"]).await;
    let finance = sign_in(&app, &name, &created).await;

    let (_, list) = finance.call("/admin/collections/list", json!({"pageSize": 100})).await;
    assert_eq!(list["responseCode"], "0000", "{list}");
    assert!(find(&list, &current).is_none(), "not yet due");
    let item = find(&list, &late).unwrap();
    // 507.00 × 0.36 / 360 × 6 = 3.042
    assert_eq!(
        (item["daysOverdue"].as_i64(), item["overdueAmount"].as_str(), item["penalty"].as_str(), item["totalOwed"].as_str()),
        (Some(6), Some("507.00"), Some("3.04"), Some("510.04"))
    );
    assert_eq!(item["mobile"].as_str().unwrap(), format!("{}****{}", &mobile[..3], &mobile[7..]));
    let ours: Vec<&str> = list["resultSet"].as_array().unwrap().iter()
        .filter(|l| l["applyId"] == late.as_str() || l["applyId"] == later.as_str())
        .map(|l| l["applyId"].as_str().unwrap())
        .collect();
    assert_eq!(ours, [late.as_str(), later.as_str()], "most overdue first");
    let (_, filtered) = finance.call("/admin/collections/list", json!({"minDays": "5", "pageSize": 100})).await;
    assert!(find(&filtered, &late).is_some() && find(&filtered, &later).is_none());
    let (_, blank) = finance.call("/admin/collections/list", json!({"minDays": "", "pageSize": 100})).await;
    assert!(find(&blank, &later).is_some(), "an empty filter is no filter: {blank}");
    let (_, bad) = finance.call("/admin/collections/list", json!({"minDays": "many"})).await;
    assert_eq!(bad["responseCode"], "10001000");
    let (_, by_mobile) = finance.call("/admin/collections/list", json!({"mobile": mobile})).await;
    assert_eq!(by_mobile["total"], 1);

    let (_, noted) = finance.call("/admin/collections/note", json!({"applyId": late, "note": "已电话联系，承诺周五还款"})).await;
    assert_eq!(noted["responseCode"], "0000", "{noted}");
    let (_, long) = finance.call("/admin/collections/note", json!({"applyId": late, "note": "长".repeat(501)})).await;
    assert_eq!(long["responseCode"], "10001000");
    let (_, unknown) = finance.call("/admin/collections/note", json!({"applyId": "no-such", "note": "x"})).await;
    assert_eq!(unknown["responseCode"], "10001000");
    let (_, list) = finance.call("/admin/collections/list", json!({"mobile": mobile})).await;
    let last = &find(&list, &late).unwrap()["lastNote"];
    assert_eq!((last["operator"].as_str(), last["note"].as_str()), (Some(name.as_str()), Some("已电话联系，承诺周五还款")));

    let reviewer = format!("reviewer{}", rand::random_range(1000..9999u32));
    create(&app, &reviewer, &["reviewer"]).await;
    let reviewer = login(&app, &reviewer, PASSWORD, "").await.unwrap();
    assert_eq!(reviewer.call("/admin/collections/list", json!({})).await.0, 403);

    // The loan's page.
    let (_, page) = finance.call("/admin/loans/overview", json!({"applyId": late})).await;
    assert_eq!(page["responseCode"], "0000", "{page}");
    let r = &page["resultSet"];
    assert_eq!(r["plan"].as_array().unwrap().len(), 1);
    assert_eq!((r["plan"][0]["dueAmount"].as_str(), r["plan"][0]["repayStatus"].as_str()), (Some("507.00"), Some("0")));
    let payout = &r["payments"][0];
    assert_eq!((payout["kind"].as_str(), payout["status"].as_str()), (Some("payout"), Some("succeeded")), "{r}");
    assert_eq!(r["notes"][0]["note"], "已电话联系，承诺周五还款");
    crate::payments::eventually("the disbursement notice is on the loan's page", || async {
        let (_, page) = finance.call("/admin/loans/overview", json!({"applyId": late})).await;
        !page["resultSet"]["messages"].as_array().unwrap().is_empty()
    })
    .await;
    assert!(!r.to_string().contains(&mobile), "masked");

    // Paid: no longer in collections.
    let period = crate::loans::plan(&app, &token, &late).await["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    let paid = app.call_as(&token, "/appCommonApi/gotoRepayment", json!({"id": period, "repayType": "current"})).await;
    assert_eq!(paid["responseCode"], "0000", "{paid}");
    let (_, list) = finance.call("/admin/collections/list", json!({"pageSize": 100})).await;
    assert!(find(&list, &late).is_none() && find(&list, &later).is_some());
});
