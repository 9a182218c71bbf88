DROP INDEX operators_enrolment_hash;
ALTER TABLE operators DROP COLUMN enrolment_totp;
ALTER TABLE operators DROP COLUMN enrolment_expires_at;
ALTER TABLE operators DROP COLUMN enrolment_hash;
ALTER TABLE operators DROP COLUMN totp_required;
ALTER TABLE operators DROP COLUMN changed_by;
ALTER TABLE operators DROP COLUMN email;
