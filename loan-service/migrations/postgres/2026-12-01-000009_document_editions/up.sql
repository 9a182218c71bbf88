-- A confirmation of changed terms (API.md §6.6) stores a second edition of an application's
-- documents; the first stays as it was accepted.
ALTER TABLE contract_documents ADD COLUMN edition INTEGER NOT NULL DEFAULT 1;
ALTER TABLE contract_documents DROP CONSTRAINT contract_documents_application_id_kind_key;
ALTER TABLE contract_documents ADD CONSTRAINT contract_documents_edition UNIQUE (application_id, kind, edition);
