-- A confirmation of changed terms (API.md §6.6) stores a second edition of an application's
-- documents; the first stays as it was accepted. SQLite cannot drop a table's constraint: the
-- table is rebuilt with its rows.
CREATE TABLE contract_documents_new (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    template_version TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edition INTEGER NOT NULL DEFAULT 1,
    UNIQUE (application_id, kind, edition)
);
INSERT INTO contract_documents_new (id, application_id, user_id, kind, template_version, body, sha256, created_at)
    SELECT id, application_id, user_id, kind, template_version, body, sha256, created_at FROM contract_documents;
DROP TABLE contract_documents;
ALTER TABLE contract_documents_new RENAME TO contract_documents;
CREATE INDEX contract_documents_user ON contract_documents (user_id);
