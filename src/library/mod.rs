//! The study library (学习资料, S8): articles and links curated by the theory-study volunteer
//! team, by category and tag; an article counts as read when the member stayed its minimum time
//! and reached its end (heartbeats from the page, summed on the server), earning 阅读文章 points;
//! PDFs uploaded into the data directory and read in the browser; curated lists (本周学习) pushed to a unit's members, shown on their home page;
//! books, physical copies with a stock that door-to-door visits draw down (`stock.rs`).

pub mod model;
mod pages;
pub mod stock;
pub mod store;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::db::Db;
use crate::state::AppState;

/// Library routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/library", get(pages::index).post(pages::create))
        .route("/library/new", get(pages::new))
        .route("/library/lists", get(pages::lists).post(pages::create_list))
        // A PDF is streamed to disk under its own cap (`DONGXUN_MAX_DOCUMENT_MB`), checked while
        // it arrives, so the app-wide body limit for forms does not apply here.
        .route("/library/pdf", post(pages::upload_pdf).layer(DefaultBodyLimit::disable()))
        .route("/library/{id}", get(pages::show))
        .route("/library/{id}/pdf", get(pages::pdf))
        .route("/library/{id}/beat", post(pages::beat))
        .route("/library/{id}/stock", post(pages::change_stock))
}

/// A list pushed to a member, with its items and whether each was read.
pub struct MemberList {
    /// Title (本周学习).
    pub title: String,
    /// Due day, `YYYY-MM-DD`.
    pub due_on: String,
    /// (item id, title, read).
    pub items: Vec<(i64, String, bool)>,
}

/// The lists pushed to the member's unit (or one above it) and not yet past due: for their home page.
pub async fn lists_for_member(db: &Db, member_id: i64) -> Result<Vec<MemberList>, sqlx::Error> {
    let mut out = Vec::new();
    for list in store::lists_for_member(db, member_id, crate::time::today()).await? {
        out.push(MemberList {
            title: list.title,
            due_on: list.due_on.to_string(),
            items: store::list_items(db, list.id, member_id).await?,
        });
    }
    Ok(out)
}
