//! Check-in (S4): rotating codes on the projector, a member's QR or code check-in, staff roll
//! call, the printable sign-in sheet and entry from paper. Every path records an attendance
//! exactly once per member and session.

pub mod batch;
pub mod code;
pub mod limits;
pub mod model;
mod pages;
pub mod store;
mod writer;

use axum::Router;

use crate::state::AppState;

pub use limits::Guesser;
pub use pages::identify;
pub use writer::CheckinWriter;

/// Check-in routes.
pub fn router() -> Router<AppState> {
    pages::router()
}
