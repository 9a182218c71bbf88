-- The account's mobile is stored sealed by the PII vault (issue 28, finding 6), found by its
-- keyed hash, which now carries one-account-per-mobile. Rows from before are sealed by the
-- service at its start (they have no hash yet).
ALTER TABLE users ADD COLUMN mobile_hash TEXT;
CREATE UNIQUE INDEX users_mobile_hash ON users (mobile_hash);
