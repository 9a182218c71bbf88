//! Contract documents: written with their application, in its transaction, and read back whole
//! for the page and for verification. Never updated.

use std::collections::HashSet;
use std::sync::Arc;

use cashloan_runtime::db::{self, DbConn};
use cashloan_runtime::evidence::{self, Origin};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::ApplicationRow;
use super::{new_id, Store};
use crate::contracts::DocumentKind;
use crate::error::LoanError;
use crate::schema::{contract_documents, terms_confirmations};

/// A document ready to store: its body already encrypted, its hash over the plain text, the
/// lender's signature over the hash and the key that made it.
pub struct DocumentToStore {
    pub kind: &'static str,
    pub template_version: &'static str,
    pub body: String,
    pub sha256: String,
    pub signature: String,
    pub signer: String,
}

/// Renders an application's documents once its number (`CL…`) is known.
pub type RenderDocuments = Arc<dyn Fn(&str) -> Result<Vec<DocumentToStore>, String> + Send + Sync>;

#[derive(Clone, Debug, Queryable)]
pub struct DocumentRow {
    pub id: String,
    pub application_id: String,
    pub user_id: String,
    pub kind: String,
    pub template_version: String,
    /// Encrypted.
    pub body: String,
    pub sha256: String,
    pub created_at: i64,
    /// 1 as accepted at apply; 2 as confirmed after the review changed the terms.
    pub edition: i32,
    pub signer: String,
    pub signature: String,
}

/// How documents came to be accepted: the action their evidence names, and their edition.
pub(super) const APPLY: (&str, i32) = ("apply", 1);
const CONFIRM: (&str, i32) = ("confirm", 2);

type Keys<'a> = (&'a str, &'a str, i64);

/// Inside the payout's settlement: a document the lender issues (the plan), accepted by no one.
pub(super) fn issue(conn: &mut DbConn, keys: Keys<'_>, d: &DocumentToStore) -> Result<(), DieselError> {
    write(conn, keys, 1, d)
}

fn write(
    conn: &mut DbConn,
    (application_id, user_id, at): Keys<'_>,
    edition: i32,
    d: &DocumentToStore,
) -> Result<(), DieselError> {
    diesel::insert_into(contract_documents::table)
        .values((
            contract_documents::id.eq(new_id()),
            contract_documents::application_id.eq(application_id),
            contract_documents::user_id.eq(user_id),
            contract_documents::kind.eq(d.kind),
            contract_documents::template_version.eq(d.template_version),
            contract_documents::body.eq(&d.body),
            contract_documents::sha256.eq(&d.sha256),
            contract_documents::created_at.eq(at),
            contract_documents::edition.eq(edition),
            contract_documents::signer.eq(&d.signer),
            contract_documents::signature.eq(&d.signature),
        ))
        .execute(conn)?;
    Ok(())
}

/// Inside the transaction of their acceptance: the documents, and the evidence of it.
pub(super) fn insert(
    conn: &mut DbConn,
    keys: Keys<'_>,
    (action, edition): (&str, i32),
    origin: &Origin,
    documents: Vec<DocumentToStore>,
) -> Result<(), DieselError> {
    let (application_id, user_id, at) = keys;
    let accepted = documents
        .iter()
        .map(|d| origin.record(user_id, at, action, application_id, d.template_version, &d.sha256))
        .collect();
    for d in &documents {
        write(conn, keys, edition, d)?;
    }
    evidence::append(conn, accepted)?;
    Ok(())
}

impl Store {
    /// Which of the applications await the borrower's confirmation of changed terms.
    pub async fn pending_confirmations(
        &self,
        application_ids: Vec<String>,
    ) -> Result<HashSet<String>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(terms_confirmations::table
                .filter(terms_confirmations::application_id.eq_any(application_ids))
                .select(terms_confirmations::application_id)
                .load::<String>(conn)?
                .into_iter()
                .collect())
        })
        .await?)
    }

    pub async fn confirmation_pending(&self, application_id: &str) -> Result<bool, LoanError> {
        Ok(!self
            .pending_confirmations(vec![application_id.to_owned()])
            .await?
            .is_empty())
    }

    /// Clears the application's pending confirmation and stores the documents accepted with it,
    /// in one transaction; false when it was no longer pending.
    pub async fn confirm_terms(
        &self,
        app: &ApplicationRow,
        at: i64,
        origin: &Origin,
        documents: Vec<DocumentToStore>,
    ) -> Result<bool, LoanError> {
        let (id, user_id, origin) = (app.id.clone(), app.user_id.clone(), origin.clone());
        Ok(db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let cleared = diesel::delete(terms_confirmations::table.find(&id)).execute(conn)?;
                if cleared == 1 {
                    insert(conn, (&id, &user_id, at), CONFIRM, &origin, documents)?;
                }
                Ok(cleared == 1)
            })
        })
        .await?)
    }

    /// One document.
    pub async fn document(&self, id: &str) -> Result<Option<DocumentRow>, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(contract_documents::table.find(id).first(conn).optional()?)
        })
        .await?)
    }

    /// `(document id, application id, owner, kind)` of the applications' documents, first
    /// editions first.
    pub async fn documents_of(
        &self,
        application_ids: Vec<String>,
    ) -> Result<Vec<(String, String, String, String)>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(contract_documents::table
                .filter(contract_documents::application_id.eq_any(application_ids))
                .order(contract_documents::edition)
                .select((
                    contract_documents::id,
                    contract_documents::application_id,
                    contract_documents::user_id,
                    contract_documents::kind,
                ))
                .load(conn)?)
        })
        .await?)
    }

    /// The SHA-256 of an application's agreement in force (its newest edition).
    pub async fn agreement_sha256(&self, application_id: &str) -> Result<Option<String>, LoanError> {
        let id = application_id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(contract_documents::table
                .filter(contract_documents::application_id.eq(id))
                .filter(contract_documents::kind.eq(DocumentKind::LoanAgreement.code()))
                .order(contract_documents::edition.desc())
                .select(contract_documents::sha256)
                .first(conn)
                .optional()?)
        })
        .await?)
    }

    /// The documents of one application, or of every application, oldest first.
    pub async fn documents(&self, application_id: Option<String>) -> Result<Vec<DocumentRow>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            let mut query = contract_documents::table.into_boxed();
            if let Some(id) = application_id {
                query = query.filter(contract_documents::application_id.eq(id));
            }
            Ok(query
                .order((contract_documents::created_at, contract_documents::id))
                .load(conn)?)
        })
        .await?)
    }
}
