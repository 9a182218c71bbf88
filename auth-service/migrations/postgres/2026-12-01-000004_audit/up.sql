-- The operators' audit log (API.md §7): one row per admin call (`n` in the order written), written before the call acts; its
-- outcome is filled once, when the call ends. A sealer then appends a record of the whole entry
-- to the evidence chain (`sealed_seq`), in batches, so admin calls do not queue on the chain's
-- head; verify compares each sealed row with its record. Rows are never deleted.
CREATE TABLE audit_entries (
    n BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    operator TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    request TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    outcome TEXT,
    -- The customers (user ids, comma-separated) whose data the answer carried.
    customers TEXT,
    finished_at BIGINT,
    sealed_seq BIGINT
);
CREATE INDEX audit_entries_operator ON audit_entries (operator, n);
CREATE INDEX audit_entries_action ON audit_entries (action, n);
CREATE INDEX audit_entries_unsealed ON audit_entries (n) WHERE sealed_seq IS NULL;
