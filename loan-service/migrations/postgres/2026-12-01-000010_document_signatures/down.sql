ALTER TABLE contract_documents DROP COLUMN signature;
ALTER TABLE contract_documents DROP COLUMN signer;
