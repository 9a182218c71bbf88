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
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::Products => "products",
            Self::Direct => "direct",
            Self::SessionRead => "session-read",
            Self::Quote => "quote",
            Self::Login => "login",
        }
    }

    fn needs_users(self) -> bool {
        matches!(self, Self::SessionRead | Self::Quote | Self::Login)
    }
}

/// What the requests of a run share.
pub struct Fixture {
    pub app: App,
    /// (mobile, session token) of each prepared user.
    pub users: Vec<(String, String)>,
    pub product_id: String,
    pub direct: Option<product::product_client::ProductClient<tonic::transport::Channel>>,
}

/// Registers and logs in `count` users (at most 16 at a time), finds the product to quote.
pub async fn prepare(
    app: App,
    scenario: Scenario,
    count: usize,
    direct_addr: &str,
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
    let direct = if scenario == Scenario::Direct {
        Some(product::product_client::ProductClient::connect(direct_addr.to_owned()).await?)
    } else {
        None
    };
    Ok(Fixture {
        app,
        users,
        product_id,
        direct,
    })
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
                .list_products(product::ListProductsRequest {})
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
    }
    Ok(())
}
