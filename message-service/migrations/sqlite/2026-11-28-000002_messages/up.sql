-- Customer messages come from loan events; the event id is unique, so a redelivery adds nothing.
CREATE TABLE customer_messages (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    message_type TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX customer_messages_user ON customer_messages (user_id, sent_at);

CREATE TABLE system_messages (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    message_type TEXT NOT NULL,
    event_url TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX system_messages_sent ON system_messages (sent_at);
