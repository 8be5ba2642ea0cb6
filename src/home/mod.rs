//! Each role's home page with the day's work (an admin's sessions today and uncovered count, a
//! volunteer's pending visits, a member's own study) and 我的, a page of the user's own.

mod day;
mod me;
pub mod my_study;
mod pages;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// `/` and `/me`.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(pages::home)).route("/me", get(me::page))
}
