//! One request's trace, as a collector receives it: an in-process OTLP receiver collects what the
//! stack exports, and the trace of one signed `getSmsCode` must hold the gateway span, the
//! gateway→auth client span, auth's server span, the auth→message spans and the key-value spans,
//! correctly parented, with no secret in any span or log line. Its own test binary: tracing is
//! installed once per process.

#[allow(dead_code)]
#[path = "e2e/app_protocol.rs"]
mod app_protocol;
#[allow(dead_code)]
#[path = "e2e/harness.rs"]
mod harness;

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::json;

use harness::{random_mobile, sign_with, Backend, TestApp, APP_KEY, PASSWORD};

const SERVER: i32 = 2;
const CLIENT: i32 = 3;

/// Keeps every span it is sent.
#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Vec<Span>>>);

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.0.lock().unwrap();
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

impl Receiver {
    fn trace(&self, trace_id: &str) -> Vec<Span> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|s| hex::encode(&s.trace_id) == trace_id)
            .cloned()
            .collect()
    }
}

/// Everything the process logs.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every text a span carries: name, attribute values, events.
fn span_text(span: &Span) -> String {
    let mut text = span.name.clone();
    let attributes = span
        .attributes
        .iter()
        .chain(span.events.iter().flat_map(|e| e.attributes.iter()));
    for kv in attributes {
        if let Some(any_value::Value::StringValue(v)) = kv.value.as_ref().and_then(|v| v.value.as_ref()) {
            text.push(' ');
            text.push_str(v);
        }
    }
    for event in &span.events {
        text.push(' ');
        text.push_str(&event.name);
    }
    text
}

