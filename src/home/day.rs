//! The day's work on a staff member's home page: for a secretary (an admin), today's sessions in
//! their subtree and how many of the audience are not yet covered; for a volunteer or lecturer,
//! the door-to-door visits still waiting for them.

use chrono::{Duration, NaiveTime};

use crate::auth::CurrentUser;
use crate::campaign::store::Campaign;
use crate::coverage;
use crate::delivery::store::{self as deliveries, TaskFilter};
use crate::org::Scope;
use crate::schedule::model::SessionStatus;
use crate::schedule::store::sessions;
use crate::state::AppState;
use crate::web::AppResult;

/// Visits listed at most on the home page (the rest are one tap away).
const VISITS_SHOWN: i64 = 20;

/// A session held today, as the home page lists it.
pub struct TodaySession {
    /// Id.
    pub id: i64,
    /// "09:00–10:30".
    pub time: String,
    /// Title.
    pub title: String,
    /// Where.
    pub place: String,
    /// Cancelled (still listed, marked).
    pub cancelled: bool,
}

/// An admin's day: today's sessions and the uncovered count of the current campaign.
pub struct AdminDay {
    /// Today's sessions in the admin's subtree.
    pub sessions: Vec<TodaySession>,
    /// Audience members not yet covered (none without a current campaign).
    pub uncovered: Option<i64>,
    /// Audience size.
    pub audience: i64,
}

/// A door-to-door visit waiting for the user.
pub struct PendingVisit {
    /// Task id.
    pub id: i64,
    /// Member visited.
    pub member: String,
    /// Where: station · branch.
    pub place: String,
    /// The member's 住址 (the user is the open task's assignee), if recorded.
    pub address: Option<String>,
    /// Due, e.g. "12月05日".
    pub due: String,
    /// Past its due date.
    pub overdue: bool,
}

/// The admin's day in their subtree.
pub async fn admin_day(
    state: &AppState,
    user: &CurrentUser,
    campaign: Option<&Campaign>,
) -> AppResult<AdminDay> {
    let today = crate::time::today();
    let from = crate::web::form::local_to_utc(today, NaiveTime::MIN)?;
    let scope = user.scope();
    let sessions =
        sessions::between(&state.db, from, from + Duration::days(1), Some(&scope), &user.unit_path)
            .await?
            .into_iter()
            .filter(|s| campaign.is_none_or(|c| c.id == s.campaign_id))
            .map(|s| TodaySession {
                id: s.id,
                time: format!("{}–{}", hm(s.starts_at), hm(s.ends_at)),
                place: if s.venue_name.is_empty() { s.place } else { s.venue_name },
                cancelled: s.status == SessionStatus::Cancelled,
                title: s.title,
            })
            .collect();
    let (uncovered, audience) = match campaign {
        Some(campaign) => {
            let viewer = (user.unit_id, user.unit_name.as_str(), user.unit_path.as_str());
            let (_, audience, covered) = coverage::viewer_rates(&state.db, campaign, viewer).await?;
            (Some(audience - covered), audience)
        }
        None => (None, 0),
    };
    Ok(AdminDay { sessions, uncovered, audience })
}

/// The open door-to-door tasks assigned to the user in the current campaign, overdue first, and
/// how many there are in all.
pub async fn pending_visits(
    state: &AppState,
    user: &CurrentUser,
    campaign: Option<&Campaign>,
) -> AppResult<(Vec<PendingVisit>, usize)> {
    let Some(campaign) = campaign else {
        return Ok((Vec::new(), 0));
    };
    let today = crate::time::today();
    let filter = TaskFilter {
        scope: Scope::whole_tree(),
        assignee_user_id: Some(user.user_id),
        member_id: None,
        campaign_id: Some(campaign.id),
        status: "open".to_owned(),
    };
    let tasks = deliveries::tasks(&state.db, &filter, today, 500).await?;
    let total = tasks.len();
    let shown = tasks
        .iter()
        .take(VISITS_SHOWN as usize)
        .map(|t| PendingVisit {
            id: t.id,
            member: t.member_name.clone(),
            place: match &t.station_name {
                Some(station) => format!("{station} · {}", t.unit_name),
                None => t.unit_name.clone(),
            },
            address: t.member_address.clone(),
            due: t.due_on.format("%m月%d日").to_string(),
            overdue: t.is_overdue(today),
        })
        .collect();
    Ok((shown, total))
}

/// "09:05" in Shanghai time.
fn hm(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::time::local_datetime(at).rsplit(' ').next().unwrap_or_default().to_owned()
}
