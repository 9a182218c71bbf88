//! `/admin/contracts/verify` (API.md §7): every stored contract document of one loan, or of all,
//! re-hashed; the ones that are not what the borrower accepted are listed; both evidence chains
//! (applications' in loan-service, consents' in auth-service, decisions' in risk-service) walked.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use cashloan_proto::loan::v1 as loan;
use serde_json::json;

use super::admin;
use super::payments::PAYMENTS;
use crate::codes::from_status;
use crate::envelope::{Fields, Success};

pub(super) async fn verify(gw: Data<crate::state::Gateway>, req: HttpRequest, body: Bytes) -> HttpResponse {
    admin(gw, req, body, |gw, body, _| async move {
        let request = loan::VerifyContractsRequest {
            application_id: Fields(&body).optional_text("applyId")?.to_owned(),
        };
        let reply = gw
            .loan
            .clone()
            .verify_contracts(request)
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        // auth-service keeps its own chain: the consents and the operators' audit log.
        let consents = gw
            .auth
            .clone()
            .verify_evidence(cashloan_proto::auth::v1::Empty {})
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        // And risk-service's: the decisions.
        let decisions = gw
            .risk
            .clone()
            .verify_evidence(cashloan_proto::risk::v1::Empty {})
            .await
            .map_err(|s| from_status(&s, &PAYMENTS))?
            .into_inner();
        let failures: Vec<_> = reply
            .failures
            .iter()
            .map(|f| {
                json!({"applyId": f.application_id, "documentId": f.document_id, "kind": f.kind,
                    "reason": f.reason})
            })
            .collect();
        Ok(Success::new(
            "0000",
            "操作成功",
            json!({"checked": reply.checked, "failures": failures,
                "evidenceChecked": reply.evidence_checked, "evidenceBroken": reply.evidence_broken,
                "evidenceStamps": reply.evidence_stamps,
                "authEvidenceChecked": consents.checked, "authEvidenceBroken": consents.broken,
                "authEvidenceStamps": consents.stamps,
                "riskEvidenceChecked": decisions.records, "riskEvidenceBroken": decisions.broken,
                "riskEvidenceStamps": decisions.stamps}),
        ))
    })
    .await
}
