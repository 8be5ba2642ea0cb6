//! The activities' pages. Staff (committee anywhere, station admins in their subtree) keep the
//! activities; anyone with an account reports their own hours on an activity of their station.

mod detail;
mod form;
mod hours;
mod reports;

pub(super) use detail::{add_follow_up, add_photo, detail, photo};
pub(super) use form::{create, edit_form, new_form, update};
pub(super) use hours::{add_volunteer, mine, report_hours, review};
pub(super) use reports::{reports, reports_xlsx};

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::model::{hours_text, month_days};
use super::store::{self, Activity};
use crate::auth::{AdminUser, CurrentUser};
use crate::org::Scope;
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// The subtree of the user's station (their unit's first two levels): the activities they may
/// report hours on. A user at the sub-district itself sees every station's.
pub(super) fn station_scope(user: &CurrentUser) -> Scope {
    const STATION_PATH: usize = 23; // "/" + 10 digits + "/" + 10 digits + "/"
    let path = &user.unit_path;
    Scope::of_unit(if path.len() >= STATION_PATH { &path[..STATION_PATH] } else { path })
}

/// An activity the user may see: staff in their subtree, anyone else in their station.
pub(super) async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Activity> {
    let scope = if user.role.is_admin() { user.scope() } else { station_scope(user) };
    store::get(&state.db, id, &scope).await?.ok_or(AppError::NotFound)
}

/// The current month as `YYYY-MM`.
pub(super) fn this_month() -> String {
    let today = crate::time::today();
    format!("{:04}-{:02}", today.year(), today.month())
}

/// The month asked for (or this one) and its days.
pub(super) fn month_or_this(asked: &str) -> AppResult<(String, (NaiveDate, NaiveDate))> {
    let month = if asked.trim().is_empty() { this_month() } else { asked.trim().to_owned() };
    let days =
        month_days(&month).ok_or_else(|| AppError::BadRequest("月份：请按 2021-01 的格式填写".into()))?;
    Ok((month, days))
}

/// The list's filters.
#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    unit_id: String,
}

labels! {
    ListQuery { month: "月份", unit_id: "单位" }
}

/// One line of the list.
struct Line {
    id: i64,
    title: String,
    kind: String,
    unit: String,
    held_on: NaiveDate,
    volunteers: i64,
    hours: String,
    served: i64,
}

#[derive(Template)]
#[template(path = "activities/list.html")]
struct ListPage {
    shell: Shell,
    month: String,
    unit_id: i64,
    units: Vec<(i64, String)>,
    lines: Vec<Line>,
    waiting: usize,
}

/// `GET /activities?month=&unit_id=`: the activities of a month in the admin's subtree (or one
/// unit of it), with how many reported hours wait for review.
pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let (month, days) = month_or_this(&query.month)?;
    let scope = user.scope();
    let units = org_store::active_units_in_scope(&state.db, &scope).await?;
    let unit = crate::web::form::optional_id(&query.unit_id).and_then(|id| units.iter().find(|u| u.id == id));
    let unit_scope = unit.map(|u| Scope::of_unit(&u.path));
    let activities = store::list(&state.db, &scope, unit_scope.as_ref(), days).await?;
    let waiting = super::volunteers::waiting(&state.db, &scope).await?.len();
    let lines = activities
        .into_iter()
        .map(|a| Line {
            id: a.id,
            served: a.served().total(),
            hours: hours_text(a.approved_minutes),
            title: a.title,
            kind: a.kind_name,
            unit: a.unit_name,
            held_on: a.held_on,
            volunteers: a.volunteers,
        })
        .collect();
    let page = ListPage {
        shell: Shell::new(&user, "冬训+活动", "home"),
        month,
        unit_id: unit.map_or(0, |u| u.id),
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
        lines,
        waiting,
    };
    Ok(Html(page.render()?))
}
