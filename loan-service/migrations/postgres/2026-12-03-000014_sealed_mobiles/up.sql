-- The borrower's mobile is stored sealed by the PII vault (issue 28, finding 6) in applications
-- and the outbox; operators' filters find applications by its keyed hash, kept here (the
-- applications table is at the 32 columns our database layer reads). Rows from before are sealed
-- by the service at its start.
CREATE TABLE application_mobiles (
    application_id TEXT PRIMARY KEY,
    mobile_hash TEXT NOT NULL
);
CREATE INDEX application_mobiles_hash ON application_mobiles (mobile_hash);
