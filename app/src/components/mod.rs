//! Pieces shared by the pages.

pub mod counts;
pub mod error_view;
pub mod layout;
pub mod pager;
pub mod status;
