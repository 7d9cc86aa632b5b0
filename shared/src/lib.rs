//! Assay's shared vocabulary: the wire types that the REST API, the server
//! functions and the browser exchange, and pure logic that both sides use
//! (report parsers, test identity, status roll-ups).
//!
//! Nothing here touches a database, a socket or a clock, so the crate builds
//! for `wasm32-unknown-unknown` as well as natively.

pub mod accounts;
pub mod analytics;
pub mod counts;
pub mod flakiness;
pub mod log_errors;
pub mod model;
pub mod perf;
pub mod pixeldiff;
pub mod report;
pub mod status;
pub mod test_key;
pub mod traces;
pub mod treeherder;
pub mod validate;

pub use counts::Counts;
pub use status::{JobResult, JobState, RunStatus, TestStatus};
