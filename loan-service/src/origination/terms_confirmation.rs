//! Terms changed by the review (API.md §6.6, #40): the application shows `needConfirm` and a
//! preview of the agreement on the approved terms; the borrower's confirmation stores that
//! agreement with its evidence; until then no payout starts (20008005).

use cashloan_proto::auth::v1::VerifiedIdentity;
use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::evidence::Origin;
use cashloan_runtime::money::format_amount;

use crate::contracts::link::LINK_TTL_MS;
use crate::contracts::{self, Document};
use crate::error::LoanError;
use crate::loan::lifecycle::Status;
use crate::loan::plan::{approved_terms, priced_as_applied};
use crate::loan::quote;
use crate::store::ApplicationRow;
use crate::LoanCore;

const CONFIRMATION: &str = "confirm~";

/// The "document" of a confirmation preview: the application whose approved terms it shows.
pub fn confirmation_document(application_id: &str) -> String {
    format!("{CONFIRMATION}{application_id}")
}

pub fn parse_confirmation(document: &str) -> Option<&str> {
    document.strip_prefix(CONFIRMATION)
}

impl LoanCore {
    /// The application's documents on its approved terms for the borrower as verified, rendered
    /// today, bodies in the clear.
    pub(crate) fn approved_documents(
        &self,
        app: &ApplicationRow,
        identity: &VerifiedIdentity,
    ) -> Result<Vec<Document>, LoanError> {
        let accepted = approved_terms(app)?;
        let product = priced_as_applied(app);
        let today = self.clock.today();
        let quoted = pb::QuoteReply {
            apply_amount: format_amount(app.amount_fen),
            ..quote::of_terms(&product, &accepted, today)
        };
        let facts = contracts::Facts::new(
            &self.issuer.lender,
            &contracts::Borrower {
                name: identity.real_name.clone(),
                id_card: identity.id_card_no.clone(),
                mobile: self.open_mobile(&app.mobile),
            },
            &product,
            &contracts::Application {
                code: &app.code,
                purpose: &app.purpose,
                terms: &accepted,
                quote: &quoted,
                today,
            },
        );
        contracts::documents(&facts).map_err(|_| LoanError::Corrupt("the contract templates did not render"))
    }

    /// A fresh link to the preview of an application's approved terms, when it awaits confirmation.
    pub(crate) fn confirmation_token(&self, app: &ApplicationRow, pending: bool) -> String {
        if !pending || app.status != Status::Approved.code() {
            return String::new();
        }
        let expires = self.clock.now_ms() + LINK_TTL_MS;
        self.links
            .issue(&confirmation_document(&app.id), &app.user_id, expires)
    }

    /// #40: stores the agreement on the approved terms as accepted now. Confirming what needs
    /// no confirmation (or was confirmed already) changes nothing.
    pub async fn confirm_terms(&self, r: &pb::ConfirmTermsRequest) -> Result<(), LoanError> {
        let app = self
            .store
            .application(&r.application_id)
            .await?
            .filter(|a| a.user_id == r.user_id)
            .ok_or(LoanError::ApplicationNotFound)?;
        if !self.store.confirmation_pending(&app.id).await? {
            return Ok(());
        }
        if app.status != Status::Approved.code() {
            return Err(LoanError::IllegalTransition);
        }
        let identity = self.verified_identity(&app.user_id).await?;
        let documents = self
            .approved_documents(&app, &identity)?
            .into_iter()
            .map(|d| self.issuer.seal(d, &self.vault))
            .collect();
        let origin = Origin {
            client_ip: r.client_ip.clone(),
            app: r.app.clone(),
        };
        let now = self.clock.now_ms();
        if self.store.confirm_terms(&app, now, &origin, documents).await? {
            tracing::info!(application = %app.code, "approved terms confirmed");
        }
        Ok(())
    }
}
