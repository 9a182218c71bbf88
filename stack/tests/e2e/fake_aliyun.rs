//! A stand-in for Alibaba Cloud SMS (Dysmsapi `SendSms`) on a loopback port. Like the real one it
//! checks the request signature, the timestamp window and nonce reuse, and answers as scripted:
//! success, an error code, or no answer for a while.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;

pub const KEY_ID: &str = "LTAI-test-key-id";
pub const KEY_SECRET: &str = "test-key-secret";
pub const SIGN_NAME: &str = "现金贷";
pub const TEMPLATES: &str =
    "register=SMS_REG,reset=SMS_RESET,11=SMS_11,12=SMS_12,13=SMS_13,14=SMS_14,15=SMS_15,16=SMS_16,17=SMS_17";

/// What the fake answers to the next accepted request.
#[derive(Clone, Debug)]
pub enum Answer {
    Ok,
    Error(u16, &'static str),
    /// Answers OK, but only after this long.
    Hang(Duration),
}

#[derive(Default)]
struct State {
    script: VecDeque<Answer>,
    accepted: Vec<BTreeMap<String, String>>,
    rejected: Vec<&'static str>,
    nonces: HashSet<String>,
}

pub struct FakeAliyun {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: actix_web::dev::ServerHandle,
}

impl FakeAliyun {
    pub async fn start(script: Vec<Answer>) -> FakeAliyun {
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            ..State::default()
        }));
        let data = web::Data::from(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(send_sms))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeAliyun {
            url,
            state,
            server: handle,
        }
    }

    /// The parameters of every request whose signature verified.
    pub fn accepted(&self) -> Vec<BTreeMap<String, String>> {
        self.state.lock().unwrap().accepted.clone()
    }

    /// The error codes of requests refused before the script was consulted.
    pub fn rejected(&self) -> Vec<&'static str> {
        self.state.lock().unwrap().rejected.clone()
    }

    pub async fn stop(self) {
        self.server.stop(false).await;
    }

    /// A stack configuration that sends through this fake.
    pub fn configure(&self, c: &mut cashloan_stack::StackConfig, secret: &str) {
        c.sms_provider = "aliyun".into();
        c.aliyun.endpoint = self.url.clone();
        c.aliyun.access_key_id = KEY_ID.into();
        c.aliyun.access_key_secret = secret.into();
        c.aliyun.sign_name = SIGN_NAME.into();
        c.aliyun.templates = TEMPLATES.into();
    }
}

async fn send_sms(request: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let params = decode_query(request.query_string());
    let verdict = check(&params, &mut state.lock().unwrap());
    let answer = match verdict {
        Err(code) => {
            state.lock().unwrap().rejected.push(code);
            return HttpResponse::BadRequest().json(json!({"Code": code, "Message": code}));
        }
        Ok(()) => {
            let mut state = state.lock().unwrap();
            state.accepted.push(params);
            state.script.pop_front().unwrap_or(Answer::Ok)
        }
    };
    match answer {
        Answer::Ok => ok(),
        Answer::Hang(wait) => {
            actix_web::rt::time::sleep(wait).await;
            ok()
        }
        Answer::Error(status, code) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                .json(json!({"Code": code, "Message": code, "RequestId": "fake"}))
        }
    }
}

fn ok() -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "fake"}))
}

/// The checks Alibaba makes before it looks at the message.
fn check(params: &BTreeMap<String, String>, state: &mut State) -> Result<(), &'static str> {
    let expect = [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", KEY_ID),
    ];
    for (name, value) in expect {
        if params.get(name).map(String::as_str) != Some(value) {
            return Err("MissingParameter");
        }
    }
    let stamp = params.get("Timestamp").ok_or("MissingParameter")?;
    let at = chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%SZ")
        .map_err(|_| "InvalidTimeStamp.Format")?;
    if (chrono::Utc::now().naive_utc() - at).num_seconds().abs() > 900 {
        return Err("InvalidTimeStamp.Expired");
    }
    let given = params.get("Signature").ok_or("MissingParameter")?;
    let mut unsigned = params.clone();
    unsigned.remove("Signature");
    if *given != expected_signature(&unsigned) {
        return Err("SignatureDoesNotMatch");
    }
    let nonce = params.get("SignatureNonce").ok_or("MissingParameter")?;
    if !state.nonces.insert(nonce.clone()) {
        return Err("SignatureNonceUsed");
    }
    Ok(())
}

/// Alibaba's RPC signature, written out here from its documentation, independently of the
/// provider's code.
fn expected_signature(params: &BTreeMap<String, String>) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let to_sign = format!("GET&{}&{}", enc("/"), enc(&query.join("&")));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{KEY_SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn decode_query(query: &str) -> BTreeMap<String, String> {
    fn dec(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (dec(k), dec(v)))
        .collect()
}
