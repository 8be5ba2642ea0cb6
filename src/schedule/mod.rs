//! Scheduling (S3): the lecturer pool and venues, sessions (场次) of every kind with their
//! conflict checks, batch bookings by villages (分批次), and week calendars.

pub mod model;
mod pages;
pub mod store;

use axum::Router;

use crate::auth::CurrentUser;
use crate::db::Db;
use crate::state::AppState;
use store::lecturers;
use store::sessions::TrainingSession;

/// Lecturer, venue, session and booking routes.
pub fn router() -> Router<AppState> {
    pages::router()
}

/// Whether the user runs this session: an admin whose subtree hosts it, or its lecturer.
pub async fn may_manage(db: &Db, user: &CurrentUser, session: &TrainingSession) -> Result<bool, sqlx::Error> {
    if user.role.is_admin() && user.covers(&session.unit_path) {
        return Ok(true);
    }
    let lecturer = lecturers::by_user(db, user.user_id).await?;
    Ok(lecturer.is_some_and(|l| Some(l.id) == session.lecturer_id))
}
