//! Rankings (积分排名, S10): members within their unit and across the sub-district, units by
//! points per member and by participation, for day, week, month, quarter and campaign; "my rank";
//! the hall's projector page; the committee's setting of what members may see; .xlsx exports.
//! Every answer comes from the in-memory rank index (`points::index`), kept level with the
//! ledger by [`LiveRanks`] (a sub-state of `AppState`).

mod board;
pub mod command;
pub mod export;
pub mod live;
pub mod model;
mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

pub use board::Asked;
pub use live::LiveRanks;
pub use pages::MyLine;
pub use pages::my_lines;

use crate::state::AppState;

/// The rankings pages, the setting, the projector page and the download.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rankings", get(pages::page))
        .route("/rankings/visibility", post(pages::set_sight))
        .route("/rankings/screen", get(pages::screen))
        .route("/rankings/export.xlsx", get(export::download))
}
