//! Quiz practice (答题练习, issue 10 item 3): a member's daily quiz (five questions, unseen first,
//! points through `points::award` once a day), practice by topic, the mistakes book, and timed
//! topic exams set by committee or station staff. Every answer is stored when sent, once, so a
//! dropped connection loses nothing and a reopened round resumes at its first unanswered question.

pub mod exam_input;
pub mod model;
mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The practice pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/practice", get(pages::hub::hub))
        .route("/practice/daily", post(pages::hub::start_daily))
        .route("/practice/topic", post(pages::hub::start_topic))
        .route("/practice/mistakes", get(pages::hub::mistakes).post(pages::hub::start_mistakes))
        .route("/practice/rounds/{id}", get(pages::round::show))
        .route("/practice/rounds/{id}/answer", post(pages::round::answer))
        .route("/practice/rounds/{id}/items/{position}", get(pages::round::graded))
        .route("/practice/exams", get(pages::exams::list).post(pages::exams::create))
        .route("/practice/exams/{id}", get(pages::exams::results))
        .route("/practice/exams/{id}/start", post(pages::exams::start))
}
