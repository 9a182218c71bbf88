//! What the borrower opens (API.md §6.6): links to an application's documents in the lists, and
//! the page a link shows — the stored document as accepted, the ID number and mobile masked.

use std::collections::HashMap;

use cashloan_proto::loan::v1 as pb;

use crate::contracts::link::{parse_preview, preview_document, LinkKey, LINK_TTL_MS};
use crate::contracts::{self, DocumentKind};
use crate::error::LoanError;
use crate::loan::quote;
use crate::origination::terms_confirmation::parse_confirmation;
use crate::LoanCore;

/// The stored body as shown on the page: every whole occurrence of the borrower's numbers masked.
pub fn masked_for_page(body: &str, id_card: &str, mobile: &str) -> String {
    let mut page = body.to_owned();
    for (whole, masked) in [
        (id_card, cashloan_runtime::mask::id_card(id_card)),
        (mobile, cashloan_runtime::mask::mobile(mobile)),
    ] {
        if !whole.is_empty() && !masked.is_empty() {
            page = page.replace(whole, &masked);
        }
    }
    page
}

fn order(kind: &str) -> usize {
    DocumentKind::ALL
        .iter()
        .position(|k| k.code() == kind)
        .unwrap_or(usize::MAX)
}

impl LoanCore {
    /// Fresh links to the applications' documents in force (the newest of each kind: a
    /// confirmation of changed terms supersedes what was accepted at apply), agreement first,
    /// by application id.
    pub(crate) async fn contract_links(
        &self,
        application_ids: Vec<String>,
    ) -> Result<HashMap<String, Vec<pb::ContractLink>>, LoanError> {
        let mut newest = HashMap::new();
        for (id, application, owner, kind) in self.store.documents_of(application_ids).await? {
            newest.insert(
                (application.clone(), kind.clone()),
                (id, application, owner, kind),
            );
        }
        let mut documents: Vec<_> = newest.into_values().collect();
        documents.sort_by_key(|(_, application, _, kind)| (application.clone(), order(kind)));
        let expires = self.clock.now_ms() + LINK_TTL_MS;
        let mut links: HashMap<String, Vec<pb::ContractLink>> = HashMap::new();
        for (id, application, owner, kind) in documents {
            let name = DocumentKind::ALL
                .into_iter()
                .find(|k| k.code() == kind)
                .map_or(kind.clone(), |k| k.title().to_owned());
            links.entry(application).or_default().push(pb::ContractLink {
                name,
                token: self.links.issue(&id, &owner, expires),
            });
        }
        Ok(links)
    }

    /// The link of the agreement a quote would make, for its user.
    pub(crate) fn preview_token(&self, request: &pb::QuoteRequest) -> String {
        if request.user_id.is_empty() {
            return String::new();
        }
        let document = preview_document(request);
        self.links
            .issue(&document, &request.user_id, self.clock.now_ms() + LINK_TTL_MS)
    }

    /// A preview's page: the agreement rendered now with the quoted terms, unnumbered.
    async fn preview_page(&self, token: &str, request: pb::QuoteRequest) -> Result<String, LoanError> {
        if !self.links.check(token, &request.user_id, self.clock.now_ms()) {
            return Err(LoanError::ApplicationNotFound);
        }
        let product = self.product(&request.product_id).await?;
        let today = self.clock.today();
        let accepted = quote::validate(&product, &request, today, self.apr_cap)?;
        let quoted = quote::quote(&product, &request, today, self.apr_cap)?;
        // Before real-name verification there is no name to print yet; the mobile is the
        // application's, stated when it is made.
        let identity = self.verified_identity(&request.user_id).await.unwrap_or_default();
        let or_later = |value: String| {
            if value.is_empty() {
                "（实名认证后载明）".to_owned()
            } else {
                value
            }
        };
        let facts = contracts::Facts::new(
            &self.issuer.lender,
            &contracts::Borrower {
                name: or_later(identity.real_name),
                id_card: or_later(identity.id_card_no.clone()),
                mobile: "（提交申请时载明）".to_owned(),
            },
            &product,
            &contracts::Application {
                code: "（提交申请后生成）",
                purpose: "",
                terms: &accepted,
                quote: &quoted,
                today,
            },
        );
        let body = contracts::render(&contracts::CURRENT[0], &facts)
            .map_err(|_| LoanError::Corrupt("the agreement template did not render"))?;
        Ok(masked_for_page(&body, &identity.id_card_no, ""))
    }

    /// The agreement on an application's approved terms, as confirming would store it.
    async fn confirmation_page(&self, token: &str, application: &str) -> Result<String, LoanError> {
        let app = self
            .store
            .application(application)
            .await?
            .filter(|a| self.links.check(token, &a.user_id, self.clock.now_ms()))
            .ok_or(LoanError::ApplicationNotFound)?;
        let identity = self.verified_identity(&app.user_id).await?;
        let agreement = self
            .approved_documents(&app, &identity)?
            .into_iter()
            .next()
            .ok_or(LoanError::Corrupt("no agreement template"))?;
        Ok(masked_for_page(
            &agreement.body,
            &identity.id_card_no,
            &self.open_mobile(&app.mobile),
        ))
    }

    /// The page of a link; any link that is not genuine, current and its owner's is not found.
    pub async fn contract_page(&self, token: &str) -> Result<String, LoanError> {
        let not_found = || LoanError::ApplicationNotFound;
        let id = LinkKey::document_of(token).ok_or_else(not_found)?;
        if let Some(request) = parse_preview(id) {
            return self.preview_page(token, request).await;
        }
        if let Some(application) = parse_confirmation(id) {
            return self.confirmation_page(token, application).await;
        }
        let document = self.store.document(id).await?.ok_or_else(not_found)?;
        if !self.links.check(token, &document.user_id, self.clock.now_ms()) {
            return Err(not_found());
        }
        let body = self
            .vault
            .decrypt(&document.body)
            .map_err(|_| LoanError::Corrupt("a contract document does not decrypt"))?;
        let application = self
            .store
            .application(&document.application_id)
            .await?
            .ok_or(LoanError::Corrupt("a document without its application"))?;
        let identity = self.verified_identity(&document.user_id).await?;
        Ok(masked_for_page(
            &body,
            &identity.id_card_no,
            &self.open_mobile(&application.mobile),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_masks_the_borrowers_numbers_wherever_they_appear() {
        let body = "<dd>110101199001011237</dd><dd>13800138000</dd><p>13800138000</p>";
        assert_eq!(
            super::masked_for_page(body, "110101199001011237", "13800138000"),
            "<dd>110101********1237</dd><dd>138****8000</dd><p>138****8000</p>"
        );
    }
}
