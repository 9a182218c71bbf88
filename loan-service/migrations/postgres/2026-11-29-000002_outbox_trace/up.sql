-- The trace of the request that wrote the event, continued by the relay that delivers it.
ALTER TABLE outbox ADD COLUMN traceparent TEXT;
