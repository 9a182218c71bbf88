//! The operator console (API.md §7) on the admin listener: one page, its ES modules (a core and a
//! module a page) and its style, all inside the binary, under a Content-Security-Policy that
//! allows nothing else; and the
//! session calls the page makes (log in, who am I, log out, and an enrolment link's open and
//! completion). Everything else the page does goes
//! through the `/admin/*` calls with the session cookie and its CSRF token.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::auth::v1 as auth;
use cashloan_proto::Reason;
use serde_json::{json, Map, Value};

use crate::admin::{self, actor, Actor};
use crate::codes::{self, from_status, Failures};
use crate::envelope::{self, Fields, Outcome, Success};
use crate::state::Gateway;

const PAGE: &str = include_str!("../console/index.html");
/// The console's modules by path under `/console/`: `app.js` imports the rest.
const MODULES: &[(&str, &str)] = &[
    ("app.js", include_str!("../console/app.js")),
    ("core.js", include_str!("../console/core.js")),
    ("session.js", include_str!("../console/session.js")),
    (
        "pages/approvals.js",
        include_str!("../console/pages/approvals.js"),
    ),
    ("pages/audit.js", include_str!("../console/pages/audit.js")),
    ("pages/books.js", include_str!("../console/pages/books.js")),
    (
        "pages/collections.js",
        include_str!("../console/pages/collections.js"),
    ),
    ("pages/enrol.js", include_str!("../console/pages/enrol.js")),
    ("pages/messages.js", include_str!("../console/pages/messages.js")),
    (
        "pages/operators.js",
        include_str!("../console/pages/operators.js"),
    ),
    ("pages/payouts.js", include_str!("../console/pages/payouts.js")),
    ("pages/products.js", include_str!("../console/pages/products.js")),
    ("pages/review.js", include_str!("../console/pages/review.js")),
    ("pages/users.js", include_str!("../console/pages/users.js")),
];
const STYLE: &str = include_str!("../console/console.css");

/// Nothing from elsewhere, no inline script or style, no framing, forms post only here.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", web::get().to(page))
        .route("/console/", web::get().to(page))
        .route("/console/console.css", web::get().to(style))
        .route("/console/{module:.*\\.js}", web::get().to(script))
        .route("/console/api/login", web::post().to(login))
        .route("/console/api/me", web::get().to(me))
        .route("/console/api/logout", web::post().to(logout))
        .route("/console/api/enrolment", web::post().to(open_enrolment))
        .route("/console/api/enrol", web::post().to(enrol));
}

