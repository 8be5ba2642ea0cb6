//! Scheduling pages: the lecturer pool and venues, the calendar and one session, batch bookings.

mod booking;
mod lecturers;
mod session_form;
mod sessions;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Lecturer, venue, session and booking routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/lecturers", get(lecturers::list).post(lecturers::create))
        .route("/venues", post(lecturers::create_venue))
        .route("/sessions", get(sessions::calendar).post(sessions::create))
        .route("/sessions/new", get(sessions::new_form))
        .route("/sessions/{id}", get(sessions::detail))
        .route("/sessions/{id}/cancel", post(sessions::cancel))
        .route("/bookings/new", get(booking::form))
        .route("/bookings", post(booking::create))
}
