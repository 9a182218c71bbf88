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

    // Signed by the lender: another document's signature does not cover this one.
    app.loan_database_execute(&format!(
        "UPDATE contract_documents SET signature = (SELECT signature FROM contract_documents WHERE application_id = '{id}' AND kind = 'collection-authorisation') WHERE application_id = '{id}' AND kind = 'loan-agreement'"
    ));
    assert_eq!(reasons(&verify(&app, &id).await), vec![("loan-agreement".into(), "unsigned".into())]);

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

/// GET a contract link: (status, body, content-security-policy).
async fn open(app: &TestApp, url: &str) -> (u16, String, String) {
    let response = app.http.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let policy = response
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, response.text().await.unwrap(), policy)
}

fn contract_links(list: &Value) -> Vec<(String, String)> {
    list["resultSet"][0]["contractInfoList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["contractName"].as_str().unwrap().to_owned(),
                c["contractPath"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

e2e!(contract_links_open_the_stored_documents_masked_and_nothing_else(app) {
    let product = product_id(&app, "新现金贷").await;
    let user = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &user.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let list = app.call_as(&user.token, "/appCommonApi/getLoanApplyInfoList", json!({})).await;
    let links = contract_links(&list);
    let names: Vec<&str> = links.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["借款协议", "委托扣款授权书"]);
    let (agreement, authorisation) = (&links[0].1, &links[1].1);
    assert!(agreement.starts_with(&format!("{}/h5/contract/", app.api)), "{agreement}");

    let (status, page, policy) = open(&app, agreement).await;
    assert_eq!(status, 200);
    assert!(page.contains("借款协议") && page.contains("500.00 元"), "the agreement with its terms");
    assert!(!page.contains(&user.id_card), "no whole ID number on the page");
    assert!(page.contains(&format!("{}********{}", &user.id_card[..6], &user.id_card[14..])));
    assert!(!page.contains(&user.mobile), "no whole mobile on the page");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(open(&app, authorisation).await.1.contains("委托扣款授权书"));

    // Altered in any part, made up, or another user's document under this link: 404, empty.
    let (base, token) = agreement.rsplit_once('/').unwrap();
    let mut flipped = token.to_owned();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    let other = contract_links(
        &app.call_as(&verified_applicant(&app, &product).await, "/appCommonApi/getLoanApplyInfoList", json!({})).await,
    );
    let (other_document, _) = other[0].1.rsplit_once('/').unwrap().1.split_once('.').unwrap();
    let (_, rest) = token.split_once('.').unwrap();
    for bad in [
        format!("{base}/{flipped}"),
        format!("{base}/{other_document}.{rest}"),
        format!("{base}/x"),
        format!("{base}/"),
    ] {
        let (status, body, _) = open(&app, &bad).await;
        assert_eq!((status, body.as_str()), (404, ""), "{bad}");
    }

    // Ten minutes after the list that carried it, a link is dead; a fresh list gives a new one.
    app.clock.advance_ms(10 * 60 * 1000 + 1);
    assert_eq!(open(&app, agreement).await.0, 404, "expired");
    let fresh = contract_links(&app.call_as(&user.token, "/appCommonApi/getLoanApplyInfoList", json!({})).await);
    assert_eq!(open(&app, &fresh[0].1).await.0, 200);
});

/// Another verified user with an application; their session token.
async fn verified_applicant(app: &TestApp, product: &str) -> String {
    let other = verified_user_numbers(app).await;
    assert_eq!(
        apply(app, &other.token, application(product, "500.00")).await["responseCode"],
        "20005000"
    );
    other.token
}

e2e!(a_repayment_names_its_loans_agreement_and_links_outlive_settlement(app) {
    let (_, token, period) = crate::payments::loan_paid_from(&app, "1234").await;
    let list = app.call_as(&token, "/appCommonApi/getRepayInfoList", json!({})).await;
    let url = list["resultSet"][0]["contractUrl"].as_str().unwrap().to_owned();
    let (status, page, _) = open(&app, &url).await;
    assert_eq!(status, 200, "{url}");
    assert!(page.contains("<h1>借款协议</h1>"));

    assert_eq!(crate::payments::pay(&app, &token, &period, "all").await, "0000");
    let settled = app.call_as(&token, "/appCommonApi/getLoanApplyInfoList", json!({})).await;
    assert_eq!(settled["resultSet"][0]["applyStatus"], "5", "{settled}");
    let links = contract_links(&settled);
    assert_eq!(links.len(), 3);
    for (name, url) in links {
        let (status, page, _) = open(&app, &url).await;
        assert_eq!(status, 200, "{name} after settlement");
        assert!(page.contains(&format!("<h1>{name}</h1>")));
    }
});

/// The cells of each row of a page's schedule table.
pub(crate) fn schedule_cells(page: &str) -> Vec<Vec<String>> {
    let body = &page[page.find("<tbody>").unwrap() + 7..page.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| cell[..cell.find("</td>").unwrap()].trim().to_owned())
                .collect()
        })
        .collect()
}

