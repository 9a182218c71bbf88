//! Applications (API.md §6.4, #23 #28 #29 and the admin review and disbursement of §7).

use cashloan_proto::auth::v1::UserRef;
use cashloan_proto::loan::v1 as pb;
use cashloan_proto::message::v1::LoanEventKind;
use cashloan_proto::product::v1::{GetProductRequest, Limit, ProductInfo};
use cashloan_runtime::clock::format_datetime_cst;
use cashloan_runtime::evidence::Origin;
use cashloan_runtime::money::{format_amount, format_rate, parse_amount};
use tonic::Code;

use std::sync::Arc;

use crate::contracts;
use crate::error::LoanError;
use crate::loan::lifecycle::Status;
use crate::loan::plan::period_proto;
use crate::loan::quote;
use crate::loan::stored;
use crate::loan::terms;
use crate::paging::page;
use crate::store::{
    new_id, ApplicationFilter, ApplicationRow, DecisionTask, NewApplication, OutboxEvent, RenderDocuments,
};
use crate::LoanCore;

/// purposeData of API.md §6.3.
const PURPOSES: [&str; 8] = ["15", "16", "17", "18", "19", "20", "21", "22"];

/// `"01"` → `"01"`, `"1"` → `"01"`: otherChannels codes are two digits (API.md §6.3).
fn other_channels(text: &str) -> Option<String> {
    match text.trim_start_matches('0') {
        "1" | "2" | "3" if text.len() <= 3 && !text.is_empty() => {
            Some(format!("0{}", text.trim_start_matches('0')))
        }
        _ => None,
    }
}

fn purpose(text: &str) -> Option<String> {
    let trimmed = text.trim_start_matches('0');
    PURPOSES.contains(&trimmed).then(|| trimmed.to_owned())
}

pub fn application_proto(a: &ApplicationRow) -> pb::Application {
    let release_time = a.released_at.map(format_datetime_cst).unwrap_or_default();
    pb::Application {
        id: a.id.clone(),
        user_id: a.user_id.clone(),
        mobile: a.mobile.clone(),
        product_id: a.product_id.clone(),
        product_name: a.product_name.clone(),
        code: a.code.clone(),
        status: a.status,
        apply_amount: format_amount(a.amount_fen),
        reply_amount: a.reply_amount_fen.map(format_amount).unwrap_or_default(),
        repay_type: a.repay_type.to_string(),
        // The release date with the time of day the payout was recorded.
        release_date: match (&a.release_date, release_time.split_once(' ')) {
            (Some(date), Some((_, time))) => format!("{date} {time}"),
            _ => String::new(),
        },
        applied_at: a.applied_at,
        term_count: a.term_count.to_string(),
        term_unit: a.term_unit.to_string(),
        interest_rate: format_rate(a.rate_ppm),
        penalty_rate: format_rate(a.penalty_rate_ppm),
        auth_term_count: a.auth_term_count.map(|v| v.to_string()).unwrap_or_default(),
        auth_term_unit: a.auth_term_unit.map(|v| v.to_string()).unwrap_or_default(),
        purpose: a.purpose.clone(),
        other_channels: a.other_channels.clone(),
        // Per reply, from other tables (`contract_links`, `pending_confirmations`).
        contracts: Vec::new(),
        need_confirm: false,
        confirm_preview_token: String::new(),
    }
}

/// The lowest and highest rate a product's limit allows.
fn rate_range(limit: Option<&Limit>) -> (i64, i64) {
    match limit {
        Some(l) if l.fixed => (
            l.values.iter().copied().min().unwrap_or(0),
            l.values.iter().copied().max().unwrap_or(0),
        ),
        Some(l) => (l.min, l.max),
        None => (0, 0),
    }
}

