//! Excel reports (S4, S15, S16): coverage per unit and per member, attendance per session,
//! lecturers' workload, door-to-door visits. Every download is audited by its caller.

pub mod command;
mod pages;
mod sheets;

use axum::Router;
use axum::routing::get;

pub use sheets::{attendance_xlsx, lecturers_xlsx, visits_xlsx};

use crate::campaign::store::Campaign;
use crate::coverage;
use crate::db::Db;
use crate::org::store::{self as org_store, Unit};
use crate::state::AppState;

/// Report downloads.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/attendance.xlsx", get(pages::attendance))
        .route("/reports/lecturers.xlsx", get(pages::lecturers))
        .route("/reports/visits.xlsx", get(pages::visits))
}

/// The coverage workbook of a campaign as seen from `unit` (its subtree, rolled up by its
/// children): the bytes and the number of members in it. Used by the CLI.
pub async fn coverage_workbook(
    db: &Db,
    campaign: &Campaign,
    unit: &Unit,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let scope = unit.scope();
    let report = coverage::compute(db, campaign, &scope).await?;
    let children: Vec<(i64, String, String)> = org_store::active_units_in_scope(db, &scope)
        .await?
        .into_iter()
        .filter(|u| u.parent_id == Some(unit.id))
        .map(|u| (u.id, u.name, u.path))
        .collect();
    let rates = report.by_unit((unit.id, &unit.name, &unit.path), &children);
    let title = format!("{}覆盖情况（{}）", campaign.name, unit.name);
    let count = report.members.len();
    let bytes =
        tokio::task::spawn_blocking(move || coverage::coverage_xlsx(&title, &report, &rates)).await??;
    Ok((bytes, count))
}