/// Whether `ancestor` is `span` or above it.
fn descends(spans: &HashMap<Vec<u8>, &Span>, span: &Span, ancestor: &Span) -> bool {
    let mut current = span;
    loop {
        if current.span_id == ancestor.span_id {
            return true;
        }
        match spans.get(&current.parent_span_id) {
            Some(parent) => current = parent,
            None => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_is_one_trace_across_the_services_with_nothing_secret_in_it() {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(receiver.clone()))
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener));
    tokio::spawn(server);
    let logs = Logs::default();
    let sink = logs.clone();
    let args = cashloan_runtime::telemetry::TelemetryArgs {
        log_format: "json".into(),
        otlp_endpoint: Some(endpoint),
        ..Default::default()
    };
    let telemetry = Arc::new(cashloan_runtime::telemetry::init_with_writer(
        "cashloan-stack",
        &args,
        move || sink.clone(),
    ));

    for backend in harness::backends() {
        let with_redis = matches!(&backend, Backend::Real { redis: Some(_), .. });
        let app = TestApp::spawn(&backend, |_| {}).await;
        let mobile = random_mobile();
        let captcha = app.captcha().await;
        let response = app
            .http
            .post(app.url("/openApi/getSmsCode"))
            .json(&sign_with(APP_KEY, json!({"mobile": mobile, "code": captcha})))
            .send()
            .await
            .unwrap();
        let trace_id = response.headers()["x-trace-id"].to_str().unwrap().to_owned();
        let reply: serde_json::Value = response.json().await.unwrap();
        assert_eq!(reply["responseCode"], "20001000", "{reply}");
        let code = app.last_sms_code(&mobile).await.unwrap();
        // The rest of a registration and a login put the password through every layer too.
        let checked = app
            .call(
                "/openApi/checkSmsCode",
                json!({"mobile": mobile, "smscode": code}),
            )
            .await;
        assert_eq!(checked["responseCode"], "20002006");
        let password = harness::encrypt(PASSWORD);
        let registered = app
            .call(
                "/openApi/userRegister",
                json!({"mobile": mobile, "password": password, "confirmPassword": password}),
            )
            .await;
        assert_eq!(registered["responseCode"], "20003000");
        let token = app.login(&mobile, PASSWORD).await;

        // The trace arrives once the batch is flushed.
        let wanted = |spans: &[Span]| {
            spans
                .iter()
                .any(|s| s.name == "cashloan.message.v1.Message/SendVerificationCode" && s.kind == SERVER)
                && spans.iter().any(|s| s.name == "sms.send")
        };
        let mut spans = Vec::new();
        for _ in 0..50 {
            let flushing = telemetry.clone();
            tokio::task::spawn_blocking(move || flushing.flush())
                .await
                .unwrap();
            spans = receiver.trace(&trace_id);
            if wanted(&spans) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let names: Vec<(&str, i32)> = spans.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        let by_id: HashMap<Vec<u8>, &Span> = spans.iter().map(|s| (s.span_id.clone(), s)).collect();
        let find = |name: &str, kind: i32| {
            spans
                .iter()
                .find(|s| s.name == name && s.kind == kind)
                .unwrap_or_else(|| panic!("no {name} span of kind {kind} in {names:?}"))
        };

        let root = find("/openApi/getSmsCode", SERVER);
        assert!(root.parent_span_id.is_empty(), "the gateway span is the root");
        let to_auth = find("cashloan.auth.v1.Auth/SendSmsCode", CLIENT);
        assert_eq!(to_auth.parent_span_id, root.span_id);
        let in_auth = find("cashloan.auth.v1.Auth/SendSmsCode", SERVER);
        assert_eq!(in_auth.parent_span_id, to_auth.span_id);
        let to_message = find("cashloan.message.v1.Message/SendVerificationCode", CLIENT);
        assert!(descends(&by_id, to_message, in_auth));
        let in_message = find("cashloan.message.v1.Message/SendVerificationCode", SERVER);
        assert_eq!(in_message.parent_span_id, to_message.span_id);
        let sms = find("sms.send", CLIENT);
        assert!(descends(&by_id, sms, in_message));
        assert!(
            spans
                .iter()
                .any(|s| s.name == "db" && descends(&by_id, s, in_message)),
            "the SMS outbox row"
        );
        if with_redis {
            let in_auth_redis = spans
                .iter()
                .filter(|s| s.kind == CLIENT && descends(&by_id, s, in_auth))
                .filter(|s| ["GET", "SET", "GETDEL", "INCR"].contains(&s.name.as_str()))
                .count();
            assert!(in_auth_redis >= 2, "captcha and code in Redis: {names:?}");
            assert!(
                spans
                    .iter()
                    .any(|s| s.name == "SET" && s.parent_span_id == root.span_id),
                "the replay guard"
            );
        }

        // Nothing secret anywhere: not in this trace, not in any exported span, not in a log line.
        let everything: Vec<String> = receiver.0.lock().unwrap().iter().map(span_text).collect();
        let log_text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        for secret in [code.as_str(), mobile.as_str(), PASSWORD, password.as_str()] {
            assert!(
                !everything.iter().any(|t| t.contains(secret)),
                "a span holds {secret}"
            );
            assert!(!log_text.contains(secret), "a log line holds {secret}");
        }
        assert!(
            log_text.contains(&trace_id),
            "log lines carry the trace id: {log_text}"
        );
        assert!(
            log_text.contains(&hex::encode(&sms.span_id)),
            "and the ids of their spans: {log_text}"
        );

        // A whole loan puts the session token, the ID and card numbers and a contact's phone
        // through every service and the payment channel: none of them reaches a span or a log.
        let secrets = loan_journey(&app, &token).await;
        let flushing = telemetry.clone();
        tokio::task::spawn_blocking(move || flushing.flush())
            .await
            .unwrap();
        let everything: Vec<String> = receiver.0.lock().unwrap().iter().map(span_text).collect();
        let log_text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        for secret in [token.as_str()]
            .into_iter()
            .chain(secrets.iter().map(String::as_str))
        {
            assert!(
                !everything.iter().any(|t| t.contains(secret)),
                "a span holds {secret}"
            );
            assert!(!log_text.contains(secret), "a log line holds {secret}");
        }
        app.stop().await;
    }
}

/// Verification, an application, its approval and payout, and its repayment, as one user with
/// `token`; returns the personal numbers it sent: the ID number, the card number, the card's
/// reserved mobile and a contact's phone.
async fn loan_journey(app: &TestApp, token: &str) -> Vec<String> {
    let id = harness::id_card_aged(40, &format!("{:03}", rand::random_range(100..990)));
    let card = harness::bank_card("6217", "1234", 19);
    let (reserved, contact) = (random_mobile(), random_mobile());
    let profile = json!({
        "education": "3", "martialStatus": "2", "registry_province": "110000", "registry_city": "110100",
        "registry_detail": "朝阳区某街道1号", "house_address_province": "310000", "house_address_city": "310100",
        "house_address_county": "310115", "house_address_detail": "浦东新区某路2号", "residenceLength": "3",
        "industryType": "14", "work_address_province": "310000", "work_address_city": "310100",
        "work_address_county": "310104", "work_address_detail": "徐汇区某大厦10层", "workingHours": "05",
        "currentWorkInfo": "某某科技有限公司", "currentPosition": "工程师", "monthIncome": 12000
    });
    app.accept_consents(token).await;
    let steps = [
        (
            "/appCommonApi/authRealNameInfo",
            json!({"realName": "王小明", "idCardNo": id}),
        ),
        ("/appCommonApi/authUserMobile", json!({})),
        (
            "/appCommonApi/authUserBankCard",
            json!({"bankCardNo": card, "mobile": reserved}),
        ),
        ("/appCommonApi/savePerfectUserInfo", profile),
        (
            "/appCommonApi/saveOrUpdateRelShip",
            json!({"operType": "add", "relType": "1", "realName": "王父", "phoneNum": contact}),
        ),
        ("/appCommonApi/getAuthenticationStatus", json!({})),
    ];
    for (path, body) in steps {
        let reply = app.call_as(token, path, body).await;
        assert_eq!(reply["responseCode"], "0000", "{path}: {reply}");
    }
    let products = app.call("/openCommonApi/getLoanProductList", json!({})).await;
    let product = products["resultSet"][1]["id"].as_str().unwrap().to_owned();
    let applied = app
        .call_as(token, "/appCommonApi/loanProductApply", json!({"productId": product, "amount": "500.00",
            "termCount": "14", "termUnit": "1", "repayTermCount": "1", "repayTermUnit": "1", "repayType": "1",
            "interestRate": "0.36", "longitude": "116.40", "latitude": "39.90", "orderId": "o-1", "purpose": "21",
            "otherChannels": "01", "phonebookList": [{"contactName": "张三", "contactPhone": contact}]}))
        .await;
    assert_eq!(applied["responseCode"], "20005000", "{applied}");
    let list = app
        .call_as(token, "/appCommonApi/getLoanApplyInfoList", json!({}))
        .await;
    let apply_id = list["resultSet"][0]["id"].as_str().unwrap().to_owned();
    let approved = app
        .admin_call(
            "/admin/loans/review",
            json!({"applyId": apply_id, "decision": "approve"}),
        )
        .await;
    assert_eq!(approved["responseCode"], "0000", "{approved}");
    let paid_out = app
        .admin_call("/admin/loans/disburse", json!({"applyId": apply_id}))
        .await;
    assert_eq!(paid_out["responseCode"], "0000", "{paid_out}");
    let plan = app
        .call_as(
            token,
            "/appCommonApi/getLoanApplyRepayList",
            json!({"loanProductApplyId": apply_id}),
        )
        .await;
    let period = plan["resultSet"][0]["repayId"].as_str().unwrap().to_owned();
    let repaid = app
        .call_as(
            token,
            "/appCommonApi/gotoRepayment",
            json!({"id": period, "repayType": "all"}),
        )
        .await;
    assert_eq!(repaid["responseCode"], "0000", "{repaid}");
    vec![id, card, reserved, contact]
}