/// The decision task written with the application (DECISIONS.md): who decides, as the product
/// says now, and what the decision reads of the application besides its row.
fn decision_task(
    product: &ProductInfo,
    row: &NewApplication,
    request: &pb::ApplyRequest,
    contacts_consented: bool,
    now: i64,
) -> DecisionTask {
    let (min_rate, max_rate) = rate_range(product.rate.as_ref());
    let phonebook_size = if contacts_consented {
        serde_json::from_str::<Vec<serde_json::Value>>(&request.phonebook_json).map_or(0, |v| v.len())
    } else {
        0
    };
    DecisionTask {
        product_code: product.code.clone(),
        product_min_rate_ppm: min_rate,
        product_max_rate_ppm: max_rate,
        automatic: product.review_mode == 1,
        auto_payout_limit_fen: product.auto_payout_limit,
        phonebook_size: i32::try_from(phonebook_size).unwrap_or(i32::MAX),
        gps_present: !(request.longitude.trim().is_empty() || request.latitude.trim().is_empty()),
        client_ip: request.client_ip.clone(),
        app_type: request.app.split('/').next().unwrap_or_default().to_owned(),
        ..DecisionTask::new(&row.id, now)
    }
}

impl LoanCore {
    /// A stored (sealed) mobile opened; one stored before mobiles were sealed reads as it is.
    pub(crate) fn open_mobile(&self, stored: &str) -> String {
        self.vault.open_or_stored(stored)
    }

    /// The applications of `mobile` for an operator's filter; None without one.
    pub(crate) async fn applications_of_mobile(
        &self,
        mobile: &str,
    ) -> Result<Option<Vec<String>>, LoanError> {
        match mobile.trim() {
            "" => Ok(None),
            m => Ok(Some(
                self.store
                    .applications_of_mobile(&self.vault.keyed_hash(m))
                    .await?,
            )),
        }
    }

    /// An application as the gateway gets it, its mobile opened.
    fn application_proto(&self, a: &ApplicationRow) -> pb::Application {
        pb::Application {
            mobile: self.open_mobile(&a.mobile),
            ..application_proto(a)
        }
    }

    /// Seals the mobiles of applications stored before they were sealed; how many.
    pub(crate) async fn seal_old_mobiles(&self) -> Result<usize, LoanError> {
        let old = self.store.unsealed_mobiles().await?;
        let count = old.len();
        for (id, plain) in old {
            let (sealed, hash) = (self.vault.encrypt(&plain), self.vault.keyed_hash(&plain));
            self.store.seal_mobile(id, plain, sealed, hash).await?;
        }
        Ok(count)
    }

    pub async fn product(&self, id: &str) -> Result<ProductInfo, LoanError> {
        match self
            .products
            .clone()
            .get_product(GetProductRequest { id: id.to_owned() })
            .await
        {
            Ok(reply) => Ok(reply.into_inner()),
            Err(status) if status.code() == Code::NotFound => Err(LoanError::ProductNotFound),
            Err(status) => Err(LoanError::Downstream(status.message().to_owned())),
        }
    }

    /// (total, available) credit of a verified user, in fen.
    pub async fn credit(&self, user_id: &str) -> Result<(i64, i64), LoanError> {
        let total = self
            .store
            .credit_total(user_id)
            .await?
            .unwrap_or(self.default_credit_fen);
        let outstanding = self.store.outstanding_principal(user_id).await?;
        Ok((total, (total - outstanding).max(0)))
    }

