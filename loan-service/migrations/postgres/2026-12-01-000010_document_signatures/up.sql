-- The lender's signature over each document's SHA-256 and the id of the key that made it
-- (API.md §6.6); documents stored before signing existed have none and verify says so.
ALTER TABLE contract_documents ADD COLUMN signer TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_documents ADD COLUMN signature TEXT NOT NULL DEFAULT '';
