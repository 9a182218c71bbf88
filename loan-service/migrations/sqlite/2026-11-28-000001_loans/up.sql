-- Per-user credit line overrides; users without a row have the configured default.
CREATE TABLE credit_lines (
    user_id TEXT PRIMARY KEY,
    total_fen BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    -- The human-readable number, e.g. CL20261128000001.
    code TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    -- The account's mobile at application time, for operators.
    mobile TEXT NOT NULL,
    product_id TEXT NOT NULL,
    product_name TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    rate_ppm BIGINT NOT NULL,
    penalty_rate_ppm BIGINT NOT NULL,
    fee_rate_ppm BIGINT NOT NULL,
    term_count INTEGER NOT NULL,
    term_unit INTEGER NOT NULL,
    repay_term_count INTEGER NOT NULL,
    repay_term_unit INTEGER NOT NULL,
    repay_type INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    other_channels TEXT NOT NULL,
    longitude TEXT NOT NULL,
    latitude TEXT NOT NULL,
    order_id TEXT NOT NULL,
    remark TEXT NOT NULL,
    -- JSON array of {contactName, contactPhone} as submitted.
    phonebook TEXT NOT NULL,
    status INTEGER NOT NULL,
    reply_amount_fen BIGINT,
    auth_term_count INTEGER,
    auth_term_unit INTEGER,
    release_date TEXT,
    released_at BIGINT,
    applied_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- The user id while the application is open (statuses 0, 1, 2, 4), NULL after: the unique
    -- index makes "one open application per user" hold under concurrent submissions.
    open_slot TEXT UNIQUE
);
CREATE INDEX applications_user ON applications (user_id, applied_at);
CREATE INDEX applications_status ON applications (status, applied_at);

CREATE TABLE application_history (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    from_status INTEGER,
    to_status INTEGER NOT NULL,
    actor TEXT NOT NULL,
    remark TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX application_history_application ON application_history (application_id, at);

CREATE TABLE repayment_periods (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    user_id TEXT NOT NULL,
    period_num INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    interest_fen BIGINT NOT NULL,
    fee_fen BIGINT NOT NULL,
    -- 0 unpaid, 1 paid.
    status INTEGER NOT NULL,
    paid_at BIGINT,
    -- The payment's date in UTC+8: a period paid before its due date was paid early.
    paid_date TEXT,
    -- What was actually charged, frozen at payment.
    paid_principal_fen BIGINT,
    paid_interest_fen BIGINT,
    paid_fee_fen BIGINT,
    paid_penalty_fen BIGINT,
    repayment_id TEXT,
    UNIQUE (application_id, period_num)
);
CREATE INDEX repayment_periods_user ON repayment_periods (user_id, due_date);

CREATE TABLE repayments (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    interest_fen BIGINT NOT NULL,
    fee_fen BIGINT NOT NULL,
    penalty_fen BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    channel_reference TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX repayments_application ON repayments (application_id);

-- Events the customer must hear about, written in the transaction of the change that causes
-- them; a relay delivers them to message-service, which stores each event id once.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    mobile TEXT NOT NULL,
    kind INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    application_code TEXT NOT NULL,
    amount TEXT NOT NULL,
    event_date TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    delivered_at BIGINT,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);