    pub async fn apply(&self, request: &pb::ApplyRequest) -> Result<(String, String), LoanError> {
        let t = request.terms.as_ref().ok_or(LoanError::InvalidField("terms"))?;
        let product = self.product(&t.product_id).await?;
        let accepted = quote::validate(&product, t, self.clock.today(), self.apr_cap)?;

        let summary = self
            .auth
            .clone()
            .get_verification_summary(UserRef {
                user_id: t.user_id.clone(),
            })
            .await
            .map_err(|s| LoanError::Downstream(s.message().to_owned()))?
            .into_inner();
        if !(summary.real_name_verified
            && summary.bank_card_verified
            && summary.customer_info_complete
            && summary.mobile_verified)
        {
            return Err(LoanError::VerificationIncomplete);
        }
        if summary.blacklisted {
            return Err(LoanError::NotEligible);
        }
        if self.store.has_open_application(&t.user_id).await? {
            return Err(LoanError::OpenApplication);
        }
        if accepted.amount_fen > self.credit(&t.user_id).await?.1 {
            return Err(LoanError::CreditInsufficient);
        }
        let purpose = purpose(&request.purpose).ok_or(LoanError::InvalidField("purpose"))?;
        let other_channels =
            other_channels(&request.other_channels).ok_or(LoanError::InvalidField("otherChannels"))?;

        let now = self.clock.now_ms();
        let row = NewApplication {
            id: new_id(),
            code: String::new(),
            user_id: t.user_id.clone(),
            mobile: self.vault.encrypt(&request.mobile),
            product_id: product.id.clone(),
            product_name: product.name.clone(),
            amount_fen: accepted.amount_fen,
            rate_ppm: accepted.rate_ppm,
            penalty_rate_ppm: product.penalty_rate,
            fee_rate_ppm: product.fee_rate,
            term_count: accepted.term_count as i32,
            term_unit: stored::term_unit_code(accepted.term_unit),
            repay_term_count: accepted.repay_term_count as i32,
            repay_term_unit: stored::term_unit_code(accepted.repay_term_unit),
            repay_type: stored::repay_type_code(accepted.repay_type),
            purpose,
            other_channels,
            // Personal data at rest: where the borrower was and whom they know.
            longitude: self.vault.encrypt(&request.longitude),
            latitude: self.vault.encrypt(&request.latitude),
            order_id: request.order_id.clone(),
            remark: request.remark.clone(),
            // Without the contacts consent the phonebook is dropped, not stored (API.md §6.6).
            phonebook: self.vault.encrypt(if summary.contacts_consented {
                &request.phonebook_json
            } else {
                "[]"
            }),
            status: Status::Pending.code(),
            applied_at: now,
            updated_at: now,
            open_slot: Some(t.user_id.clone()),
        };
        let id = row.id.clone();
        let event = OutboxEvent::new(
            LoanEventKind::Submitted,
            &row.user_id,
            &row.mobile,
            &row.product_name,
            "",
            format_amount(row.amount_fen),
            now,
        );
        let task = decision_task(&product, &row, request, summary.contacts_consented, now);
        let documents = self.documents_for(&product, t, &accepted, &row).await?;
        let day = self.clock.today().format("%Y%m%d").to_string();
        let code = self
            .store
            .insert_application(
                row,
                (day, self.vault.keyed_hash(&request.mobile)),
                (event, task),
                documents,
                Origin {
                    client_ip: request.client_ip.clone(),
                    app: request.app.clone(),
                },
            )
            .await?;
        tracing::info!(application = %code, "application submitted");
        count_transition("submitted");
        Ok((id, code))
    }

    /// The borrower's verified name, ID number and card, from auth-service.
    pub(crate) async fn verified_identity(
        &self,
        user_id: &str,
    ) -> Result<cashloan_proto::auth::v1::VerifiedIdentity, LoanError> {
        Ok(self
            .auth
            .clone()
            .get_verified_identity(UserRef {
                user_id: user_id.to_owned(),
            })
            .await
            .map_err(|s| LoanError::Downstream(s.message().to_owned()))?
            .into_inner())
    }

