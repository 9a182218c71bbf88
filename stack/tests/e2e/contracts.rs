//! Contract documents (API.md §6.6) and `/admin/contracts/verify` (§7).

use serde_json::{json, Value};

use crate::e2e;
use crate::harness::TestApp;
use crate::loans::{application, apply, newest_application, product_id, verified_user_numbers};

async fn verify(app: &TestApp, apply_id: &str) -> Value {
    let reply = app
        .admin_call("/admin/contracts/verify", json!({"applyId": apply_id}))
        .await;
    assert_eq!(reply["responseCode"], "0000", "{reply}");
    reply["resultSet"].clone()
}

fn reasons(result: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = result["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

e2e!(applying_stores_the_documents_encrypted_and_verify_finds_any_change(app) {
    let product = product_id(&app, "新现金贷").await;
    let user = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &user.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &user.token).await;

    let stored = app.loan_database_integer(&format!(
        "SELECT COUNT(*) AS value FROM contract_documents WHERE application_id = '{id}'"
    ));
    assert_eq!(stored, 2, "the agreement and the collection authorisation");
    let result = verify(&app, &id).await;
    assert_eq!((result["checked"].as_u64(), reasons(&result)), (Some(2), vec![]), "{result}");
    assert!(
        !app.database_text("loan").contains(&user.id_card),
        "the documents name the borrower, encrypted at rest"
    );

    // A hash changed: the document no longer matches what was accepted.
    app.loan_database_execute(&format!(
        "UPDATE contract_documents SET sha256 = '{}' WHERE application_id = '{id}' AND kind = 'loan-agreement'",
        "0".repeat(64)
    ));
    assert_eq!(reasons(&verify(&app, &id).await), vec![("loan-agreement".into(), "altered".into())]);
    // A body swapped for another document's: decrypts, hashes to something else.
    app.loan_database_execute(&format!(
        "UPDATE contract_documents SET sha256 = (SELECT sha256 FROM contract_documents WHERE application_id = '{id}' AND kind = 'collection-authorisation') WHERE application_id = '{id}' AND kind = 'loan-agreement'"
    ));
    app.loan_database_execute(&format!(
        "UPDATE contract_documents SET body = 'x' || body WHERE application_id = '{id}' AND kind = 'collection-authorisation'"
    ));
    assert_eq!(
        reasons(&verify(&app, &id).await),
        vec![
            ("collection-authorisation".into(), "unreadable".into()),
            ("loan-agreement".into(), "altered".into())
        ]
    );
    // Every application at once.
    let all = app.admin_call("/admin/contracts/verify", json!({})).await["resultSet"].clone();
    assert_eq!(all["checked"], 2);
    assert_eq!(reasons(&all).len(), 2);
});
