//! The H5 pages of the public port (API.md §6.6) that the app opens in a web view.
//!
//! `GET /h5/contract/{token}`: the stored document as the borrower accepted it, their numbers
//! masked. Any link that is not genuine, current and its owner's is a bare 404 that says nothing
//! of why. `GET /h5/consent/{type}/{version}`: a published consent text, the same for everyone.

use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use cashloan_proto::auth::v1::ConsentTextRequest;
use cashloan_proto::loan::v1::GetContractPageRequest;
use tonic::{Code, Status};

use crate::state::Gateway;

/// The documents carry their own inline styles and nothing else: no script, no request elsewhere.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub async fn contract(gw: Data<Gateway>, token: Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if token.len() > 600 {
        return not_found();
    }
    let page = gw
        .loan
        .clone()
        .get_contract_page(GetContractPageRequest { token })
        .await;
    answer(page.map(|p| p.into_inner().html), "no-store")
}

pub async fn consent(gw: Data<Gateway>, path: Path<(String, String)>) -> HttpResponse {
    let (consent_type, version) = path.into_inner();
    if consent_type.len() > 32 || version.len() > 16 {
        return not_found();
    }
    let text = gw
        .auth
        .clone()
        .get_consent_text(ConsentTextRequest {
            consent_type,
            version,
        })
        .await;
    // A published version never changes.
    answer(text.map(|t| t.into_inner().html), "public, max-age=3600")
}

fn answer(page: Result<String, Status>, cache: &'static str) -> HttpResponse {
    match page {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Content-Security-Policy", POLICY))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header(("Cache-Control", cache))
            .body(html),
        Err(status) if status.code() == Code::NotFound => not_found(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "page unavailable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("")
        }
    }
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("")
}
