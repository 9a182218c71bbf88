-- The double-entry ledger (PAYMENTS.md): an entry per settled movement, never changed; its lines
-- debit and credit accounts in fen. One entry per movement: (kind, reference) is unique.
CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    memo TEXT NOT NULL,
    posted_at BIGINT NOT NULL,
    posted_date TEXT NOT NULL
);
CREATE UNIQUE INDEX ledger_entries_once ON ledger_entries (kind, reference);
CREATE INDEX ledger_entries_date ON ledger_entries (posted_date);
CREATE TABLE ledger_lines (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
    account INTEGER NOT NULL,
    debit_fen BIGINT NOT NULL CHECK (debit_fen >= 0),
    credit_fen BIGINT NOT NULL CHECK (credit_fen >= 0)
);
CREATE INDEX ledger_lines_entry ON ledger_lines (entry_id);
