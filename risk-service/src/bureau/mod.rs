//! The credit bureau behind a provider interface (DECISIONS.md "Features", "The local bureau"):
//! asked with the ID number, answered within `BUREAU_TIMEOUT_MS` or counted unavailable.

pub mod local;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::features::BureauFeatures;

/// What a bureau says of a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    pub multi_lending30d: i64,
    pub multi_lending90d: i64,
    pub blacklist_hit: bool,
    /// 300–900.
    pub score: i64,
}

pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Report, String>> + Send + 'a>>;

pub trait Bureau: Send + Sync {
    fn name(&self) -> &'static str;
    fn query<'a>(&'a self, id_card_no: &'a str) -> Answer<'a>;
}

/// The bureau's features: its report, or `unavailable` after a failure or the timeout.
pub async fn features(bureau: &dyn Bureau, id_card_no: &str, timeout: Duration) -> BureauFeatures {
    let answer = tokio::time::timeout(timeout, bureau.query(id_card_no)).await;
    match answer {
        Ok(Ok(r)) if (300..=900).contains(&r.score) => BureauFeatures {
            unavailable: false,
            multi_lending30d: Some(r.multi_lending30d),
            multi_lending90d: Some(r.multi_lending90d),
            blacklist_hit: Some(r.blacklist_hit),
            score: Some(r.score),
        },
        outcome => {
            let why = match outcome {
                Ok(Ok(r)) => format!("score {} out of range", r.score),
                Ok(Err(e)) => e,
                Err(_) => "no answer in time".into(),
            };
            tracing::warn!(bureau = bureau.name(), error = %why, "bureau unavailable");
            BureauFeatures {
                unavailable: true,
                ..BureauFeatures::default()
            }
        }
    }
}
