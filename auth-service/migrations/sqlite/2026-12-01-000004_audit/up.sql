-- The operators' audit log (API.md §7): one row per admin call, keyed by the evidence-chain
-- record written before the call acted; its outcome is filled once, when the call ends, and
-- recorded in the chain too. Rows are never deleted.
CREATE TABLE audit_entries (
    seq BIGINT PRIMARY KEY NOT NULL,
    operator TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    request TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    outcome TEXT,
    finished_at BIGINT
);
CREATE INDEX audit_entries_operator ON audit_entries (operator, seq);
CREATE INDEX audit_entries_action ON audit_entries (action, seq);
