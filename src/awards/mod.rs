//! Monthly awards (每月评优): criteria the committee sets per campaign; after a month ends (Shanghai)
//! the committee opens it, the system proposes awardees per unit (top N by the month's points,
//! ties at the Nth place all in, among those meeting the minimum sessions and volunteer hours),
//! the committee adds and removes, then publishes — the round fixed, each awardee's points added
//! through `points::award` once, and a certificate (奖状) PDF offered to each.

pub mod model;
mod pages;
pub mod publish;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;

use crate::db::Db;
use crate::points::{PointKind, model::rule_on};
use crate::state::AppState;

pub use model::{Criteria, Month, RoundStatus};
pub use publish::{Published, Refused, award_key};
pub use store::{MyAward, for_member};

/// The awards' pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/awards", get(pages::index))
        .route("/awards/criteria", post(pages::save_criteria))
        .route("/awards/months", post(pages::open_month))
        .route("/awards/{id}", get(pages::round::page))
        .route("/awards/{id}/add", post(pages::round::add))
        .route("/awards/{id}/members/{member_id}/remove", post(pages::round::remove))
        .route("/awards/{id}/publish", post(pages::round::publish))
        .route("/awards/{id}/certificates/{member_id}", get(pages::certificates::one))
        .route("/awards/{id}/units/{unit_id}/certificates", get(pages::certificates::unit))
}

/// The name certificates carry unless the committee set one: the sub-district's, with 党工委.
pub async fn default_issuer(db: &Db) -> Result<String, sqlx::Error> {
    Ok(crate::org::store::root(db).await?.map(|root| format!("{}党工委", root.name)).unwrap_or_default())
}

/// Points one hour of volunteer service earns under the rule in effect on `day` (0: no rule).
/// Volunteer service has no capability of its own yet: hours are read back from the ledger's
/// 志愿服务 points at this rate.
pub async fn volunteer_points_per_hour(db: &Db, day: NaiveDate) -> Result<i64, sqlx::Error> {
    let rules = crate::points::store::rules(db).await?;
    Ok(rule_on(&rules, PointKind::Volunteer, day).map_or(0, |rule| match rule.minutes_per_point {
        Some(minutes) if minutes > 0 => rule.points * 60 / minutes,
        _ => rule.points,
    }))
}
