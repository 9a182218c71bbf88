-- A decision task per application (DECISIONS.md "When a decision is made"): written with the
-- application, claimed by a worker under a lease, closed in the transaction that applies the
-- decision. The product's review mode and payout limit are kept as they were when applied.
CREATE TABLE decision_tasks (
    application_id TEXT PRIMARY KEY NOT NULL,
    product_code TEXT NOT NULL,
    product_min_rate_ppm BIGINT NOT NULL,
    product_max_rate_ppm BIGINT NOT NULL,
    automatic BOOLEAN NOT NULL,
    auto_payout_limit_fen BIGINT,
    phonebook_size INTEGER NOT NULL,
    gps_present BOOLEAN NOT NULL,
    client_ip TEXT NOT NULL,
    app_type TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    reasons TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    payout_state INTEGER NOT NULL DEFAULT 0,
    payout_order_no TEXT,
    override_outcome TEXT,
    override_remark TEXT,
    review_requested_at BIGINT,
    review_reason TEXT
);
CREATE INDEX decision_tasks_due ON decision_tasks (state, next_attempt_at);
CREATE INDEX decision_tasks_payouts ON decision_tasks (payout_state);
