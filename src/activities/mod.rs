//! 冬训+ volunteer service activities (S6): 春联义写, 走访慰问, 手工制作 … held by a unit on a
//! day, with volunteers and their hours (reported, then approved or corrected by staff) and the
//! people served counted by category — counts, not names (migration 0023).
//!
//! `village_totals` is the public summary other rooms read (the villages' comparison page, a
//! village's brand page): what each station did between two days, counting approved hours only.

pub mod model;
mod pages;
pub mod public;
pub mod report;
pub mod store;
pub mod totals;
pub mod volunteers;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use totals::{VillageActivityTotals, village_totals};

/// The activities' pages: staff's list, form, reports and reviews; everyone's 报志愿时长.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(pages::list).post(pages::create))
        .route("/activities/new", get(pages::new_form))
        .route("/activities/mine", get(pages::mine))
        .route("/activities/reports", get(pages::reports))
        .route("/activities/reports.xlsx", get(pages::reports_xlsx))
        .route("/activities/photos/{id}", get(pages::photo))
        .route("/activities/hours/{id}/review", post(pages::review))
        .route("/activities/{id}", get(pages::detail))
        .route("/activities/{id}/edit", get(pages::edit_form).post(pages::update))
        .route("/activities/{id}/follow-ups", post(pages::add_follow_up))
        .route("/activities/{id}/photos", post(pages::add_photo))
        .route("/activities/{id}/hours", post(pages::report_hours))
        .route("/activities/{id}/volunteers", post(pages::add_volunteer))
}