e2e!(the_quote_previews_its_agreement_with_the_same_schedule(app) {
    let product = product_id(&app, "新现金贷").await;
    let terms = json!({"productId": product, "amount": "800.00", "termCount": "14", "termUnit": "1",
        "repayTermCount": "1", "repayTermUnit": "1", "repayType": "1", "interestRate": "0.36"});
    let user = verified_user_numbers(&app).await;
    let quote = app.call_as(&user.token, "/appCommonApi/getLoanApplyConfirmInfo", terms.clone()).await;
    assert_eq!(quote["responseCode"], "0000", "{quote}");
    let url = quote["resultSet"]["contractPreviewUrl"].as_str().unwrap().to_owned();
    let (status, page, _) = open(&app, &url).await;
    assert_eq!(status, 200, "{url}");
    let quoted: Vec<Vec<String>> = quote["resultSet"]["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            ["periodNum", "dueRepayDate", "duePrincipal", "dueInterest", "fee", "dueAmount"]
                .iter()
                .map(|f| p[*f].as_str().map_or_else(|| p[*f].to_string(), str::to_owned))
                .collect()
        })
        .collect();
    assert_eq!(schedule_cells(&page), quoted, "the preview's schedule is the quote's, to the cent");
    assert!(page.contains("800.00 元") && page.contains("（提交申请后生成）"));
    assert!(!page.contains(&user.id_card), "masked");

    // A user not yet verified previews too; their link does not open with another user in it.
    let (_, unverified) = app.user().await;
    let theirs = app.call_as(&unverified, "/appCommonApi/getLoanApplyConfirmInfo", terms).await["resultSet"]
        ["contractPreviewUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(open(&app, &theirs).await.1.contains("（实名认证后载明）"));
    let (base, token) = url.rsplit_once('/').unwrap();
    let (_, their_token) = theirs.rsplit_once('/').unwrap();
    let their_user = their_token.split('~').nth(1).unwrap();
    let my_user = token.split('~').nth(1).unwrap();
    let swapped = token.replacen(my_user, their_user, 1);
    assert_eq!(open(&app, &format!("{base}/{swapped}")).await.0, 404, "another user in the link");
    app.clock.advance_ms(10 * 60 * 1000 + 1);
    assert_eq!(open(&app, &url).await.0, 404, "expired");
});

