//! What one request of each scenario is, and what it needs set up first.

use std::sync::Arc;

use cashloan_proto::product::v1 as product;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::client::{bench_mobile, App, ClientError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Open read: the product list (gateway → product-service, cache hit).
    Products,
    /// The same list from product-service over gRPC, without the gateway.
    Direct,
    /// `getAuthenticationStatus` for logged-in users.
    SessionRead,
    /// A repayment schedule computed for a logged-in user.
    Quote,
    /// Password logins (Argon2id-bound).
    Login,
    /// One loan's life per request: apply, approve, disburse, repay (verified users; the write
    /// path on the database).
    ApplyCycle,
    /// An app session's mix of reads, quotes, logins and messages.
    Mixed,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::Products => "products",
            Self::Direct => "direct",
            Self::SessionRead => "session-read",
            Self::Quote => "quote",
            Self::Login => "login",
            Self::ApplyCycle => "apply-cycle",
            Self::Mixed => "mixed",
        }
    }

    fn needs_users(self) -> bool {
        !matches!(self, Self::Products | Self::Direct)
    }
}

/// What the requests of a run share.
pub struct Fixture {
    pub app: App,
    /// (mobile, session token) of each prepared user.
    pub users: Vec<(String, String)>,
    pub product_id: String,
    pub direct: Option<product::product_client::ProductClient<cashloan_runtime::grpc::GrpcChannel>>,
    /// One loan at a time per user: a cycle holds its user.
    pub busy: Vec<tokio::sync::Mutex<()>>,
}

/// Registers and logs in `count` users (at most 16 at a time), finds the product to quote.
pub async fn prepare(
    app: App,
    scenario: Scenario,
    count: usize,
    direct: (&str, &str),
) -> Result<Fixture, Box<dyn std::error::Error>> {
    let mut users = Vec::new();
    if scenario.needs_users() {
        let run = rand::random::<u32>();
        let gate = Arc::new(Semaphore::new(16));
        let mut tasks = Vec::new();
        for i in 0..count {
            let (app, gate) = (app.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire().await;
                let mobile = bench_mobile(run, i);
                app.register(&mobile).await?;
                let token = app.login(&mobile).await?;
                if scenario == Scenario::ApplyCycle {
                    verify(&app, &token, run, i).await?;
                }
                Ok::<_, ClientError>((mobile, token))
            }));
        }
        for task in tasks {
            users.push(task.await??);
        }
    }
    let list = app
        .expect("/openCommonApi/getLoanProductList", json!({}), None, &["0000"])
        .await?;
    let product_id = list["resultSet"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["name"] == "新现金贷"))
        .and_then(|p| p["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let direct_client = if scenario == Scenario::Direct {
        // The services' own client: one URL, a list, or dns:///name:port (balanced).
        let (direct_addr, key) = direct;
        let key = cashloan_runtime::grpc::identity::ServiceKey::from_text("gateway", key)
            .map_err(|e| format!("--service-key: {e}"))?;
        let channel = cashloan_runtime::grpc::lazy_channel(direct_addr, std::time::Duration::from_secs(5))
            .map_err(|e| format!("--direct-addr: {e}"))?
            .signed_by(cashloan_runtime::grpc::identity::Signer::new(key));
        Some(product::product_client::ProductClient::new(channel))
    } else {
        None
    };
    let busy = users.iter().map(|_| tokio::sync::Mutex::new(())).collect();
    Ok(Fixture {
        app,
        users,
        product_id,
        direct: direct_client,
        busy,
    })
}

/// The consents, then real name, carrier, bank card, profile and a contact: what an application
/// needs.
async fn verify(app: &App, token: &str, run: u32, i: usize) -> Result<(), ClientError> {
    for consent in ["sensitive", "carrier", "contacts"] {
        let body = json!({"consentType": consent, "version": "1"});
        app.expect("/appCommonApi/acceptConsent", body, Some(token), &["0000"])
            .await?;
    }
    let steps = [
        (
            "/appCommonApi/authRealNameInfo",
            json!({"realName": "王小明", "idCardNo": id_card(run, i)}),
        ),
        ("/appCommonApi/authUserMobile", json!({})),
        (
            "/appCommonApi/authUserBankCard",
            json!({"bankCardNo": bank_card(i), "mobile": "13800138000"}),
        ),
        (
            "/appCommonApi/savePerfectUserInfo",
            json!({
            "education": "3", "martialStatus": "02",
            "registry_province": "110000", "registry_city": "110100", "registry_detail": "朝阳区某街道1号",
            "house_address_province": "310000", "house_address_city": "310100", "house_address_county": "310115",
            "house_address_detail": "浦东新区某路2号", "residenceLength": "3", "industryType": "14",
            "work_address_province": "310000", "work_address_city": "310100", "work_address_county": "310104",
            "work_address_detail": "徐汇区某大厦10层", "workingHours": "05", "currentWorkInfo": "某某科技有限公司",
            "currentPosition": "工程师", "monthIncome": 12000, "payrollDay": "15"}),
        ),
        (
            "/appCommonApi/saveOrUpdateRelShip",
            json!({"operType": "add", "relType": "1", "realName": "王父", "phoneNum": "13900139000"}),
        ),
    ];
    for (path, body) in steps {
        app.expect(path, body, Some(token), &["0000"]).await?;
    }
    Ok(())
}

