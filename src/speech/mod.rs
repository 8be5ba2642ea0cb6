//! Online speech contests (线上演讲比赛, S14; issue 12 item 3). Staff set a contest up in their
//! subtree with rounds (初赛, 决赛…), judges (chosen accounts) and a weighted rubric; members
//! below the contest's unit enter a round with a title, a script and a video (a link, or a file uploaded as the cloud
//! classroom's recordings are); judges score
//! each entry item by item from a phone; members vote (once per entry, never for themselves,
//! rate limited); the results follow the stated tie-break; finishing pays the last round's
//! placings once and offers certificates as the monthly awards do.

pub mod limits;
pub mod model;
mod pages;
pub mod store;

pub use limits::VoteLimiter;
pub use pages::finish::pay_placings;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// The speech contests' pages (`/speech…`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/speech", get(pages::index).post(pages::create))
        .route("/speech/{id}", get(pages::contest::show))
        .route("/speech/{id}/rounds/{round_id}", post(pages::contest::set_round))
        .route("/speech/{id}/entries", post(pages::entry::enter))
        .route("/speech/{id}/finish", post(pages::finish::finish))
        .route("/speech/{id}/certificates/{member_id}", get(pages::finish::certificate))
        .route("/speech/entries/{id}", get(pages::entry::show))
        .route("/speech/entries/{id}/score", post(pages::entry::score))
        .route("/speech/entries/{id}/vote", post(pages::entry::vote))
        // A video is streamed to disk under the recording cap, checked while it arrives, so the
        // app-wide body limit for forms does not apply here.
        .route(
            "/speech/entries/{id}/video",
            get(pages::video::play).post(pages::video::upload).layer(DefaultBodyLimit::disable()),
        )
}
