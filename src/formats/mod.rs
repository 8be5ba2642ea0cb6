//! Readers for files that users upload (spreadsheets and CSV).

pub mod chart;
pub mod gate;
pub mod pdf;
pub mod photo;
pub mod qr;
pub mod table;
