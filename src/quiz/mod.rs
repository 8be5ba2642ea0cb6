//! The question bank (题库, issue 10): questions of four kinds, imported from the template's
//! sheet or from the rough banks branches pass around (understood, previewed, stored once
//! confirmed), listed with filters, exported in the template's shape.

pub mod command;
mod edit;
pub mod import;
pub mod model;
mod pages;
pub mod parse;
pub mod pick;
pub mod staging;
pub mod store;
pub mod xlsx;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The bank's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/questions", get(pages::bank))
        .route("/questions/import", get(pages::import_form).post(pages::upload))
        .route("/questions/import/confirm", post(pages::confirm))
        .route("/questions/export", get(pages::export))
        .route("/questions/{id}/edit", get(edit::form).post(edit::save))
}
