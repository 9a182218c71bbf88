//! The API described for the apps' developers: OpenAPI 3.1 documents built here, beside the route
//! tables they describe (a test holds the two to the same paths), served as `/openapi.json` — the
//! app API on the public port, the admin API on the admin port — with a reference page that
//! renders them (Redoc, vendored from npm, served from the binary).

mod admin;
mod app;
mod schema;

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::state::Gateway;

const PAGE: &str = include_str!("../../reference/index.html");
const STYLE: &str = include_str!("../../reference/reference.css");
const REDOC: &str = include_str!("../../reference/vendor/redoc.standalone.js");

/// Redoc sets styles inline and runs its search in a worker made from a blob; nothing is loaded
/// from elsewhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
font-src 'self' data:; connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Which API a listener describes.
#[derive(Clone, Copy)]
enum Api {
    App,
    Admin,
}

fn document(api: Api) -> &'static [u8] {
    static APP: OnceLock<Vec<u8>> = OnceLock::new();
    static ADMIN: OnceLock<Vec<u8>> = OnceLock::new();
    // Relative to where the document is read from, so it fits any host and port.
    let build = |doc: serde_json::Value| serde_json::to_vec_pretty(&doc).unwrap_or_default();
    match api {
        Api::App => APP.get_or_init(|| build(app::document("/"))),
        Api::Admin => ADMIN.get_or_init(|| build(admin::document("/"))),
    }
}

/// `/openapi.json` and `/reference` of the public port.
pub fn app_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(|| served(Api::App)));
    reference_routes(cfg);
}

/// `/openapi.json` and `/reference` of the admin port, for the token or an operator's session
/// only: the admin API's map is no business of anyone else's.
pub fn admin_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(admin_document))
        .route("/reference", web::get().to(admin_reference));
    asset_routes(cfg);
}

async fn signed_in(gw: &Gateway, req: &HttpRequest) -> Result<(), HttpResponse> {
    crate::admin::actor::authenticate(gw, req)
        .await
        .map(|_| ())
        .map_err(|r| {
            let status = actix_web::http::StatusCode::from_u16(r.status)
                .unwrap_or(actix_web::http::StatusCode::UNAUTHORIZED);
            HttpResponse::build(status).json(serde_json::Value::Object(crate::envelope::render(
                Err(r.failure),
                None,
            )))
        })
}

async fn admin_document(gw: Data<Gateway>, req: HttpRequest) -> HttpResponse {
    match signed_in(&gw, &req).await {
        Ok(()) => HttpResponse::Ok()
            .content_type("application/json")
            .body(document(Api::Admin)),
        Err(refused) => refused,
    }
}

async fn admin_reference(gw: Data<Gateway>, req: HttpRequest) -> HttpResponse {
    match signed_in(&gw, &req).await {
        Ok(()) => asset("text/html; charset=utf-8", PAGE).await,
        Err(refused) => refused,
    }
}

fn reference_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/reference",
        web::get().to(|| asset("text/html; charset=utf-8", PAGE)),
    );
    asset_routes(cfg);
}

fn asset_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/reference/reference.css",
        web::get().to(|| asset("text/css; charset=utf-8", STYLE)),
    )
    .route(
        "/reference/redoc.standalone.js",
        web::get().to(|| asset("text/javascript; charset=utf-8", REDOC)),
    );
}

async fn served(api: Api) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(document(api))
}

async fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The app document and the route table name the same paths (the H5 pages of §6.6, routed
    /// beside the table, included).
    #[test]
    fn the_app_document_describes_every_route_and_nothing_else() {
        let mut routed: BTreeSet<String> = crate::routes::table()
            .keys()
            .map(std::string::ToString::to_string)
            .collect();
        routed.extend(["/h5/contract/{token}", "/h5/consent/{consentType}/{version}"].map(String::from));
        let described: BTreeSet<String> = app::paths().into_iter().collect();
        assert_eq!(described, routed);
    }

    /// The admin document and the role table (which a test holds to the admin routes) name the
    /// same paths, with the console's own.
    #[test]
    fn the_admin_document_describes_every_admin_route_and_nothing_else() {
        let mut routed: BTreeSet<String> = crate::admin::actor::ruled_paths().map(String::from).collect();
        routed.extend(
            [
                "/console/api/login",
                "/console/api/logout",
                "/console/api/me",
                "/console/api/enrolment",
                "/console/api/enrol",
            ]
            .map(String::from),
        );
        let described: BTreeSet<String> = admin::paths().into_iter().collect();
        assert_eq!(described, routed);
    }

    #[test]
    fn each_signed_call_lists_its_codes_and_requires_the_signature_fields() {
        let doc: serde_json::Value = serde_json::from_slice(document(Api::App)).unwrap();
        let quote = &doc["paths"]["/appCommonApi/getLoanApplyConfirmInfo"]["post"];
        let body = &quote["requestBody"]["content"]["application/json"]["schema"];
        for field in ["timestamp", "nonce", "sign", "productId", "amount"] {
            assert!(
                body["required"].as_array().unwrap().contains(&field.into()),
                "{field}"
            );
        }
        let answer = &quote["responses"]["200"]["content"]["application/json"]["schema"]["allOf"][1];
        let codes = answer["properties"]["responseCode"]["enum"].as_array().unwrap();
        for code in ["20004016", "99990004", "99990001", "99999999"] {
            assert!(codes.contains(&code.into()), "{code}");
        }
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
