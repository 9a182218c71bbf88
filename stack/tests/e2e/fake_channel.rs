//! A stand-in for the payment channel of PAYMENTS.md on a loopback port, written from the
//! protocol table: it checks the merchant's RSA-SHA256 signatures, deduplicates by orderNo (money
//! moves once per order however often it is submitted), signs its replies and notifications
//! with its own key, and answers as the test scripts it: at once, later by notification (also
//! duplicated, reordered, or changing its mind), with a lost reply, after a hang, or only when
//! the test releases the reply.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use serde_json::{json, Map, Value};
use tokio::sync::Notify;

use crate::app_protocol::canonical_json;

pub const CHANNEL_KEY: &str = include_str!("../fixtures/fake-channel.pem");
pub const CHANNEL_PUBLIC_KEY_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fake-channel.pub.pem");
pub const MERCHANT_KEY_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../loan-service/tests/fixtures/channel-test-merchant.pem"
);
/// The merchant's public key as PKCS#1 (`openssl rsa -RSAPublicKey_out`), the form ring reads.
const MERCHANT_PUBLIC_KEY: &str =
    include_str!("../../../loan-service/tests/fixtures/channel-test-merchant.rsa.pub.pem");

/// The DER of a one-block PEM file.
fn der(pem: &str) -> Vec<u8> {
    let text: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

/// How the channel handles the next new order.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// `SUCCESS` in the reply.
    Succeed,
    /// `FAIL` with this code in the reply: a final decline.
    Decline(&'static str),
    /// `FAIL SYSTEM_BUSY` in the reply; the channel took nothing (a query says NOT_FOUND).
    Busy,
    /// `ACCEPTED`, then these notifications (delay after the submit, status), in this order.
    Notify(Vec<(Duration, &'static str)>),
    /// The money moves, but the reply is lost (HTTP 502); a query tells.
    LoseReply,
    /// The money moves; the reply (`SUCCESS`) is sent only when the test calls `release`.
    HoldReply,
}

#[derive(Clone)]
struct Order {
    kind: &'static str,
    amount: i64,
    /// SUCCESS, FAIL, PROCESSING or RETURNED, as a query answers.
    status: &'static str,
    code: &'static str,
    channel_order_no: String,
    finished_at: String,
}

#[derive(Default)]
struct State {
    script: VecDeque<Behaviour>,
    orders: HashMap<String, Order>,
    /// Requests per order number, resubmissions included.
    submissions: HashMap<String, usize>,
    /// HTTP statuses our `/notify/payment` answered, in order.
    notify_answers: Vec<u16>,
    refused_signatures: usize,
    /// Statement knobs: lines added, orders left out, amounts changed, not ready yet.
    statement_extra: Vec<String>,
    statement_omits: Vec<String>,
    statement_amounts: HashMap<String, i64>,
    statement_not_ready: bool,
}

pub struct FakeChannel {
    pub url: String,
    shared: web::Data<Shared>,
    server: actix_web::dev::ServerHandle,
}

struct Shared {
    state: Mutex<State>,
    release: Notify,
    signer: RsaKeyPair,
    merchant: UnparsedPublicKey<Vec<u8>>,
    http: reqwest::Client,
}

fn sign(signer: &RsaKeyPair, body: &mut Map<String, Value>) {
    body.remove("sign");
    let text = canonical_json(&Value::Object(body.clone()));
    let mut signature = vec![0; signer.public().modulus_len()];
    signer
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            text.as_bytes(),
            &mut signature,
        )
        .unwrap();
    let sign = base64::engine::general_purpose::STANDARD.encode(signature);
    body.insert("sign".into(), json!(sign));
}

fn verified(merchant: &UnparsedPublicKey<Vec<u8>>, body: &Map<String, Value>) -> bool {
    let Some(sign) = body.get("sign").and_then(Value::as_str) else {
        return false;
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(sign) else {
        return false;
    };
    let mut unsigned = body.clone();
    unsigned.remove("sign");
    let text = canonical_json(&Value::Object(unsigned));
    merchant.verify(text.as_bytes(), &bytes).is_ok()
}

fn now_cst() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl FakeChannel {
    pub async fn start() -> FakeChannel {
        let shared = web::Data::new(Shared {
            state: Mutex::new(State::default()),
            release: Notify::new(),
            signer: RsaKeyPair::from_pkcs8(&der(CHANNEL_KEY)).unwrap(),
            merchant: UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der(MERCHANT_PUBLIC_KEY)),
            http: reqwest::Client::new(),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app_shared = shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_shared.clone())
                .route("/v1/payout", web::post().to(|s, b| submit(s, b, "payout")))
                .route("/v1/deduct", web::post().to(|s, b| submit(s, b, "deduct")))
                .route("/v1/query", web::post().to(query))
                .route("/v1/statement", web::post().to(statement))
        })
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeChannel {
            url,
            shared,
            server: handle,
        }
    }

    /// The behaviour of the next new order (after the script runs out: `Succeed`).
    pub fn then(&self, behaviour: Behaviour) {
        self.shared.state.lock().unwrap().script.push_back(behaviour);
    }

    /// Sends the replies held by `HoldReply`.
    pub fn release(&self) {
        self.shared.release.notify_waiters();
    }

    /// Orders whose money moved, and how often each was submitted.
    pub fn orders(&self) -> Vec<(String, usize)> {
        let state = self.shared.state.lock().unwrap();
        state
            .orders
            .keys()
            .map(|no| (no.clone(), state.submissions.get(no).copied().unwrap_or(0)))
            .collect()
    }

    /// The next statements: a line for an order the merchant never sent, an order left out, an
    /// order with another amount, or NOT_READY.
    pub fn statement_adds(&self, line: &str) {
        self.shared
            .state
            .lock()
            .unwrap()
            .statement_extra
            .push(line.to_owned());
    }
    pub fn statement_omits(&self, order_no: &str) {
        self.shared
            .state
            .lock()
            .unwrap()
            .statement_omits
            .push(order_no.to_owned());
    }
    pub fn statement_amount(&self, order_no: &str, amount: i64) {
        self.shared
            .state
            .lock()
            .unwrap()
            .statement_amounts
            .insert(order_no.to_owned(), amount);
    }
    pub fn statement_ready(&self, ready: bool) {
        self.shared.state.lock().unwrap().statement_not_ready = !ready;
    }

    pub fn notify_answers(&self) -> Vec<u16> {
        self.shared.state.lock().unwrap().notify_answers.clone()
    }

    pub fn refused_signatures(&self) -> usize {
        self.shared.state.lock().unwrap().refused_signatures
    }

    /// Changes an order's outcome (a payout returned, a success reported late) and notifies it.
    pub async fn change_mind(&self, order_no: &str, status: &'static str, notify_url: &str) {
        let body = {
            let mut state = self.shared.state.lock().unwrap();
            let order = state.orders.get_mut(order_no).expect("a known order");
            order.status = status;
            notification(order_no, order)
        };
        deliver(&self.shared, notify_url, body).await;
    }

    /// Finishes an order without telling anyone (the notification is lost for good).
    pub fn finish_quietly(&self, order_no: &str, status: &'static str) {
        let mut state = self.shared.state.lock().unwrap();
        let order = state.orders.get_mut(order_no).expect("a known order");
        order.status = status;
        order.finished_at = now_cst();
    }

    /// Posts one signed notification that `order_no` ended in `status`, sent (as its timestamp
    /// says) at `timestamp_ms`; the HTTP status of the answer. The order's record is unchanged.
    pub async fn notify_at(
        &self,
        order_no: &str,
        status: &'static str,
        timestamp_ms: i64,
        notify_url: &str,
    ) -> u16 {
        let mut body = {
            let state = self.shared.state.lock().unwrap();
            let order = Order {
                status,
                finished_at: now_cst(),
                ..state.orders.get(order_no).expect("a known order").clone()
            };
            notification(order_no, &order)
        };
        body.insert("timestamp".into(), json!(timestamp_ms));
        sign(&self.shared.signer, &mut body);
        let answer = self
            .shared
            .http
            .post(notify_url)
            .json(&body)
            .send()
            .await
            .unwrap();
        answer.status().as_u16()
    }

    /// Notifies a success for an order number the merchant never sent.
    pub async fn notify_stranger(&self, order_no: &str, notify_url: &str) {
        let order = Order {
            kind: "deduct",
            amount: 100,
            status: "SUCCESS",
            code: "",
            channel_order_no: format!("CH{order_no}"),
            finished_at: now_cst(),
        };
        deliver(&self.shared, notify_url, notification(order_no, &order)).await;
    }

    pub async fn stop(self) {
        self.server.stop(false).await;
    }
}

fn notification(order_no: &str, order: &Order) -> Map<String, Value> {
    let body = json!({"orderNo": order_no, "channelOrderNo": order.channel_order_no, "status": order.status,
        "code": order.code, "amount": order.amount, "finishedAt": order.finished_at,
        "timestamp": chrono::Utc::now().timestamp_millis()});
    body.as_object().unwrap().clone()
}

/// Posts a signed notification; like a real channel, again (a few times, quickly) until it is
/// answered `SUCCESS`.
async fn deliver(shared: &Shared, url: &str, mut body: Map<String, Value>) {
    sign(&shared.signer, &mut body);
    for _ in 0..5 {
        let answer = shared.http.post(url).json(&body).send().await;
        let (status, text) = match answer {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(_) => (0, String::new()),
        };
        shared.state.lock().unwrap().notify_answers.push(status);
        if status == 200 && text == "SUCCESS" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn reply(shared: &Shared, mut body: Map<String, Value>) -> HttpResponse {
    sign(&shared.signer, &mut body);
    HttpResponse::Ok().json(body)
}

async fn submit(
    shared: web::Data<Shared>,
    body: web::Json<Map<String, Value>>,
    kind: &'static str,
) -> HttpResponse {
    if !verified(&shared.merchant, &body) {
        shared.state.lock().unwrap().refused_signatures += 1;
        return reply(
            &shared,
            json!({"status": "FAIL", "code": "SIGN_ERROR", "message": "验签失败"})
                .as_object()
                .unwrap()
                .clone(),
        );
    }
    let order_no = body["orderNo"].as_str().unwrap_or_default().to_owned();
    let amount = body["amount"].as_i64().unwrap_or(-1);
    let notify_url = body["notifyUrl"].as_str().unwrap_or_default().to_owned();
    let (behaviour, known) = {
        let mut state = shared.state.lock().unwrap();
        *state.submissions.entry(order_no.clone()).or_default() += 1;
        if let Some(order) = state.orders.get(&order_no) {
            // The idempotency of orderNo: the state it is in, nothing moves again.
            assert_eq!(
                (order.kind, order.amount),
                (kind, amount),
                "a resubmission has identical parameters"
            );
            (None, Some(order.status))
        } else {
            let behaviour = state.script.pop_front().unwrap_or(Behaviour::Succeed);
            if let Behaviour::Busy = behaviour {
                drop(state);
                let busy = json!({"status": "FAIL", "code": "SYSTEM_BUSY", "message": "系统繁忙"});
                return reply(&shared, busy.as_object().unwrap().clone());
            }
            let (status, code) = match &behaviour {
                Behaviour::Decline(code) => ("FAIL", *code),
                Behaviour::Notify(_) => ("PROCESSING", ""),
                _ => ("SUCCESS", ""),
            };
            let order = Order {
                kind,
                amount,
                status,
                code,
                channel_order_no: format!("CH{order_no}"),
                finished_at: now_cst(),
            };
            state.orders.insert(order_no.clone(), order);
            (Some(behaviour), None)
        }
    };
    let answer = |status: &str, code: &str| {
        json!({"status": status, "code": code, "message": "", "channelOrderNo": format!("CH{order_no}")})
            .as_object()
            .unwrap()
            .clone()
    };
    match (behaviour, known) {
        (None, Some("PROCESSING")) => reply(&shared, answer("ACCEPTED", "")),
        (None, Some(status)) => reply(&shared, answer(status, "")),
        (Some(Behaviour::Succeed), _) => reply(&shared, answer("SUCCESS", "")),
        (Some(Behaviour::Decline(code)), _) => reply(&shared, answer("FAIL", code)),
        (Some(Behaviour::Busy), _) => unreachable!("answered above"),
        (Some(Behaviour::LoseReply), _) => HttpResponse::BadGateway().finish(),
        (Some(Behaviour::HoldReply), _) => {
            shared.release.notified().await;
            reply(&shared, answer("SUCCESS", ""))
        }
        (Some(Behaviour::Notify(plan)), _) => {
            let shared_for_task = shared.clone();
            let order_no_for_task = order_no.clone();
            tokio::spawn(async move {
                let started = tokio::time::Instant::now();
                for (after, status) in plan {
                    tokio::time::sleep_until(started + after).await;
                    let body = {
                        let mut state = shared_for_task.state.lock().unwrap();
                        let order = state.orders.get_mut(&order_no_for_task).unwrap();
                        order.status = status;
                        order.code = if status == "FAIL" {
                            "INSUFFICIENT_BALANCE"
                        } else {
                            ""
                        };
                        order.finished_at = now_cst();
                        notification(&order_no_for_task, order)
                    };
                    deliver(&shared_for_task, &notify_url, body).await;
                }
            });
            reply(&shared, answer("ACCEPTED", ""))
        }
        (None, None) => unreachable!("an order is either new or known"),
    }
}

async fn query(shared: web::Data<Shared>, body: web::Json<Map<String, Value>>) -> HttpResponse {
    if !verified(&shared.merchant, &body) {
        shared.state.lock().unwrap().refused_signatures += 1;
        return HttpResponse::BadRequest().finish();
    }
    let order_no = body["orderNo"].as_str().unwrap_or_default().to_owned();
    let answer = {
        let state = shared.state.lock().unwrap();
        match state.orders.get(&order_no) {
            None => json!({"status": "NOT_FOUND", "code": "", "message": "订单不存在"}),
            Some(o) => {
                json!({"status": o.status, "code": o.code, "message": "", "channelOrderNo": o.channel_order_no,
                "amount": o.amount, "finishedAt": o.finished_at})
            }
        }
    };
    reply(&shared, answer.as_object().unwrap().clone())
}

async fn statement(shared: web::Data<Shared>, body: web::Json<Map<String, Value>>) -> HttpResponse {
    use sha2::Digest;
    if !verified(&shared.merchant, &body) {
        shared.state.lock().unwrap().refused_signatures += 1;
        return HttpResponse::BadRequest().finish();
    }
    let date = body["date"].as_str().unwrap_or_default().to_owned();
    let (csv, ready) = {
        let state = shared.state.lock().unwrap();
        let mut lines = vec!["orderNo,channelOrderNo,kind,amount,status,finishedAt".to_owned()];
        let mut orders: Vec<(&String, &Order)> = state.orders.iter().collect();
        orders.sort_by_key(|(no, _)| no.to_owned());
        for (no, o) in orders {
            if o.status == "PROCESSING"
                || !o.finished_at.starts_with(&date)
                || state.statement_omits.contains(no)
            {
                continue;
            }
            let amount = state.statement_amounts.get(no).copied().unwrap_or(o.amount);
            let (kind, status) = match o.status {
                "RETURNED" => ("return", "SUCCESS"),
                status => (o.kind, status),
            };
            lines.push(format!(
                "{no},{},{kind},{amount},{status},{}",
                o.channel_order_no, o.finished_at
            ));
        }
        lines.extend(state.statement_extra.iter().cloned());
        (lines.join("\n"), !state.statement_not_ready)
    };
    let answer = if ready {
        let digest = hex::encode(sha2::Sha256::digest(csv.as_bytes()));
        json!({"status": "READY", "csv": csv, "sha256": digest})
    } else {
        json!({"status": "NOT_READY"})
    };
    reply(&shared, answer.as_object().unwrap().clone())
}
