//! Who makes an admin call (API.md §7): the bearer token (automation, first set-up, emergencies),
//! or an operator through the console's session cookie — in which case every call must carry
//! the session's CSRF token and must not come from another site — and what their roles allow.

use actix_web::http::{header, Method};
use actix_web::HttpRequest;
use cashloan_proto::auth::v1 as auth;
use subtle::ConstantTimeEq;
use tonic::Code;

use crate::codes::{self, Failure};
use crate::state::Gateway;

/// The console session's cookie.
pub const SESSION_COOKIE: &str = "console_session";
/// The header a console page sends its session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Clone, Debug)]
pub struct Actor {
    /// The operator's username, or `token`.
    pub name: String,
    /// The operator's id; empty for the token.
    pub id: String,
    pub roles: Vec<String>,
    pub csrf: String,
}

impl Actor {
    fn token() -> Self {
        Self {
            name: "token".into(),
            id: String::new(),
            roles: Vec::new(),
            csrf: String::new(),
        }
    }

    pub fn is_token(&self) -> bool {
        self.id.is_empty()
    }

    /// As the audit log names the role.
    pub fn role_label(&self) -> String {
        match self.is_token() {
            true => "token".into(),
            false => self.roles.join(","),
        }
    }

    pub fn from_session(session: auth::OperatorSession) -> Option<Self> {
        let operator = session.operator?;
        Some(Self {
            name: operator.username,
            id: operator.id,
            roles: operator.roles,
            csrf: session.csrf,
        })
    }

    /// Whether the actor's roles allow the admin path; the token may do everything but confirm
    /// what needs a second person.
    pub fn may(&self, path: &str) -> bool {
        if self.is_token() {
            return true;
        }
        allowed_roles(path).is_some_and(|allowed| self.roles.iter().any(|r| allowed.contains(&r.as_str())))
    }
}

/// Which roles may call each admin path; a path not listed is refused to every operator.
const RULES: &[(&str, &[&str])] = &[
    ("/admin/loans/list", &["reviewer", "finance", "auditor"]),
    ("/admin/loans/detail", &["reviewer", "finance", "auditor"]),
    (
        "/admin/loans/overview",
        &["reviewer", "finance", "admin", "auditor"],
    ),
    ("/admin/collections/list", &["finance", "admin", "auditor"]),
    ("/admin/collections/note", &["finance", "admin"]),
    ("/admin/loans/review", &["reviewer"]),
    ("/admin/loans/disburse", &["finance"]),
    ("/admin/users/update", &["admin"]),
    ("/admin/users/detail", &["admin", "auditor"]),
    ("/admin/products/upsert", &["admin"]),
    ("/admin/products/list", &["admin", "auditor"]),
    ("/admin/messages/system", &["admin"]),
    ("/admin/appVersions/publish", &["admin"]),
    ("/admin/sms/outbox", &["admin"]),
    ("/admin/payments/list", &["finance", "auditor"]),
    ("/admin/payments/settle", &["finance"]),
    ("/admin/payments/resolve", &["finance"]),
    ("/admin/reconciliation/run", &["finance"]),
    ("/admin/reconciliation/mismatches", &["finance", "auditor"]),
    ("/admin/ledger/fund", &["finance"]),
    ("/admin/ledger/trialBalance", &["finance", "auditor"]),
    ("/admin/contracts/verify", &["finance", "admin", "auditor"]),
    ("/admin/audit/list", &["admin", "auditor"]),
    (
        "/admin/risk/decisions/get",
        &["reviewer", "risk", "admin", "auditor"],
    ),
    ("/admin/risk/decisions/list", &["risk", "admin", "auditor"]),
    ("/admin/risk/stats", &["risk", "admin", "auditor"]),
    ("/admin/risk/rulesets/list", &["risk", "admin", "auditor"]),
    ("/admin/risk/rulesets/get", &["risk", "admin", "auditor"]),
    ("/admin/risk/rulesets/save", &["risk"]),
    ("/admin/risk/rulesets/replay", &["risk"]),
    ("/admin/risk/rulesets/activate", &["risk"]),
    ("/admin/reveal", &["reviewer", "finance", "admin"]),
    (
        "/admin/approvals/list",
        &["reviewer", "finance", "admin", "auditor", "risk"],
    ),
    // And the roles of the action decided (approvals.rs).
    (
        "/admin/approvals/decide",
        &["reviewer", "finance", "admin", "risk"],
    ),
    ("/admin/operators/list", &["admin"]),
    ("/admin/operators/create", &["admin"]),
    ("/admin/operators/update", &["admin"]),
];

pub fn allowed_roles(path: &str) -> Option<&'static [&'static str]> {
    RULES.iter().find(|(p, _)| *p == path).map(|(_, roles)| *roles)
}

