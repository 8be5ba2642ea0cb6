//! Study points (积分): the rules table, the append-only ledger, and the one function every
//! earning path calls, [`award`], inside the caller's own transaction. Totals are derived from
//! the ledger (or the counter rows kept with it in the same transaction); a correction is a
//! compensating entry, audited.

pub mod batch;
pub mod index;
pub mod ingest;
pub mod mine;
pub mod model;
pub mod store;

pub use batch::award_batch;
pub use model::{PointKind, Rule};
pub use store::{Award, Awarded, Entry, award, correct};
