//! Messages: the outbox relay that hands loan events to message-service. Calls store.

pub mod outbox;
