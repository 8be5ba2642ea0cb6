//! Village brands (品牌, S7): each station's service brand and training brand — name, slogan,
//! story, photos — on a public page anyone may open and share into WeChat, gathering the
//! village's recent 冬训+ activities, its sessions, its coverage rate (numbers only, never a
//! member's name) and its column articles; an index of every village's brands; staff edit their
//! own station's brands (the committee any); and the villages' comparison for the committee's
//! 对标找差 meetings (station admins may read it too: it holds only the aggregate numbers every
//! brand page shows), a month side by side with the movement against the month before.
//!
//! A room of its own rather than a corner of `org`: it reads five other rooms (activities,
//! coverage, column, schedule, points) that the unit tree must not depend on. `org` keeps the
//! `station_profiles` table it created; this room widens it (migration 0024) and owns the photos.

mod compare;
mod edit;
pub mod model;
mod public;
pub mod store;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Asia::Shanghai;

use crate::activities;
use crate::db::Db;
use crate::state::AppState;

pub use model::{Figures, Metric, Profile};

/// The public brand pages, staff's editing, and the comparison.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/brands", get(public::index))
        .route("/brands/compare", get(compare::page))
        .route("/brands/compare.xlsx", get(compare::download))
        .route("/brands/photos/{name}", get(public::photo))
        .route("/brands/{id}", get(public::page))
        .route("/brands/{id}/edit", get(edit::form).post(edit::save))
        .route("/brands/{id}/photos/{photo}/delete", post(edit::delete_photo))
}

/// Midnight at the start of a Shanghai day, in UTC.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_local_timezone(Shanghai).single().expect("Shanghai has no DST").to_utc()
}

/// Every village's figures over the Shanghai days `first..=last`: sessions held, 冬训+ activities
/// (approved hours only), people served, articles published, points, members.
pub async fn figures_between(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<HashMap<i64, Figures>, sqlx::Error> {
    let next = last.succ_opt().unwrap_or(last);
    let mut out = store::figures(db, (day_start(first), day_start(next)), (first, last), Utc::now()).await?;
    for t in activities::village_totals(db, first, last).await? {
        let f = out.entry(t.unit_id).or_default();
        f.activities = t.activities;
        f.volunteer_minutes = t.volunteer_minutes;
        f.people_served = t.people_served;
    }
    Ok(out)
}

/// The current campaign's coverage per village so far, per mille (absent: nobody expected).
pub async fn coverage(db: &Db) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let (Some(campaign), Some(root)) =
        (crate::campaign::store::current(db).await?, crate::org::store::root(db).await?)
    else {
        return Ok(HashMap::new());
    };
    let (rates, _, _) =
        crate::coverage::viewer_rates(db, &campaign, (root.id, &root.name, &root.path)).await?;
    Ok(rates.into_iter().filter(|r| !r.direct && r.audience > 0).map(|r| (r.unit_id, r.permille())).collect())
}

/// The current campaign's coverage per village as it stood at the end of `month` (or now, for
/// the month under way), per mille — computed from the attendances and visits made by then
/// (`coverage::unit_counts_until`), so the comparison can show how coverage moved.
pub async fn coverage_at_end_of(
    db: &Db,
    month: crate::awards::Month,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let (Some(campaign), Some(root)) =
        (crate::campaign::store::current(db).await?, crate::org::store::root(db).await?)
    else {
        return Ok(HashMap::new());
    };
    let next_day = month.next().first_day().and_hms_opt(0, 0, 0).expect("midnight");
    let until = next_day.and_local_timezone(chrono_tz::Asia::Shanghai).single().map(|t| t.to_utc());
    let until = until.filter(|t| *t <= chrono::Utc::now());
    let counts = crate::coverage::unit_counts_until(db, &campaign, &root.path, until).await?;
    let villages = store::villages(db).await?;
    Ok(counts
        .into_iter()
        .filter(|(_, audience, _)| *audience > 0)
        .filter_map(|(key, audience, covered)| {
            let village = villages.iter().find(|u| u.path == key)?;
            Some((village.id, crate::coverage::rollup::permille(covered, audience)))
        })
        .collect())
}
