-- Operators enrol themselves (issue 28): the account is created without a password and its link
-- is mailed to `email`; only the SHA-256 of the link's token is kept, with its expiry and the
-- sealed second factor shown when the link was opened. `totp_required` for admin and finance
-- (and whoever asked for one); `changed_by` names who last changed the roles, disabled or reset
-- the account, so that they never confirm its requests.
ALTER TABLE operators ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN totp_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE operators ADD COLUMN enrolment_hash TEXT;
ALTER TABLE operators ADD COLUMN enrolment_expires_at BIGINT;
ALTER TABLE operators ADD COLUMN enrolment_totp TEXT;
UPDATE operators SET totp_required = TRUE
    WHERE totp_secret IS NOT NULL OR roles LIKE '%admin%' OR roles LIKE '%finance%';
CREATE UNIQUE INDEX operators_enrolment_hash ON operators (enrolment_hash);
