//! Members (党员): list and search, detail, edit, masked personal data; the validated types a
//! member is made of (phone, ID card, dates, categories). Roster files are `roster/`.

pub mod categories;
pub mod dates;
pub mod doubt;
pub mod id_card;
pub mod model;
mod pages;
pub mod phone;
pub mod search;
pub mod search_keys;
pub mod store;
pub mod text;
pub mod vault;

pub use vault::IdCardVault;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Member pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/members", get(pages::list).post(pages::create))
        .route("/members/new", get(pages::new_form))
        .route("/members/{id}", get(pages::detail).post(pages::update))
        .route("/members/{id}/edit", get(pages::edit_form))
        .route("/members/{id}/reveal", post(pages::reveal))
        .route("/members/{id}/doubt/clear", post(pages::clear_doubt))
}
