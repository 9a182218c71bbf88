//! `POST /notify/payment` (API.md §9): the payment channel's notifications, signed by the channel
//! rather than by an app, passed whole to loan-service, which checks and settles them. `SUCCESS`
//! only once that is committed; 400 for a notification that is not the channel's; 500 otherwise,
//! so the channel sends it again.

use actix_web::web::{Bytes, Data};
use actix_web::HttpResponse;
use cashloan_proto::loan::v1::NotifyRequest;
use cashloan_proto::Reason;
use cashloan_runtime::grpc::reason_of;

use crate::state::Gateway;

pub async fn payment(gw: Data<Gateway>, body: Bytes) -> HttpResponse {
    let request = NotifyRequest { body: body.to_vec() };
    match gw.loan.clone().notify(request).await {
        Ok(_) => HttpResponse::Ok().content_type("text/plain").body("SUCCESS"),
        Err(status) if reason_of(&status) == Some(Reason::ChannelSignatureInvalid) => {
            tracing::warn!("payment notification refused: signature");
            HttpResponse::BadRequest().content_type("text/plain").body("FAIL")
        }
        Err(status) => {
            tracing::error!(code = ?status.code(), "payment notification not settled; the channel resends it");
            HttpResponse::InternalServerError()
                .content_type("text/plain")
                .body("FAIL")
        }
    }
}
