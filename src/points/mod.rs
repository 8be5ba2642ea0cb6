//! Study points (积分): the rules table, the append-only ledger, and the one function every
//! earning path calls, [`award`], inside the caller's own transaction. Totals are derived from
//! the ledger (or the counter rows kept with it in the same transaction); a correction is a
//! compensating entry, audited.

pub mod batch;
pub mod earn;
pub mod index;
pub mod ingest;
pub mod ledger;
pub mod mine;
pub mod model;
pub mod offline;
mod pages;
pub mod rule_input;
pub mod simple;
pub mod store;

pub use batch::{award_batch, award_batch_self_declared};
pub use earn::take_back;
pub use model::{PointKind, Rule};
pub use store::{Award, Awarded, Entry, award, award_self_declared, correct};

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The rules page, a member's own points, staff's ledger views with corrections and offline
/// points (one at a time and from a sheet).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/points/rules", get(pages::rules::list))
        .route("/points/rules/{kind}", get(pages::rules::show).post(pages::rules::update))
        .route("/points/me", get(pages::mine::history))
        .route("/points/members", get(pages::ledger::search))
        .route("/points/members/{id}", get(pages::ledger::show))
        .route("/points/members/{id}/offline", post(pages::ledger::record_offline))
        .route("/points/members/{id}/entries/{entry}/correct", post(pages::ledger::correct))
        .route("/points/import", get(pages::sheet::form).post(pages::sheet::upload))
        .route("/points/import/template", get(pages::sheet::template))
}
