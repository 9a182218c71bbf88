//! Checks that the stored contract documents are what borrowers accepted (API.md §7
//! `/admin/contracts/verify`): each body decrypts and hashes to the SHA-256 stored beside it, the
//! lender's signature over that hash verifies, and the evidence chain of their acceptance holds
//! from its first record to its head.

use cashloan_proto::loan::v1 as pb;

use crate::contracts::signer::DocumentSigner;
use crate::error::LoanError;
use crate::store::DocumentRow;
use crate::LoanCore;
use cashloan_runtime::evidence::sha256_hex;

/// Why a stored document fails, if it does.
pub fn failure(
    document: &DocumentRow,
    plain: Option<&str>,
    signer: &dyn DocumentSigner,
) -> Option<&'static str> {
    match plain {
        None => Some("unreadable"),
        Some(text) if sha256_hex(text.as_bytes()) != document.sha256 => Some("altered"),
        Some(_) if !signer.verify(&document.signer, &document.sha256, &document.signature) => {
            Some("unsigned")
        }
        Some(_) => None,
    }
}

impl LoanCore {
    pub async fn verify_contracts(
        &self,
        request: &pb::VerifyContractsRequest,
    ) -> Result<pb::VerifyContractsReply, LoanError> {
        let application = Some(request.application_id.clone()).filter(|a| !a.is_empty());
        let documents = self.store.documents(application).await?;
        let failures: Vec<pb::ContractFailure> = documents
            .iter()
            .filter_map(|d| {
                let plain = self.vault.decrypt(&d.body).ok();
                failure(d, plain.as_deref(), self.issuer.signer.as_ref()).map(|reason| pb::ContractFailure {
                    application_id: d.application_id.clone(),
                    document_id: d.id.clone(),
                    kind: d.kind.clone(),
                    reason: reason.into(),
                })
            })
            .collect();
        if !failures.is_empty() {
            tracing::error!(
                failures = failures.len(),
                "stored contract documents fail verification"
            );
        }
        let chain = self.stamping.verify(self.store.pool()).await?;
        if !chain.broken.is_empty() {
            tracing::error!(at = %chain.broken, "the evidence chain is broken");
        }
        Ok(pb::VerifyContractsReply {
            checked: documents.len() as u32,
            failures,
            evidence_checked: chain.records,
            evidence_broken: chain.broken,
            evidence_stamps: chain.stamps,
        })
    }
}
