//! The organisation tree (S1) and station brands (S7): sub-district → hub and 14 village
//! stations → branches. Each account sees only its own subtree.

pub mod model;
mod pages;
mod scope;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use scope::Scope;

/// The tree, unit pages, and brand profiles.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(pages::tree))
        .route("/org/units", post(pages::add))
        .route("/org/units/{id}", get(pages::detail))
        .route("/org/units/{id}/rename", post(pages::rename))
        .route("/org/units/{id}/move", post(pages::move_unit))
        .route("/org/units/{id}/retire", post(pages::retire))
        .route("/org/units/{id}/restore", post(pages::restore))
        .route("/org/units/{id}/profile", post(pages::save_profile))
}
