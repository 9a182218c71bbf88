//! Checks that the stored contract documents are what borrowers accepted (API.md §7
//! `/admin/contracts/verify`): each body decrypts and hashes to the SHA-256 stored beside it, and
//! the evidence chain of their acceptance holds from its first record to its head.

use cashloan_proto::loan::v1 as pb;

use crate::contract::sha256_hex;
use crate::error::LoanError;
use crate::store::DocumentRow;
use crate::LoanCore;

/// Why a stored document fails, if it does.
pub fn failure(document: &DocumentRow, plain: Option<&str>) -> Option<&'static str> {
    match plain {
        None => Some("unreadable"),
        Some(text) if sha256_hex(text.as_bytes()) != document.sha256 => Some("altered"),
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
                failure(d, plain.as_deref()).map(|reason| pb::ContractFailure {
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
        let (chain, (head_seq, head_hash)) = self.store.evidence_chain().await?;
        let (evidence_checked, evidence_broken) = match crate::evidence::walk(&chain, (head_seq, &head_hash))
        {
            Ok(n) => (n, String::new()),
            Err(at) => {
                tracing::error!(%at, "the evidence chain is broken");
                (chain.len() as u64, at)
            }
        };
        Ok(pb::VerifyContractsReply {
            checked: documents.len() as u32,
            failures,
            evidence_checked,
            evidence_broken,
        })
    }
}
