//! Debates (辩论赛, S14, issue 12 item 4): staff draw a single-elimination bracket of teams
//! (villages or branches, each with its debaters) seeded from the order typed, byes for the top
//! seeds; each match has a motion, 正方 and 反方, a time and place, and optionally a live session
//! of the cloud classroom or a live room to join online. Judges cast one ballot per match with a
//! reason and a best debater; closing a match decides it by majority and moves the winner on,
//! and the final crowns the champion. Placings and best debaters earn points.

mod ballot;
pub mod bracket;
mod match_pages;
pub mod model;
mod pages;
pub mod resolve;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::auth::CurrentUser;
use crate::org::Scope;
use crate::state::AppState;
use store::Debate;

/// The tournaments (`/debates…`), their matches and the judges' ballots.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/debates", get(pages::index).post(pages::create))
        .route("/debates/{id}", get(pages::show))
        .route("/debates/matches/{id}", get(match_pages::show))
        .route("/debates/matches/{id}/setup", post(match_pages::setup))
        .route("/debates/matches/{id}/ballot", get(ballot::form).post(ballot::cast))
        .route("/debates/matches/{id}/close", post(ballot::close))
}

/// The subtree whose tournaments a user sees as staff: an admin's own; nobody else's (they see
/// those over their unit and those they judge).
fn viewer_scope(user: &CurrentUser) -> Option<Scope> {
    user.role.is_admin().then(|| user.scope())
}

/// Whether the user runs the tournament: an admin whose subtree holds it.
fn may_manage(user: &CurrentUser, debate: &Debate) -> bool {
    user.role.is_admin() && user.covers(&debate.unit_path)
}