/// A valid ID number, distinct per run and user: born 1970–1999, sequence codes below 998 (998
/// and 999 are the local vendor's simulated outages).
fn id_card(run: u32, i: usize) -> String {
    let n = (run as usize % 1000) * 100_000 + i;
    let (year, day, seq) = (1970 + n % 30, 1 + (n / 30) % 28, (n / 840) % 998);
    let first17 = format!("110105{year}01{day:02}{seq:03}");
    let check = auth_service::id_card::check_char(first17.as_bytes());
    format!("{first17}{check}")
}

/// A Luhn-valid card number per user (never ending in 0000, which the local channel declines).
fn bank_card(i: usize) -> String {
    (0..10)
        .map(|d| format!("6217{:011}{d}", i * 10 + 1))
        .find(|c| auth_service::bank_card::luhn_valid(c))
        .unwrap_or_default()
}

/// One loan from application to repayment for user `u`.
async fn cycle(f: &Fixture, u: usize) -> Result<(), ClientError> {
    let _held = f.busy[u].lock().await;
    let token = Some(f.users[u].1.as_str());
    let application = json!({"productId": f.product_id, "amount": "500.00", "termCount": "14", "termUnit": "1",
        "repayTermCount": "1", "repayTermUnit": "1", "repayType": "1", "interestRate": "0.36",
        "longitude": "116.40", "latitude": "39.90", "orderId": format!("bench-{}", rand::random::<u64>()),
        "purpose": "21", "otherChannels": "01",
        "phonebookList": [{"contactName": "张三", "contactPhone": "13800138000"}], "remark": ""});
    f.app
        .expect(
            "/appCommonApi/loanProductApply",
            application,
            token,
            &["20005000"],
        )
        .await?;
    let mine = f
        .app
        .expect("/appCommonApi/getLoanApplyInfoList", json!({}), token, &["0000"])
        .await?;
    let id = mine["resultSet"][0]["id"].as_str().unwrap_or_default().to_owned();
    for (path, body) in [
        (
            "/admin/loans/review",
            json!({"applyId": id, "decision": "approve", "remark": "bench"}),
        ),
        ("/admin/loans/disburse", json!({"applyId": id, "releaseDate": ""})),
    ] {
        let reply = f.app.admin(path, body).await?;
        if reply["responseCode"] != "0000" {
            return Err(ClientError::Refused {
                path: path.into(),
                code: reply["responseCode"].to_string(),
            });
        }
    }
    let plan = f
        .app
        .expect(
            "/appCommonApi/getLoanApplyRepayList",
            json!({"loanProductApplyId": id}),
            token,
            &["0000"],
        )
        .await?;
    let period = plan["resultSet"][0]["repayId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    f.app
        .expect(
            "/appCommonApi/gotoRepayment",
            json!({"id": period, "repayType": "current"}),
            token,
            &["0000"],
        )
        .await?;
    Ok(())
}

/// One request of an app session: mostly reads, some quotes, the odd login.
async fn mixed(f: &Fixture, i: usize) -> Result<(), ClientError> {
    let token = Some(f.users[i % f.users.len()].1.as_str());
    let (path, body, user) = match i % 20 {
        0..=6 => ("/openCommonApi/getLoanProductList", json!({}), None),
        7..=11 => ("/appCommonApi/getAuthenticationStatus", json!({}), token),
        12..=14 => (
            "/appCommonApi/getLoanApplyConfirmInfo",
            quote_fields(&f.product_id),
            token,
        ),
        15..=16 => ("/appCommonApi/getUserCenterInfo", json!({}), token),
        17..=18 => ("/appCommonApi/getCustomMessage", json!({}), token),
        _ => return f.app.login(&f.users[i % f.users.len()].0).await.map(|_| ()),
    };
    f.app.expect(path, body, user, &["0000"]).await.map(|_| ())
}

fn quote_fields(product_id: &str) -> Value {
    json!({"productId": product_id, "amount": "500.00", "termCount": "14", "termUnit": "1",
        "repayTermCount": "1", "repayTermUnit": "1", "repayType": "1", "interestRate": "0.36"})
}

/// Request number `i` of the scenario; an answer other than the success code is an error.
pub async fn one(f: &Fixture, scenario: Scenario, i: usize) -> Result<(), ClientError> {
    let user = || &f.users[i % f.users.len()];
    match scenario {
        Scenario::Products => {
            f.app
                .expect("/openCommonApi/getLoanProductList", json!({}), None, &["0000"])
                .await?;
        }
        Scenario::Direct => {
            let mut client = f.direct.clone().expect("prepared for direct");
            client
                .list_products(product::ListProductsRequest::default())
                .await
                .map_err(|s| ClientError::Reply(s.message().to_owned()))?;
        }
        Scenario::SessionRead => {
            f.app
                .expect(
                    "/appCommonApi/getAuthenticationStatus",
                    json!({}),
                    Some(&user().1),
                    &["0000"],
                )
                .await?;
        }
        Scenario::Quote => {
            f.app
                .expect(
                    "/appCommonApi/getLoanApplyConfirmInfo",
                    quote_fields(&f.product_id),
                    Some(&user().1),
                    &["0000"],
                )
                .await?;
        }
        Scenario::Login => {
            f.app.login(&user().0).await?;
        }
        Scenario::ApplyCycle => cycle(f, i % f.users.len()).await?,
        Scenario::Mixed => mixed(f, i).await?,
    }
    Ok(())
}
