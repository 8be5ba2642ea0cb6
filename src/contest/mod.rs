//! The quarterly live knowledge contest (知识竞赛, issue 10 item 4): staff set one up from the
//! question bank and host it on the projector; phones join with a six-digit code and answer over
//! a WebSocket. Every answer is stored before it is acknowledged and counted once; placings earn
//! points when the host finishes.

mod answers;
mod host;
pub mod join;
pub mod live;
pub mod model;
mod pages;
mod snapshot;
pub mod socket;
pub mod store;

pub use host::fix_results;
pub use live::ContestRooms;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Staff's pages and the host screen (`/contests…`), and the phones' (`/contest…`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contests", get(pages::index).post(pages::create))
        .route("/contests/host.js", get(host::host_script))
        .route("/contests/{id}", get(pages::show))
        .route("/contests/{id}/host", get(host::screen))
        .route("/contests/{id}/control", post(host::control))
        .route("/contests/{id}/export", get(pages::export))
        .route("/contests/{id}/screen/ws", get(socket::screen))
        .route("/contest", get(join::form).post(join::join))
        .route("/contest/play.js", get(host::play_script))
        .route("/contest/{id}/play", get(join::play))
        .route("/contest/{id}/ws", get(socket::phone))
}