fn hardened(mut response: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    response
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

async fn page() -> HttpResponse {
    hardened(HttpResponse::Ok())
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

async fn script(module: web::Path<String>) -> HttpResponse {
    match MODULES.iter().find(|(path, _)| *path == module.as_str()) {
        Some((_, text)) => hardened(HttpResponse::Ok())
            .content_type("text/javascript; charset=utf-8")
            .body(*text),
        None => hardened(HttpResponse::NotFound()).finish(),
    }
}

async fn style() -> HttpResponse {
    hardened(HttpResponse::Ok())
        .content_type("text/css; charset=utf-8")
        .body(STYLE)
}

fn envelope_json(outcome: Outcome) -> Value {
    Value::Object(envelope::render(outcome, None))
}

pub(crate) const LOGIN: Failures = Failures {
    specific: &[
        (Reason::WrongPassword, "20009001", "用户名或密码错误"),
        (Reason::AccountLocked, "20009002", "账号已锁定,请稍后再试"),
    ],
    fallback: ("99999999", "系统错误"),
};

fn session_json(session: &auth::OperatorSession) -> Value {
    let operator = session.operator.clone().unwrap_or_default();
    json!({
        "csrf": session.csrf,
        "operator": {
            "username": operator.username,
            "displayName": operator.display_name,
            "roles": operator.roles,
        },
    })
}

fn session_cookie(gw: &Gateway, value: String) -> Cookie<'static> {
    Cookie::build(actor::SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(gw.config.console_secure_cookie)
        .finish()
}

/// The answer to a sessionless call from another site (403).
fn from_another_site() -> HttpResponse {
    hardened(HttpResponse::build(actix_web::http::StatusCode::FORBIDDEN))
        .json(envelope_json(Err(codes::forged())))
}

/// A body's JSON object, if it is one.
fn object_of(body: &Bytes) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// Username, password and, for operators with a second factor, the TOTP code. Recorded in the
/// audit log under the name tried, secrets masked.
async fn login(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    // Login CSRF: another site must not log a browser into an account of its choosing.
    if actor::cross_site(&req) {
        return from_another_site();
    }
    let parsed = object_of(&body);
    let tried: String = parsed
        .as_ref()
        .and_then(|m| m.get("username"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .chars()
        .take(32)
        .collect();
    let ticket = match admin::record(&gw, &req, (&tried, ""), parsed.as_ref(), &body).await {
        Ok(ticket) => ticket,
        Err(failure) => return hardened(HttpResponse::Ok()).json(envelope_json(Err(failure))),
    };
    let mut cookie = None;
    let outcome: Outcome = async {
        let body = parsed.ok_or_else(codes::bad_request)?;
        let f = Fields(&body);
        let request = auth::OperatorLoginRequest {
            username: f.text("username")?.to_owned(),
            password: f.text("password")?.to_owned(),
            totp: f.optional_text("totp")?.to_owned(),
            client_ip: crate::client_ip::of_request(&req, &gw.config.trusted_proxies),
        };
        let session = gw
            .auth
            .clone()
            .operator_login(request)
            .await
            .map_err(|s| from_status(&s, &LOGIN))?
            .into_inner();
        cookie = Some(session_cookie(&gw, session.token.clone()));
        Ok(Success::new("0000", "登录成功", session_json(&session)))
    }
    .await;
    admin::finish(&gw, ticket, &outcome);
    let mut response = hardened(HttpResponse::Ok());
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    response.json(envelope_json(outcome))
}

pub(crate) const ENROLMENT: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// The two calls of an enrolment link's page: no session, never from another site, audited under
/// `enrolment` with the token, password and code masked.
async fn enrolment_call<F, Fut>(gw: Data<Gateway>, req: HttpRequest, body: Bytes, action: F) -> HttpResponse
where
    F: FnOnce(Data<Gateway>, Map<String, Value>) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    if actor::cross_site(&req) {
        return from_another_site();
    }
    let parsed = object_of(&body);
    let ticket = match admin::record(&gw, &req, ("enrolment", ""), parsed.as_ref(), &body).await {
        Ok(ticket) => ticket,
        Err(failure) => return hardened(HttpResponse::Ok()).json(envelope_json(Err(failure))),
    };
    let outcome = match parsed {
        Some(body) => action(gw.clone(), body).await,
        None => Err(codes::bad_request()),
    };
    admin::finish(&gw, ticket, &outcome);
    hardened(HttpResponse::Ok()).json(envelope_json(outcome))
}

/// `{token}` → `{username, displayName, totpUri, expiresAt}`; a new second factor each time.
async fn open_enrolment(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    enrolment_call(gw, req, body, |gw, body| async move {
        let token = Fields(&body).text("token")?.to_owned();
        let opened = gw
            .auth
            .clone()
            .open_enrolment(auth::EnrolmentRef { token })
            .await
            .map_err(|s| from_status(&s, &ENROLMENT))?
            .into_inner();
        Ok(Success::new(
            "0000",
            "成功",
            json!({
                "username": opened.username,
                "displayName": opened.display_name,
                "totpUri": opened.totp_uri,
                "expiresAt": cashloan_runtime::clock::format_datetime_cst(opened.expires_at),
            }),
        ))
    })
    .await
}

/// `{token, password, totp}`: the password (and second factor) set, the link spent.
async fn enrol(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    enrolment_call(gw, req, body, |gw, body| async move {
        let f = Fields(&body);
        let request = auth::EnrolmentCompletion {
            token: f.text("token")?.to_owned(),
            password: f.text("password")?.to_owned(),
            totp: f.optional_text("totp")?.to_owned(),
        };
        let done = gw
            .auth
            .clone()
            .complete_enrolment(request)
            .await
            .map_err(|s| from_status(&s, &ENROLMENT))?
            .into_inner();
        Ok(Success::new(
            "0000",
            "设置成功，请登录",
            json!({"username": done.username}),
        ))
    })
    .await
}

async fn current(gw: &Gateway, req: &HttpRequest) -> Result<Actor, HttpResponse> {
    actor::authenticate(gw, req).await.map_err(|r| {
        let status =
            actix_web::http::StatusCode::from_u16(r.status).unwrap_or(actix_web::http::StatusCode::FORBIDDEN);
        hardened(HttpResponse::build(status)).json(envelope_json(Err(r.failure)))
    })
}

/// The page's first call: who is logged in, and the CSRF token its changes carry.
async fn me(gw: Data<Gateway>, req: HttpRequest) -> HttpResponse {
    let actor = match current(&gw, &req).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let result = json!({
        "csrf": actor.csrf,
        "operator": { "username": actor.name, "roles": actor.roles },
    });
    hardened(HttpResponse::Ok()).json(envelope_json(Ok(Success::new("0000", "成功", result))))
}

async fn logout(gw: Data<Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let actor = match current(&gw, &req).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let ticket = match admin::record(&gw, &req, (&actor.name, &actor.role_label()), None, &body).await {
        Ok(ticket) => ticket,
        Err(failure) => return hardened(HttpResponse::Ok()).json(envelope_json(Err(failure))),
    };
    let token = req
        .cookie(actor::SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let ended = gw
        .auth
        .clone()
        .operator_logout(auth::OperatorSessionRef { token })
        .await;
    let outcome: Outcome = match ended {
        Ok(_) => Ok(Success::empty("0000", "已退出")),
        Err(status) => Err(from_status(&status, &admin::ADMIN)),
    };
    admin::finish(&gw, ticket, &outcome);
    if outcome.is_err() {
        return hardened(HttpResponse::Ok()).json(envelope_json(outcome));
    }
    let mut gone = session_cookie(&gw, String::new());
    gone.make_removal();
    hardened(HttpResponse::Ok())
        .cookie(gone)
        .json(envelope_json(outcome))
}
