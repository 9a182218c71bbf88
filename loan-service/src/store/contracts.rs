//! Contract documents: written with their application, in its transaction, and read back whole
//! for the page and for verification. Never updated.

use std::sync::Arc;

use cashloan_runtime::db::{self, DbConn};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::{new_id, Store};
use crate::error::LoanError;
use crate::schema::contract_documents;

/// A document ready to store: its body already encrypted, its hash over the plain text.
pub struct DocumentToStore {
    pub kind: &'static str,
    pub template_version: &'static str,
    pub body: String,
    pub sha256: String,
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
}

/// Inside the application's transaction: the documents, and the evidence of their acceptance.
pub(super) fn insert(
    conn: &mut DbConn,
    application_id: &str,
    user_id: &str,
    at: i64,
    client_ip: &str,
    documents: Vec<DocumentToStore>,
) -> Result<(), DieselError> {
    let accepted = documents
        .iter()
        .map(|d| crate::evidence::Record {
            seq: 0,
            user_id: user_id.to_owned(),
            at,
            client_ip: client_ip.to_owned(),
            action: "apply".into(),
            subject: application_id.to_owned(),
            document: d.template_version.to_owned(),
            shown_sha256: d.sha256.clone(),
        })
        .collect();
    for d in documents {
        diesel::insert_into(contract_documents::table)
            .values((
                contract_documents::id.eq(new_id()),
                contract_documents::application_id.eq(application_id),
                contract_documents::user_id.eq(user_id),
                contract_documents::kind.eq(d.kind),
                contract_documents::template_version.eq(d.template_version),
                contract_documents::body.eq(d.body),
                contract_documents::sha256.eq(d.sha256),
                contract_documents::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    super::evidence::append(conn, accepted)
}

impl Store {
    /// One document.
    pub async fn document(&self, id: &str) -> Result<Option<DocumentRow>, LoanError> {
        let id = id.to_owned();
        Ok(db::run(&self.pool, move |conn| {
            Ok(contract_documents::table.find(id).first(conn).optional()?)
        })
        .await?)
    }

    /// `(document id, application id, owner, kind)` of the applications' documents.
    pub async fn documents_of(
        &self,
        application_ids: Vec<String>,
    ) -> Result<Vec<(String, String, String, String)>, LoanError> {
        Ok(db::run(&self.pool, move |conn| {
            Ok(contract_documents::table
                .filter(contract_documents::application_id.eq_any(application_ids))
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
