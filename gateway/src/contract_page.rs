//! `GET /h5/contract/{token}` (API.md §6.6): the page a contract link opens in the app's web
//! view — the stored document as the borrower accepted it, their numbers masked. Any link that is
//! not genuine, current and its owner's is a bare 404 that says nothing of why.

use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use cashloan_proto::loan::v1::GetContractPageRequest;
use tonic::Code;

use crate::state::Gateway;

/// The documents carry their own inline styles and nothing else: no script, no request elsewhere.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub async fn show(gw: Data<Gateway>, token: Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if token.len() > 600 {
        return not_found();
    }
    match gw
        .loan
        .clone()
        .get_contract_page(GetContractPageRequest { token })
        .await
    {
        Ok(page) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Content-Security-Policy", POLICY))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header(("Cache-Control", "no-store"))
            .body(page.into_inner().html),
        Err(status) if status.code() == Code::NotFound => not_found(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "contract page unavailable");
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
