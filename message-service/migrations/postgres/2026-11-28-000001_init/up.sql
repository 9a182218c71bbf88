-- SMS the local `log` provider "sent": readable through the admin API.
CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY,
    mobile TEXT NOT NULL,
    content TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX sms_outbox_mobile ON sms_outbox (mobile, sent_at);

CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    mobile TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Every publication is kept; the newest per app type is the current one.
CREATE TABLE app_versions (
    id TEXT PRIMARY KEY,
    app_type TEXT NOT NULL,
    latest_version TEXT NOT NULL,
    min_supported_version TEXT NOT NULL,
    download_url TEXT NOT NULL,
    release_notes TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE INDEX app_versions_type ON app_versions (app_type, published_at);