e2e!(every_acceptance_is_evidence_in_one_chain_and_verify_says_where_it_breaks(app) {
    let product = product_id(&app, "新现金贷").await;
    let mut users = Vec::new();
    for _ in 0..4 {
        users.push(verified_user_numbers(&app).await);
    }
    // Applications at the same moment still make one chain.
    let applied = futures_util::future::join_all(
        users.iter().map(|u| apply(&app, &u.token, application(&product, "500.00"))),
    )
    .await;
    assert!(applied.iter().all(|r| r["responseCode"] == "20005000"), "{applied:?}");
    let result = app.admin_call("/admin/contracts/verify", json!({})).await["resultSet"].clone();
    assert_eq!((result["evidenceChecked"].as_u64(), result["evidenceBroken"].as_str()), (Some(8), Some("")), "{result}");
    // Each record is the acceptance of a stored document, from the caller's address.
    assert_eq!(
        app.loan_database_integer(
            "SELECT COUNT(*) AS value FROM evidence e JOIN contract_documents d \
             ON d.application_id = e.subject AND d.sha256 = e.shown_sha256 AND d.template_version = e.document \
             WHERE e.action = 'apply' AND e.client_ip = '127.0.0.1'"
        ),
        8
    );

    let broken = |app: &TestApp| {
        let app = app.clone_handle();
        async move {
            app.admin_call("/admin/contracts/verify", json!({})).await["resultSet"]["evidenceBroken"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    app.loan_database_execute("UPDATE evidence SET client_ip = '10.0.0.9' WHERE seq = 5");
    assert_eq!(broken(&app).await, "record 5 was altered");
    app.loan_database_execute("DELETE FROM evidence WHERE seq = 3");
    assert_eq!(broken(&app).await, "record 3 is missing");
});

/// The agreement's link of the user's newest application.
async fn agreement_url(app: &TestApp, token: &str) -> String {
    let list = app
        .call_as(token, "/appCommonApi/getLoanApplyInfoList", json!({}))
        .await;
    contract_links(&list)[0].1.clone()
}

e2e!(a_stored_document_stays_byte_identical_when_what_renders_changes(app) {
    let product = product_id(&app, "新现金贷").await;
    let user = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &user.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let (status, before, _) = open(&app, &agreement_url(&app, &user.token).await).await;
    assert_eq!(status, 200);
    let old_lender = app.config.lender.name.clone();
    assert!(before.contains(&old_lender));

    // What renders documents changes (here the lender's details; a new template version alike).
    app.config.lender.name = "（测试）更名后的小额贷款有限公司".into();
    app.restart().await;
    // The embedded session store does not outlive the process.
    let token = app.login(&user.mobile, crate::harness::PASSWORD).await;
    let (status, after, _) = open(&app, &agreement_url(&app, &token).await).await;
    assert_eq!((status, after == before), (200, true), "the stored document, not a new rendering");
    let id = newest_application(&app, &token).await;
    let result = verify(&app, &id).await;
    assert_eq!((result["checked"].as_u64(), reasons(&result)), (Some(2), vec![]));

    let later = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &later.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let (_, theirs, _) = open(&app, &agreement_url(&app, &later.token).await).await;
    assert!(theirs.contains("更名后的小额贷款") && !theirs.contains(&old_lender), "later loans get the change");
});

e2e!(changed_terms_are_previewed_then_confirmed_once_and_in_force(app) {
    let product = product_id(&app, "新现金贷").await;
    let user = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &user.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let id = newest_application(&app, &user.token).await;
    let item = |token: String| {
        let app = app.clone_handle();
        async move { app.call_as(&token, "/appCommonApi/getLoanApplyInfoList", json!({})).await["resultSet"][0].clone() }
    };
    let before = item(user.token.clone()).await;
    assert_eq!((before["needConfirm"].as_str(), before["contractPreviewUrl"].as_str()), (Some("0"), Some("")));
    let approve = json!({"applyId": id, "decision": "approve", "replyAmount": "400.00", "authTermCount": "7",
        "authTermUnit": "1", "remark": "额度调整"});
    assert_eq!(app.admin_call("/admin/loans/review", approve).await["responseCode"], "0000");

    let pending = item(user.token.clone()).await;
    assert_eq!(pending["needConfirm"], "1");
    let preview = pending["contractPreviewUrl"].as_str().unwrap().to_owned();
    let (status, page, _) = open(&app, &preview).await;
    assert_eq!(status, 200, "{preview}");
    let code = pending["code"].as_str().unwrap();
    assert!(page.contains(code) && page.contains("<dd>500.00 元</dd>") && page.contains("<dd>400.00 元</dd>"));
    assert!(page.contains("<dd>7天</dd>"), "the approved term");
    assert!(!page.contains(&user.id_card), "masked");
    // 400.00 × 0.36 / 360 × 7 = 2.80, due in 7 days.
    let due = (app.clock.today() + chrono::Days::new(7)).to_string();
    let rows = schedule_cells(&page);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1..], [due.clone(), "400.00".into(), "2.80".into(), "0.00".into(), "402.80".into()]);

    // Nobody else confirms it; a payout waits for the borrower.
    let other = verified_user_numbers(&app).await;
    let confirm = json!({"loanProductApplyId": id});
    let refused = app.call_as(&other.token, "/appCommonApi/confirmLoanTerms", confirm.clone()).await;
    assert_eq!(refused["responseCode"], "10001000", "{refused}");
    assert_eq!(crate::loans::disburse(&app, &id, "").await["responseCode"], "20008005");
    assert_eq!(item(user.token.clone()).await["needConfirm"], "1");

    for _ in 0..2 {
        let reply = app.call_as(&user.token, "/appCommonApi/confirmLoanTerms", confirm.clone()).await;
        assert_eq!(reply["responseCode"], "0000", "{reply}");
    }
    let confirmed = item(user.token.clone()).await;
    assert_eq!((confirmed["needConfirm"].as_str(), confirmed["contractPreviewUrl"].as_str()), (Some("0"), Some("")));
    let links = contract_links(&json!({"resultSet": [confirmed]}));
    assert_eq!(links.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["借款协议", "委托扣款授权书"]);
    let (_, in_force, _) = open(&app, &links[0].1).await;
    assert_eq!(schedule_cells(&in_force), rows, "the agreement in force is the one previewed");
    let count = |sql: &str| app.loan_database_integer(&format!("SELECT COUNT(*) AS value FROM {sql}"));
    assert_eq!(count(&format!("contract_documents WHERE application_id = '{id}'")), 4, "both editions kept");
    assert_eq!(count(&format!("evidence WHERE subject = '{id}' AND action = 'confirm'")), 2, "confirmed once");
    let result = verify(&app, &id).await;
    assert_eq!((result["checked"].as_u64(), reasons(&result), result["evidenceBroken"].as_str()), (Some(4), vec![], Some("")));

    assert_eq!(crate::loans::disburse(&app, &id, "").await["responseCode"], "0000");
    crate::payments::eventually("the payout starts the plan", || async {
        crate::loans::plan(&app, &user.token, &id).await["resultSet"][0]["dueAmount"] == "402.80"
    })
    .await;

    // Paid out: the plan is issued with its actual dates, citing the agreement in force.
    let links = contract_links(&json!({"resultSet": [item(user.token.clone()).await]}));
    let names: Vec<&str> = links.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["借款协议", "委托扣款授权书", "还款计划表"]);
    let (status, plan_page, _) = open(&app, &links[2].1).await;
    assert_eq!(status, 200);
    let in_force = app.database_string(
        "loan",
        &format!("SELECT sha256 AS value FROM contract_documents WHERE application_id = '{id}' AND kind = 'loan-agreement' AND edition = 2"),
    );
    assert!(plan_page.contains(&format!("SHA-256 {in_force}")), "{plan_page}");
    assert_eq!(schedule_cells(&plan_page), rows, "released today: the dates previewed");
    assert_eq!(verify(&app, &id).await["checked"], 5);
    app.clock.advance_ms(10 * 60 * 1000 + 1);
    assert_eq!(open(&app, &preview).await.0, 404, "expired");
});

