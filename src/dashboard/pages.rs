//! The overview page.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::{Duration, NaiveTime};

use super::store::{self, Workload};
use crate::auth::AdminUser;
use crate::campaign::CurrentCampaign;
use crate::campaign::store as campaigns;
use crate::coverage;
use crate::feedback::{self, store as feedback_store};
use crate::formats::chart::{bar_chart_svg, line_chart_svg};
use crate::state::AppState;
use crate::web::{AppResult, Shell};

/// Days the attendance trend covers.
const TREND_DAYS: i64 = 21;

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    shell: Shell,
    campaign_name: String,
    rule: String,
    audience: i64,
    covered: i64,
    rate: String,
    coverage_chart: String,
    trend_chart: String,
    week_sessions: i64,
    week_held: i64,
    today_attendance: i64,
    open_tasks: i64,
    overdue_tasks: i64,
    needs: Vec<(&'static str, usize)>,
    workload: Vec<(String, &'static str, i64, i64, i64)>,
}

pub(super) async fn overview(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
) -> AppResult<Html<String>> {
    let scope = user.scope();
    let today = crate::time::today();

    let viewer = (user.unit_id, user.unit_name.as_str(), user.unit_path.as_str());
    let (rates, audience, covered) = coverage::viewer_rates(&state.db, &campaign, viewer).await?;
    let bars: Vec<(String, f64)> = rates
        .iter()
        .filter(|r| r.audience > 0)
        .map(|r| (r.unit_name.clone(), r.permille() as f64 / 10.0))
        .collect();
    let coverage_chart = bar_chart_svg("各单位冬训覆盖率", &bars, Some(100.0), "%");

    let since = crate::web::form::local_to_utc(today - Duration::days(TREND_DAYS - 1), NaiveTime::MIN)?;
    let daily = store::daily_attendance(&state.db, campaign.id, &scope, since).await?;
    let points: Vec<(String, f64)> = (0..TREND_DAYS)
        .map(|i| {
            let day = today - Duration::days(TREND_DAYS - 1 - i);
            (day.format("%m-%d").to_string(), daily.get(&day).copied().unwrap_or(0) as f64)
        })
        .collect();
    let trend_chart = line_chart_svg("每日参学人次", &points, "");

    let monday = today - Duration::days(i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
    let week_from = crate::web::form::local_to_utc(monday, NaiveTime::MIN)?;
    let (week_sessions, week_held) =
        store::sessions_between(&state.db, campaign.id, &scope, week_from, week_from + Duration::days(7))
            .await?;
    let (open_tasks, overdue_tasks) = store::open_deliveries(&state.db, campaign.id, &scope, today).await?;

    let rows = feedback_store::in_scope(&state.db, campaign.id, &scope).await?;
    let mut needs: Vec<(&'static str, usize)> = feedback::WANT_TAGS
        .iter()
        .map(|(code, label)| {
            (*label, rows.iter().filter(|r| r.wants_tags.split(',').any(|t| t == *code)).count())
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    needs.sort_by_key(|n| std::cmp::Reverse(n.1));
    needs.truncate(5);

    let workload = store::lecturer_workload(&state.db, campaign.id, &scope)
        .await?
        .into_iter()
        .take(10)
        .map(|w: Workload| (w.name, w.kind.label(), w.held, w.upcoming, w.attendances))
        .collect();
    let rule = campaigns::completion_rule(&state.db, &campaign).await?.describe();
    let page = OverviewPage {
        shell: Shell::new(&user, "冬训总览", "home"),
        campaign_name: campaign.name,
        rule,
        audience,
        covered,
        // Said as the coverage page says it (rounded down, "63%" not "63.0%").
        rate: coverage::rollup::rate_text(covered, audience),
        coverage_chart,
        trend_chart,
        week_sessions,
        week_held,
        today_attendance: daily.get(&today).copied().unwrap_or(0),
        open_tasks,
        overdue_tasks,
        needs,
        workload,
    };
    Ok(Html(page.render()?))
}
