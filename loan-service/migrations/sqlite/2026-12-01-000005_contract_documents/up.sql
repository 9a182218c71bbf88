-- The documents a borrower accepted (API.md §6.6), stored as shown and never rendered again: the
-- body encrypted at rest (it names the borrower), its SHA-256 over the plain text, the template
-- version it came from.
CREATE TABLE contract_documents (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    template_version TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (application_id, kind)
);
CREATE INDEX contract_documents_user ON contract_documents (user_id);
