//! Test analytics computed from stored results: a job's compact outcome
//! digest (written once at ingest), the diff of two jobs or runs, and the
//! short failure summary of a failed test, and its signature (what groups
//! failures into clusters).

pub mod cluster;
pub mod diff;
pub mod digest;
pub mod durations;
pub mod flaky;
pub mod summary;
pub mod wire;
