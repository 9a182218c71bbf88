//! The shared runtime: what every service needs the same way.

pub mod canonical_json;
pub mod clock;
pub mod db;
pub mod digest;
pub mod evidence;
pub mod grpc;
pub mod kv;
pub mod mask;
pub mod metrics;
pub mod money;
pub mod pii;
pub mod private_file;
pub mod redact;
pub mod service;
pub mod shutdown;
pub mod telemetry;
pub mod timestamp;

pub use kv::{Kv, KvError, KvResult};
pub use shutdown::{Shutdown, ShutdownTrigger};
