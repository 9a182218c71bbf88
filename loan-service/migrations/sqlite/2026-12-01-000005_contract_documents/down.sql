DROP TABLE contract_documents;
