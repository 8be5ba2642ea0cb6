//! Rosters (花名册, S1): reading a roster file of any usual shape into members — every bad row
//! named, all or nothing, re-import idempotent — and writing the members back out as .xlsx.

pub mod command;
pub mod export;
pub mod import;
mod pages;
pub mod parse;
pub mod staging;
pub mod template;
pub mod xlsx;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// Roster upload and download.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/members/import", get(pages::import_form).post(pages::import_upload))
        .route("/members/import/template", get(pages::template))
        .route("/members/export", get(pages::export))
}
