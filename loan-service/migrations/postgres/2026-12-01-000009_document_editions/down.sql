ALTER TABLE contract_documents DROP CONSTRAINT contract_documents_edition;
DELETE FROM contract_documents WHERE edition > 1;
ALTER TABLE contract_documents ADD CONSTRAINT contract_documents_application_id_kind_key UNIQUE (application_id, kind);
ALTER TABLE contract_documents DROP COLUMN edition;
