//! Each role's home page: counts and shortcuts for admins, a member's own study.

pub mod my_study;
mod pages;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// `/`.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(pages::home))
}