    /// What renders the application's documents (API.md §6.6) once it is numbered: the quote of
    /// its terms as the app showed it, the verified borrower, the lender; bodies encrypted.
    async fn documents_for(
        &self,
        product: &ProductInfo,
        request: &pb::QuoteRequest,
        accepted: &terms::AcceptedTerms,
        row: &NewApplication,
    ) -> Result<RenderDocuments, LoanError> {
        let identity = self.verified_identity(&row.user_id).await?;
        let today = self.clock.today();
        let quoted = quote::quote(product, request, today, self.apr_cap)?;
        let borrower = contracts::Borrower {
            name: identity.real_name,
            id_card: identity.id_card_no,
            mobile: self.open_mobile(&row.mobile),
        };
        let (issuer, vault, product) = (self.issuer.clone(), self.vault.clone(), product.clone());
        let (accepted, purpose) = (accepted.clone(), row.purpose.clone());
        Ok(Arc::new(move |code: &str| {
            let facts = contracts::Facts::new(
                &issuer.lender,
                &borrower,
                &product,
                &contracts::Application {
                    code,
                    purpose: &purpose,
                    terms: &accepted,
                    quote: &quoted,
                    today,
                },
            );
            let documents = contracts::documents(&facts).map_err(|e| e.to_string())?;
            Ok(documents.into_iter().map(|d| issuer.seal(d, &vault)).collect())
        }))
    }

    pub async fn list_applications(
        &self,
        r: &pb::ListApplicationsRequest,
    ) -> Result<pb::ApplicationPage, LoanError> {
        let given = |text: &str| Some(text.to_owned()).filter(|t| !t.is_empty());
        let filter = ApplicationFilter {
            user_id: given(&r.user_id),
            status: r.status,
            statuses: r.statuses.clone(),
            of_mobile: self.applications_of_mobile(&r.mobile).await?,
            id: given(&r.application_id),
            oldest_first: r.oldest_first,
        };
        let (rows, total) = self.store.applications(filter, page(r.page.as_ref())).await?;
        if r.bare {
            return Ok(pb::ApplicationPage {
                items: rows.iter().map(|a| self.application_proto(a)).collect(),
                total: total as u64,
            });
        }
        let ids: Vec<String> = rows.iter().map(|a| a.id.clone()).collect();
        let mut links = self.contract_links(ids.clone()).await?;
        let pending = self.store.pending_confirmations(ids).await?;
        Ok(pb::ApplicationPage {
            items: rows
                .iter()
                .map(|a| {
                    let pending = pending.contains(&a.id) && a.status == Status::Approved.code();
                    pb::Application {
                        contracts: links.remove(&a.id).unwrap_or_default(),
                        need_confirm: pending,
                        confirm_preview_token: self.confirmation_token(a, pending),
                        ..self.application_proto(a)
                    }
                })
                .collect(),
            total: total as u64,
        })
    }

    pub async fn plan(&self, r: &pb::ListPlanRequest) -> Result<pb::PlanPage, LoanError> {
        let (rows, total) = self
            .store
            .plan(&r.user_id, &r.application_id, page(r.page.as_ref()))
            .await?;
        let reserved = self
            .store
            .reserved(rows.iter().map(|p| p.id.clone()).collect())
            .await?;
        Ok(pb::PlanPage {
            items: rows
                .iter()
                .map(|p| period_proto(p, reserved.contains(&p.id)))
                .collect::<Result<_, _>>()?,
            total: total as u64,
        })
    }

    pub async fn set_credit_line(&self, r: &pb::SetCreditLineRequest) -> Result<(), LoanError> {
        let total = parse_amount(&r.total).ok_or(LoanError::InvalidField("totalCredit"))?;
        self.store
            .set_credit_total(&r.user_id, total, self.clock.now_ms())
            .await
    }
}

/// Applications by the status they moved to.
pub(super) fn count_transition(to: &str) {
    cashloan_runtime::metrics::global().count(
        "cashloan_application_transitions_total",
        "Application status changes by new status.",
        &[("to", to)],
        1,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_purpose_and_other_channels() {
        assert_eq!(purpose("21").as_deref(), Some("21"));
        assert_eq!(purpose("14"), None);
        assert_eq!(other_channels("1").as_deref(), Some("01"));
        assert_eq!(other_channels("03").as_deref(), Some("03"));
        assert_eq!(other_channels("04"), None);
        assert_eq!(other_channels(""), None);
    }
}
