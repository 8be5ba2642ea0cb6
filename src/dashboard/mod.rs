//! The committee's overview (S16): how the campaign is going, at a glance — coverage by village,
//! sessions this week, the attendance trend, open door-to-door tasks, top needs from feedback and
//! lecturers' workload. Charts are SVG drawn on the server, so nothing loads from other hosts.

mod pages;
pub mod store;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// The overview page.
pub fn router() -> Router<AppState> {
    Router::new().route("/overview", get(pages::overview))
}
