-- Maker-checker (API.md §7): a change that needs a second operator is stored here by the one who
-- asks for it and carried out when another confirms it. `status` moves pending → executing →
-- done / failed, or pending → rejected, each by one conditional update. Rows are never deleted.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    request TEXT NOT NULL,
    summary TEXT NOT NULL,
    made_by TEXT NOT NULL,
    made_by_id TEXT NOT NULL,
    made_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    outcome TEXT
);
CREATE INDEX approvals_status ON approvals (status, made_at);
