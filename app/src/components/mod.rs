//! Pieces shared by the pages.

pub mod artifacts;
pub mod audit;
pub mod charts;
pub mod cluster;
pub mod counts;
pub mod error_view;
pub mod forms;
pub mod layout;
pub mod pager;
pub mod session;
pub mod status;
pub mod trace_viewer;
