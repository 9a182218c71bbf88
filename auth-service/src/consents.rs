//! The consent calls (API.md §6.6, #37–#39) and the check every sensitive collection makes first.

use cashloan_proto::auth::v1 as pb;
use cashloan_runtime::db;
use cashloan_runtime::evidence::Origin;

use crate::consent::{self, ConsentType, Grant};
use crate::error::AuthError;
use crate::AuthCore;

fn kind(code: &str) -> Result<ConsentType, AuthError> {
    ConsentType::parse(code).ok_or(AuthError::InvalidField("consentType"))
}

fn origin(origin: Option<pb::Origin>) -> Origin {
    let o = origin.unwrap_or_default();
    Origin {
        client_ip: o.client_ip,
        app: o.app,
    }
}

impl AuthCore {
    /// #37: each type's current text and whether the user holds it.
    pub async fn consents(&self, user_id: &str) -> Result<Vec<pb::Consent>, AuthError> {
        let grants = self.store.grants(user_id).await?;
        Ok(ConsentType::ALL
            .into_iter()
            .map(|kind| {
                let text = kind.current();
                let grant = grants.iter().find(|(k, _)| k == kind.code()).map(|(_, g)| g);
                let accepted = consent::holds(grant, text);
                pb::Consent {
                    consent_type: kind.code().into(),
                    title: text.title.into(),
                    version: text.version.into(),
                    accepted,
                    accepted_at: grant.filter(|_| accepted).map_or(0, |g| g.accepted_at),
                }
            })
            .collect())
    }

    /// #38: only the current version can be accepted (the app shows what the list names).
    pub async fn accept_consent(&self, r: pb::AcceptConsentRequest) -> Result<(), AuthError> {
        let kind = kind(&r.consent_type)?;
        let text = kind.current();
        if r.version != text.version {
            return Err(AuthError::InvalidField("version"));
        }
        let record = origin(r.origin).record(
            &r.user_id,
            self.clock.now_ms(),
            "consent",
            kind.code(),
            &text.name(),
            &text.sha256(),
        );
        if self.store.accept_consent(kind, text.version, record).await? {
            tracing::info!(user_id = %r.user_id, consent = %text.name(), "consent accepted");
        }
        Ok(())
    }

    /// #39: stops further collection; what loans already made need is kept (the texts say so).
    pub async fn withdraw_consent(&self, r: pb::WithdrawConsentRequest) -> Result<(), AuthError> {
        let kind = kind(&r.consent_type)?;
        let record =
            origin(r.origin).record(&r.user_id, self.clock.now_ms(), "withdraw", kind.code(), "", "");
        if self.store.withdraw_consent(kind, record).await? {
            tracing::info!(user_id = %r.user_id, consent = kind.code(), "consent withdrawn");
        }
        Ok(())
    }

    /// Whether the user may be asked for what `kind` covers (always, when consent is not enforced).
    pub async fn consented(&self, user_id: &str, kind: ConsentType) -> Result<bool, AuthError> {
        if !self.policy.consent_required {
            return Ok(true);
        }
        let grant: Option<Grant> = self.store.grant(user_id, kind).await?;
        Ok(consent::holds(grant.as_ref(), kind.current()))
    }

    /// Refuses a collection the user has not consented to, before anything is checked or stored.
    pub async fn require_consent(&self, user_id: &str, kind: ConsentType) -> Result<(), AuthError> {
        if self.consented(user_id, kind).await? {
            Ok(())
        } else {
            Err(AuthError::ConsentRequired)
        }
    }

    pub async fn verify_evidence(&self) -> Result<pb::EvidenceReport, AuthError> {
        let mut chain = self.stamping.verify(self.store.pool()).await?;
        if chain.broken.is_empty() {
            let audit = db::run(self.store.pool(), |conn| Ok(crate::audit::check_sealed(conn)?)).await?;
            chain.broken = audit.unwrap_or_default();
        }
        if !chain.broken.is_empty() {
            tracing::error!(at = %chain.broken, "auth-service's evidence chain is broken");
        }
        Ok(pb::EvidenceReport {
            checked: chain.records,
            broken: chain.broken,
            stamps: chain.stamps,
        })
    }
}

/// A published text for its page.
pub fn consent_text(code: &str, version: &str) -> Option<pb::ConsentText> {
    consent::text(code, version).map(|t| pb::ConsentText {
        title: t.title.into(),
        html: t.html.into(),
    })
}
