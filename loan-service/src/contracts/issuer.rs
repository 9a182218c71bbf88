//! The lender as the documents name it and sign them: what turns a rendered document into the
//! row that is stored (body encrypted at rest, hash signed).

use cashloan_runtime::pii::Vault;

use crate::contracts::signer::DocumentSigner;
use crate::contracts::{Document, Lender};
use crate::store::DocumentToStore;

pub struct Issuer {
    pub lender: Lender,
    pub signer: Box<dyn DocumentSigner>,
}

impl Issuer {
    pub fn seal(&self, d: Document, vault: &Vault) -> DocumentToStore {
        DocumentToStore {
            kind: d.kind.code(),
            template_version: d.template_version,
            body: vault.encrypt(&d.body),
            signature: self.signer.sign(&d.sha256),
            signer: self.signer.key_id().to_owned(),
            sha256: d.sha256,
        }
    }
}
