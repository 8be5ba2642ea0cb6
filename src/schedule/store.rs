//! Scheduling's SQL: the lecturer pool and venues, and sessions.

pub mod lecturers;
pub mod sessions;
