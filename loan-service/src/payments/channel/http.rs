//! The HTTP adapter of the payment channel (PAYMENTS.md "The channel protocol"): signed JSON
//! requests, replies and notifications checked against the channel's key, a timeout on every
//! call. Whatever it cannot read for certain — a 5xx, a timeout, a reply that does not verify, an
//! unknown status, a decline not on the list of final ones — is `Outcome::Unclear`: the money may
//! have moved, and the order goes to query.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::payments::channel::signature::{ChannelVerifier, MerchantSigner};
use crate::payments::channel::statement::{parse_csv, Statement};
use crate::payments::channel::{Instruction, NotificationRefused, PaymentChannel, Report};
use crate::payments::order::Outcome;
use sha2::{Digest, Sha256};

pub struct HttpChannel {
    client: reqwest::Client,
    base_url: String,
    merchant_no: String,
    signer: MerchantSigner,
    verifier: ChannelVerifier,
    notify_url: String,
    final_declines: HashSet<String>,
}

pub struct HttpChannelConfig {
    pub base_url: String,
    pub merchant_no: String,
    pub merchant_key_pem: String,
    pub channel_key_pem: String,
    pub notify_url: String,
    pub final_declines: Vec<String>,
    pub timeout: Duration,
}

impl HttpChannel {
    pub fn new(config: HttpChannelConfig) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(3)))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            merchant_no: config.merchant_no,
            signer: MerchantSigner::from_pem(&config.merchant_key_pem).map_err(|e| e.to_string())?,
            verifier: ChannelVerifier::from_pem(&config.channel_key_pem).map_err(|e| e.to_string())?,
            notify_url: config.notify_url,
            final_declines: config.final_declines.into_iter().collect(),
        })
    }

    /// POSTs a signed request; the reply's body when it is JSON signed by the channel.
    async fn call(&self, path: &str, mut body: Map<String, Value>) -> Result<Map<String, Value>, String> {
        body.insert("merchantNo".into(), json!(self.merchant_no));
        body.insert("timestamp".into(), json!(cashloan_runtime::clock::now_ms()));
        let sign = self.signer.sign(&body);
        body.insert("sign".into(), json!(sign));
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("no reply: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let reply: Value = response
            .json()
            .await
            .map_err(|e| format!("unreadable reply: {e}"))?;
        let Value::Object(reply) = reply else {
            return Err("reply is not an object".into());
        };
        if !self.verifier.verify(&reply) {
            return Err("reply signature does not verify".into());
        }
        Ok(reply)
    }

    /// What a signed body says of an order.
    fn report(&self, order_no: &str, body: &Map<String, Value>, expected_fen: Option<i64>) -> Report {
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
        let amount = body.get("amount").and_then(amount_fen).or(expected_fen);
        let code = text("code").unwrap_or_default();
        let outcome = match (text("status").as_deref(), amount) {
            (Some("ACCEPTED" | "PROCESSING"), _) => Outcome::Accepted,
            (Some("SUCCESS"), Some(amount_fen)) => Outcome::Success { amount_fen },
            (Some("RETURNED"), Some(amount_fen)) => Outcome::Returned { amount_fen },
            (Some("FAIL"), _) => Outcome::Fail {
                final_decline: self.final_declines.contains(&code),
                code,
            },
            (Some("NOT_FOUND"), _) => Outcome::NotFound,
            _ => Outcome::Unclear,
        };
        Report {
            order_no: order_no.to_owned(),
            outcome,
            channel_order_no: text("channelOrderNo").filter(|s| !s.is_empty()),
            message: text("message").filter(|s| !s.is_empty()),
            finished_at: text("finishedAt").filter(|s| !s.is_empty()),
        }
    }

    /// Reads a notification: the channel's signature, then what it says.
    pub fn read_notification(&self, body: &[u8]) -> Result<(Report, i64), NotificationRefused> {
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
            return Err(NotificationRefused);
        };
        if !self.verifier.verify(&body) {
            return Err(NotificationRefused);
        }
        let order_no = body
            .get("orderNo")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(NotificationRefused)?
            .to_owned();
        let sent_at = body
            .get("timestamp")
            .and_then(amount_fen)
            .ok_or(NotificationRefused)?;
        Ok((self.report(&order_no, &body, None), sent_at))
    }
}

/// Fen (or a timestamp) sent as a number or a string of digits.
fn amount_fen(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .filter(|fen| *fen >= 0)
}

#[tonic::async_trait]
impl PaymentChannel for HttpChannel {
    async fn submit(&self, order: &Instruction) -> Report {
        let path = if order.kind.sends_money() {
            "/v1/payout"
        } else {
            "/v1/deduct"
        };
        let card = &order.card;
        let body = json!({
            "orderNo": order.order_no,
            "amount": order.amount_fen,
            "cardNo": card.card_no,
            "name": card.name,
            "idCardNo": card.id_card_no,
            "mobile": card.mobile,
            "agreementNo": card.agreement_no,
            "notifyUrl": self.notify_url,
        });
        let Value::Object(body) = body else {
            unreachable!("a literal object")
        };
        match self.call(path, body).await {
            // The reply carries no amount: a SUCCESS in it is for the amount we sent.
            Ok(reply) => self.report(&order.order_no, &reply, Some(order.amount_fen)),
            Err(why) => {
                tracing::warn!(order = %order.order_no, %why, "channel reply unclear");
                Report::unclear(&order.order_no, why)
            }
        }
    }

