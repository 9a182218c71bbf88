-- Payment orders (PAYMENTS.md): every movement of money is written here before the channel hears
-- of it; the order number is the channel's idempotency key.
CREATE TABLE payment_orders (
    order_no TEXT PRIMARY KEY,
    -- payout, repay or refund
    kind TEXT NOT NULL,
    application_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- created, submitted, unknown, succeeded, failed, returned, mismatch, manual
    status TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    -- A repay order's amount split as charged when it was created.
    principal_fen BIGINT NOT NULL,
    interest_fen BIGINT NOT NULL,
    fee_fen BIGINT NOT NULL,
    penalty_fen BIGINT NOT NULL,
    -- What it pays: the period numbers (repay), for people reading the list.
    periods TEXT NOT NULL,
    -- current or all (repay); '' for the rest.
    repay_kind TEXT NOT NULL,
    -- The card as it was when the order was created, encrypted (runtime::pii); every
    -- resubmission sends this snapshot.
    card TEXT NOT NULL,
    -- A payout's plan start date chosen by the operator; NULL: the success date.
    release_date TEXT,
    channel_order_no TEXT,
    reason TEXT,
    -- The app was told "processing": a later failure sends the customer a notice.
    customer_waiting BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    submitted_at BIGINT,
    settled_at BIGINT,
    -- The channel's finish time, yyyy-MM-dd HH:mm:ss UTC+8.
    finished_at TEXT,
    -- Recovery: how often it was checked and when next.
    attempts INTEGER NOT NULL DEFAULT 0,
    next_check_at BIGINT NOT NULL
);
CREATE INDEX payment_orders_due ON payment_orders (status, next_check_at);
CREATE INDEX payment_orders_application ON payment_orders (application_id);
CREATE INDEX payment_orders_created ON payment_orders (created_at);

-- What a repay order charges each period it pays.
CREATE TABLE payment_order_periods (
    order_no TEXT NOT NULL REFERENCES payment_orders (order_no),
    period_id TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    interest_fen BIGINT NOT NULL,
    fee_fen BIGINT NOT NULL,
    penalty_fen BIGINT NOT NULL,
    PRIMARY KEY (order_no, period_id)
);

-- What an order holds while it is open or waits for an operator: `period:<id>` for a repay order,
-- `payout:<application id>` for a payout. The key makes a second holder impossible.
CREATE TABLE payment_reservations (
    resource TEXT PRIMARY KEY,
    order_no TEXT NOT NULL
);
CREATE INDEX payment_reservations_order ON payment_reservations (order_no);

-- Differences between the channel and our books, for operators; none is corrected silently.
CREATE TABLE payment_mismatches (
    id TEXT PRIMARY KEY,
    order_no TEXT NOT NULL,
    -- The channel's day (UTC+8) the difference belongs to.
    day TEXT NOT NULL,
    channel_says TEXT NOT NULL,
    ledger_says TEXT NOT NULL,
    resolution TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX payment_mismatches_once ON payment_mismatches (order_no, channel_says);
CREATE INDEX payment_mismatches_day ON payment_mismatches (day);
