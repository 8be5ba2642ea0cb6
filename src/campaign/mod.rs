//! Campaigns (S2): a season's dates, its audience (冬训对象: units and categories, minus
//! exclusions), its compulsory topics, and the completion rule that says when a member is done.

pub mod audience;
mod current;
mod input;
pub mod model;
mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use current::CurrentCampaign;

/// Campaign routes. The committee edits; station admins read.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(pages::list).post(pages::create))
        .route("/campaigns/{id}", get(pages::detail).post(pages::update))
        .route("/campaigns/{id}/current", post(pages::make_current))
        .route("/campaigns/{id}/topics", post(pages::add_topic))
        .route("/campaigns/{id}/exclusions", post(pages::exclude))
        .route("/campaigns/{id}/exclusions/{member_id}/remove", post(pages::include))
}
