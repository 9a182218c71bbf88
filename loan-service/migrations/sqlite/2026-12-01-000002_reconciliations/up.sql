-- Each day's reconciliation against the channel's statement (PAYMENTS.md): the daily job runs a
-- day that has no row yet; an operator may run any day again.
CREATE TABLE reconciliations (
    day TEXT PRIMARY KEY,
    matched INTEGER NOT NULL,
    mismatched INTEGER NOT NULL,
    ran_at BIGINT NOT NULL
);