#[cfg(test)]
pub fn ruled_paths() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(p, _)| *p)
}

/// Why a call is refused before it is recorded, with the HTTP status it is answered with.
pub struct Refusal {
    pub status: u16,
    pub failure: Failure,
}

fn refused(status: u16, failure: Failure) -> Refusal {
    Refusal { status, failure }
}

fn header_text(req: &HttpRequest, name: impl header::AsHeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A request a page of another site made the browser send: `Sec-Fetch-Site` says so, or its
/// `Origin` names another host than the one addressed.
pub fn cross_site(req: &HttpRequest) -> bool {
    if header_text(req, "sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return true;
    }
    let Some(origin) = header_text(req, header::ORIGIN) else {
        return false;
    };
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    header_text(req, header::HOST).is_none_or(|host| !host.eq_ignore_ascii_case(origin_host))
}

fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The actor of an admin call, or why it is refused.
pub async fn authenticate(gw: &Gateway, req: &HttpRequest) -> Result<Actor, Refusal> {
    if let Some(presented) = header_text(req, header::AUTHORIZATION) {
        let expected = gw.config.admin_token.as_deref().unwrap_or_default();
        let presented = presented.strip_prefix("Bearer ").unwrap_or_default();
        if !expected.is_empty() && equal(presented, expected) {
            return Ok(Actor::token());
        }
        tracing::warn!(path = req.path(), "admin call without a valid token");
        return Err(refused(401, Failure::new("99990004", "管理令牌无效")));
    }
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Err(refused(401, codes::not_logged_in()));
    };
    // Checked before the session is looked up: a forged request learns nothing, not even
    // whether the session is alive.
    if cross_site(req) {
        tracing::warn!(path = req.path(), "cross-site console request refused");
        return Err(refused(403, codes::forged()));
    }
    let session = gw
        .auth
        .clone()
        .resolve_operator_session(auth::OperatorSessionRef {
            token: cookie.value().to_owned(),
        })
        .await;
    let actor = match session {
        Ok(s) => Actor::from_session(s.into_inner()).ok_or_else(|| refused(401, codes::not_logged_in()))?,
        Err(s) if s.code() == Code::Unauthenticated => return Err(refused(401, codes::not_logged_in())),
        Err(_) => return Err(refused(503, codes::busy())),
    };
    if req.method() != Method::GET {
        let sent = header_text(req, CSRF_HEADER).unwrap_or_default();
        if !equal(sent, &actor.csrf) {
            tracing::warn!(path = req.path(), operator = %actor.name, "console change without its CSRF token");
            return Err(refused(403, codes::forged()));
        }
    }
    Ok(actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn operator(roles: &[&str]) -> Actor {
        Actor {
            name: "li.si".into(),
            id: "op-1".into(),
            roles: roles.iter().map(std::string::ToString::to_string).collect(),
            csrf: String::new(),
        }
    }

    #[test]
    fn roles_allow_their_own_work_only() {
        let reviewer = operator(&["reviewer"]);
        assert!(reviewer.may("/admin/loans/review"));
        assert!(!reviewer.may("/admin/loans/disburse"));
        assert!(!reviewer.may("/admin/audit/list"));
        let finance = operator(&["finance"]);
        assert!(finance.may("/admin/loans/disburse"));
        assert!(!finance.may("/admin/loans/review"));
        let auditor = operator(&["auditor"]);
        assert!(auditor.may("/admin/audit/list"));
        assert!(!auditor.may("/admin/ledger/fund"), "read-only");
        assert!(
            !operator(&["admin"]).may("/admin/unknown"),
            "refused unless listed"
        );
        assert!(Actor::token().may("/admin/loans/disburse"));
    }

    #[test]
    fn another_sites_requests_are_cross_site() {
        let same = TestRequest::post()
            .insert_header(("host", "127.0.0.1:9998"))
            .insert_header(("origin", "http://127.0.0.1:9998"))
            .to_http_request();
        assert!(!cross_site(&same));
        let other = TestRequest::post()
            .insert_header(("host", "127.0.0.1:9998"))
            .insert_header(("origin", "http://evil.example"))
            .to_http_request();
        assert!(cross_site(&other));
        let fetch = TestRequest::post()
            .insert_header(("host", "127.0.0.1:9998"))
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert!(cross_site(&fetch));
        let opaque = TestRequest::post()
            .insert_header(("host", "127.0.0.1:9998"))
            .insert_header(("origin", "null"))
            .to_http_request();
        assert!(cross_site(&opaque), "a sandboxed or file page");
        let tool = TestRequest::post().insert_header(("host", "x")).to_http_request();
        assert!(!cross_site(&tool), "no browser headers: curl and tests");
    }
}
