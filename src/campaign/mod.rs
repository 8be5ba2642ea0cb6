//! Training delivery (S2–S5, S15): campaigns and their audience and completion rule, lecturers and
//! batch bookings, sessions and calendars, QR / code / roll-call / paper check-in, coverage,
//! door-to-door study and feedback.

pub mod audience;
pub mod checkin_code;
pub mod coverage;
pub mod delivery;
pub mod feedback;
pub mod model;
pub mod my_study;
pub mod pages;
pub mod store;
pub mod watching;
