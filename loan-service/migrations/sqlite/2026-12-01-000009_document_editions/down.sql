CREATE TABLE contract_documents_old (
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
INSERT INTO contract_documents_old
    SELECT id, application_id, user_id, kind, template_version, body, sha256, created_at FROM contract_documents WHERE edition = 1;
DROP TABLE contract_documents;
ALTER TABLE contract_documents_old RENAME TO contract_documents;
CREATE INDEX contract_documents_user ON contract_documents (user_id);
