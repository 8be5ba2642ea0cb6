//! Account administration: admins create accounts inside their subtree, reset passwords, change
//! roles and switch accounts on and off. (Logging in is `auth`.)

mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Account administration routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(pages::list).post(pages::create))
        .route("/accounts/new", get(pages::new_form))
        .route("/accounts/{id}/reset-password", post(pages::reset_password))
        .route("/accounts/{id}/role", post(pages::change_role))
        .route("/accounts/{id}/active", post(pages::set_active))
}
