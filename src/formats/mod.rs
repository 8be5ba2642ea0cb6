//! Readers for files that users upload (spreadsheets and CSV).

pub mod table;
