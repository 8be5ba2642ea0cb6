//! `/activities/reports`: volunteer hours per person and per village, people served per category
//! and village, for a month or the whole campaign (approved hours only), and its .xlsx.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::month_or_this;
use crate::activities::model::{SERVED, hours_text};
use crate::activities::report::{self, PersonHours, VillageRow};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::state::AppState;
use crate::web::extract::{Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// Which stretch: `month=YYYY-MM`, or `period=campaign`.
#[derive(Deserialize, Default)]
pub(in crate::activities) struct ReportQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    period: String,
}

labels! {
    ReportQuery { month: "月份", period: "统计范围" }
}

/// The stretch asked for: (label, query string, days).
fn stretch(
    query: &ReportQuery,
    campaign: &CurrentCampaign,
) -> AppResult<(String, String, (NaiveDate, NaiveDate))> {
    if query.period == "campaign" {
        return Ok((campaign.name.clone(), "period=campaign".into(), (campaign.starts_on, campaign.ends_on)));
    }
    let (month, days) = month_or_this(&query.month)?;
    Ok((month.clone(), format!("month={month}"), days))
}

#[derive(Template)]
#[template(path = "activities/reports.html")]
struct ReportsPage {
    shell: Shell,
    label: String,
    query: String,
    month: String,
    campaign: bool,
    people: Vec<PersonHours>,
    villages: Vec<VillageRow>,
    categories: Vec<&'static str>,
    total_hours: String,
    total_served: i64,
}

impl ReportsPage {
    fn hours(&self, minutes: &i64) -> String {
        hours_text(*minutes)
    }
}

async fn rows(
    state: &AppState,
    user: &CurrentUser,
    days: (NaiveDate, NaiveDate),
) -> AppResult<(Vec<PersonHours>, Vec<VillageRow>)> {
    let scope = user.scope();
    Ok((
        report::per_person(&state.db, &scope, days).await?,
        report::per_village(&state.db, &scope, days).await?,
    ))
}

/// `GET /activities/reports?month=|period=campaign`.
pub(in crate::activities) async fn reports(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: CurrentCampaign,
    Query(query): Query<ReportQuery>,
) -> AppResult<Html<String>> {
    let (label, qs, days) = stretch(&query, &campaign)?;
    let (people, villages) = rows(&state, &user, days).await?;
    let page = ReportsPage {
        shell: Shell::new(&user, "志愿时长与服务统计", "home"),
        month: if query.period == "campaign" { super::this_month() } else { label.clone() },
        campaign: query.period == "campaign",
        label,
        query: qs,
        total_hours: hours_text(villages.iter().map(|v| v.minutes).sum()),
        total_served: villages.iter().map(|v| v.served().iter().sum::<i64>()).sum(),
        people,
        villages,
        categories: SERVED.iter().map(|(_, l)| *l).collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /activities/reports.xlsx?…`: the same in three sheets (activities, volunteers, villages),
/// audited as an export (it names volunteers).
pub(in crate::activities) async fn reports_xlsx(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: CurrentCampaign,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let (label, _, days) = stretch(&query, &campaign)?;
    let (people, villages) = rows(&state, &user, days).await?;
    let lines = report::activity_lines(&state.db, &user.scope(), days).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let built = report::activities_sheet(&mut book, &lines)
        .and_then(|_| report::people_sheet(&mut book, &people))
        .and_then(|_| report::villages_sheet(&mut book, &villages))
        .and_then(|_| book.save_to_buffer());
    let bytes = built.map_err(|e| AppError::Internal(e.into()))?;
    let detail = format!("{label}：{}项活动，{}名志愿者", lines.len(), people.len());
    audit::record(&state.db, &Actor::user(&user), Action::Export, "冬训+活动统计", &detail, true).await?;
    Ok(crate::web::download::xlsx("activities.xlsx", &format!("冬训+活动统计-{label}.xlsx"), bytes))
}
