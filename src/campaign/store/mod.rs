//! Training delivery's SQL, one file per table group.

pub mod attendance;
pub mod campaigns;
pub mod deliveries;
pub mod lecturers;
pub mod online;
pub mod sessions;
