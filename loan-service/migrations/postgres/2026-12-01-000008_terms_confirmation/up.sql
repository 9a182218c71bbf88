-- Applications approved on other terms than applied for, until the borrower confirms them
-- (confirmLoanTerms, API.md §6.6): no payout starts while a row is here.
CREATE TABLE terms_confirmations (
    application_id TEXT PRIMARY KEY NOT NULL,
    approved_at BIGINT NOT NULL
);