e2e!(each_chains_head_is_stamped_daily_and_a_rewritten_head_is_found(app, |c: &mut cashloan_stack::StackConfig| c.evidence_stamps.check_ms = 50) {
    let product = product_id(&app, "新现金贷").await;
    let first = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &first.token, application(&product, "500.00")).await["responseCode"], "20005000");
    let report = || async { app.admin_call("/admin/contracts/verify", json!({})).await["resultSet"].clone() };
    let stamps = |r: &Value| (r["evidenceStamps"].as_u64().unwrap(), r["authEvidenceStamps"].as_u64().unwrap());
    crate::payments::eventually("both heads stamped", || async { stamps(&report().await) == (1, 1) }).await;

    // Within the day nothing more is stamped, whatever is added.
    let second = verified_user_numbers(&app).await;
    assert_eq!(apply(&app, &second.token, application(&product, "500.00")).await["responseCode"], "20005000");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(stamps(&report().await), (1, 1));
    app.clock.advance_ms(24 * 3600 * 1000);
    crate::payments::eventually("stamped again a day later", || async { stamps(&report().await) == (2, 2) }).await;
    let r = report().await;
    assert_eq!((r["evidenceBroken"].as_str(), r["authEvidenceBroken"].as_str()), (Some(""), Some("")), "{r}");

    // The last records cut and the head rewritten to match: the chain walks, the stamp does not.
    let head = app.loan_database_integer("SELECT MAX(seq) AS value FROM evidence");
    app.loan_database_execute(&format!("DELETE FROM evidence WHERE seq = {head}"));
    app.loan_database_execute(&format!(
        "UPDATE evidence_head SET seq = {prev}, hash = (SELECT hash FROM evidence WHERE seq = {prev})",
        prev = head - 1
    ));
    assert_eq!(
        report().await["evidenceBroken"],
        format!("the stamp of record {head} names a record that is missing")
    );
    // A token not the authority's.
    app.database_execute("auth", "UPDATE evidence_stamps SET token = 'AAAA' WHERE seq = (SELECT MIN(seq) FROM evidence_stamps)");
    let broken = report().await["authEvidenceBroken"].as_str().unwrap().to_owned();
    assert!(broken.starts_with("the stamp of record ") && broken.ends_with(" is not the authority's"), "{broken}");
});