    async fn query(&self, order_no: &str) -> Report {
        let mut body = Map::new();
        body.insert("orderNo".into(), json!(order_no));
        match self.call("/v1/query", body).await {
            Ok(reply) => self.report(order_no, &reply, None),
            Err(why) => {
                tracing::warn!(order = order_no, %why, "channel query unclear");
                Report::unclear(order_no, why)
            }
        }
    }

    async fn statement(&self, day: chrono::NaiveDate) -> Statement {
        let mut body = Map::new();
        body.insert("date".into(), json!(day.to_string()));
        let reply = match self.call("/v1/statement", body).await {
            Ok(reply) => reply,
            Err(why) => return Statement::Unavailable(why),
        };
        match reply.get("status").and_then(Value::as_str) {
            Some("NOT_READY") => return Statement::NotReady,
            Some("READY") => {}
            other => return Statement::Unavailable(format!("statement status {other:?}")),
        }
        let csv = reply.get("csv").and_then(Value::as_str).unwrap_or_default();
        let digest = hex::encode(Sha256::digest(csv.as_bytes()));
        if reply.get("sha256").and_then(Value::as_str) != Some(digest.as_str()) {
            return Statement::Unavailable("statement digest differs".into());
        }
        match parse_csv(csv) {
            Ok(lines) => Statement::Ready(lines),
            Err(why) => Statement::Unavailable(why),
        }
    }

    fn read_notification(&self, body: &[u8]) -> Result<(Report, i64), NotificationRefused> {
        HttpChannel::read_notification(self, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::order::OrderKind;

    const PRIVATE: &str = include_str!("../../../tests/fixtures/channel-test-merchant.pem");
    const PUBLIC: &str = include_str!("../../../tests/fixtures/channel-test-merchant.pub.pem");

    fn channel() -> HttpChannel {
        // One key pair on both sides: enough to read what is signed.
        HttpChannel::new(HttpChannelConfig {
            base_url: "http://127.0.0.1:9".into(),
            merchant_no: "M100".into(),
            merchant_key_pem: PRIVATE.into(),
            channel_key_pem: PUBLIC.into(),
            notify_url: "http://127.0.0.1/notify/payment".into(),
            final_declines: vec!["INSUFFICIENT_BALANCE".into()],
            timeout: Duration::from_millis(300),
        })
        .unwrap()
    }

    fn signed(body: Value) -> Vec<u8> {
        let Value::Object(mut body) = body else {
            unreachable!()
        };
        let sign = MerchantSigner::from_pem(PRIVATE).unwrap().sign(&body);
        body.insert("sign".into(), json!(sign));
        serde_json::to_vec(&body).unwrap()
    }

    #[test]
    fn notifications_are_read_only_when_signed() {
        let c = channel();
        let body = json!({"orderNo": "RO20261201000001", "channelOrderNo": "C1", "status": "SUCCESS", "code": "",
            "amount": 50700, "finishedAt": "2026-12-01 10:00:00", "timestamp": 1});
        let (report, sent_at) = c.read_notification(&signed(body.clone())).unwrap();
        assert_eq!(sent_at, 1, "when the channel says it sent it");
        assert_eq!(report.outcome, Outcome::Success { amount_fen: 50700 });
        assert_eq!(report.finished_at.as_deref(), Some("2026-12-01 10:00:00"));
        let mut forged: Value = serde_json::from_slice(&signed(body)).unwrap();
        forged["amount"] = json!(1);
        assert!(c
            .read_notification(&serde_json::to_vec(&forged).unwrap())
            .is_err());
        assert!(c.read_notification(b"not json").is_err());
        assert!(
            c.read_notification(&signed(json!({"status": "SUCCESS"})))
                .is_err(),
            "no order number"
        );
        let undated = json!({"orderNo": "RO1", "status": "SUCCESS", "code": "", "amount": 100});
        assert!(c.read_notification(&signed(undated)).is_err(), "no timestamp");
    }

    #[test]
    fn only_listed_declines_are_final_and_anything_unknown_is_unclear() {
        let c = channel();
        let read = |status: &str, code: &str| {
            let body =
                json!({"orderNo": "RO1", "status": status, "code": code, "amount": 100, "timestamp": 1});
            c.read_notification(&signed(body)).unwrap().0.outcome
        };
        assert_eq!(
            read("FAIL", "INSUFFICIENT_BALANCE"),
            Outcome::Fail {
                code: "INSUFFICIENT_BALANCE".into(),
                final_decline: true
            }
        );
        assert_eq!(
            read("FAIL", "SYSTEM_BUSY"),
            Outcome::Fail {
                code: "SYSTEM_BUSY".into(),
                final_decline: false
            }
        );
        assert_eq!(read("RETURNED", ""), Outcome::Returned { amount_fen: 100 });
        assert_eq!(read("MAYBE", ""), Outcome::Unclear);
    }

    #[tokio::test]
    async fn no_channel_is_an_unclear_outcome_never_a_failure() {
        let c = channel();
        let order = Instruction {
            order_no: "RO20261201000001".into(),
            kind: OrderKind::Repay,
            amount_fen: 100,
            card: Default::default(),
        };
        assert_eq!(c.submit(&order).await.outcome, Outcome::Unclear);
        assert_eq!(c.query("RO20261201000001").await.outcome, Outcome::Unclear);
    }
}
