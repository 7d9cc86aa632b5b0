//! Test analytics computed from stored results: a job's compact outcome
//! digest (written once at ingest), the diff of two jobs or runs, and the
//! short failure summary of a failed test.

pub mod diff;
pub mod digest;
pub mod flaky;
pub mod summary;
pub mod wire;
