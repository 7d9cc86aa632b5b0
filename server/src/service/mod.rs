//! What the API and the UI do, on top of storage: look things up by the
//! names users use, check input, and shape wire types. Both the REST
//! handlers and the UI's server functions call these.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod analytics;
pub mod artifacts;
pub mod clusters;
pub mod durations;
pub mod hawk;
pub mod logs;
pub mod perf;
pub mod prune;
pub mod quarantine;
pub mod read;
pub mod sensitivity;
pub mod traces;
pub mod write;
