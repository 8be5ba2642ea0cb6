//! The cloud classroom (S13): online study today — a member joins a live broadcast through the
//! app or watches a recording until 90 % of it has played — and later materials and series.

pub mod model;
mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Online study routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/online", get(pages::page).post(pages::identify_member))
        .route("/sessions/{id}/online/live", post(pages::join_live))
        .route("/sessions/{id}/online/progress", post(pages::progress))
}
