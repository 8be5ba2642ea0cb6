//! `GET /deliveries`: the task list, overdue first, with open / overdue / done filters.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::auth::{CurrentUser, Role};
use crate::campaign::CurrentCampaign;
use crate::delivery::TaskStatus;
use crate::delivery::store::{self as deliveries, Task, TaskFilter};
use crate::org::Scope;
use crate::state::AppState;
use crate::web::extract::{Query, labels};
use crate::web::{AppResult, Shell};

/// Tasks listed at most.
const LIST_LIMIT: i64 = 500;

/// A task as a list card.
struct TaskRow {
    id: i64,
    member_name: String,
    unit_name: String,
    assignee_name: String,
    reason: String,
    due: String,
    overdue: bool,
    done: bool,
    visited: String,
    materials: Vec<String>,
    /// 住址, while the task is open (the detail page shows staff a done task's).
    address: Option<String>,
    link: bool,
}

impl TaskRow {
    fn of(t: &Task, today: NaiveDate, link: bool) -> Self {
        Self {
            id: t.id,
            member_name: t.member_name.clone(),
            unit_name: t.unit_name.clone(),
            assignee_name: t.assignee_name.clone(),
            reason: t.reason.clone(),
            due: t.due_on.format("%m月%d日").to_string(),
            overdue: t.is_overdue(today),
            done: t.status == TaskStatus::Done,
            visited: t.visited_on.map(|d| d.format("%m月%d日").to_string()).unwrap_or_default(),
            materials: t.material_names(),
            address: if t.status == TaskStatus::Open { t.member_address.clone() } else { None },
            link,
        }
    }
}

#[derive(Deserialize, Default)]
pub(in crate::delivery) struct ListQuery {
    #[serde(default)]
    status: String,
}

labels! {
    ListQuery { status: "状态" }
}

#[derive(Template)]
#[template(path = "delivery/list.html")]
struct ListPage {
    shell: Shell,
    is_admin: bool,
    is_member: bool,
    status: String,
    tasks: Vec<TaskRow>,
    open: usize,
    overdue: usize,
    done: usize,
}

/// The filter for this user: an admin's tasks in scope, a lecturer's or volunteer's own tasks,
/// a member's visits to them.
fn filter_for(user: &CurrentUser, campaign_id: Option<i64>) -> TaskFilter {
    let mut filter = TaskFilter {
        scope: Scope::whole_tree(),
        assignee_user_id: None,
        member_id: None,
        campaign_id,
        status: String::new(),
    };
    match user.role {
        Role::CommitteeAdmin | Role::StationAdmin => filter.scope = user.scope(),
        Role::Lecturer | Role::Volunteer => filter.assignee_user_id = Some(user.user_id),
        // A member sees the visits planned for them; an unlinked account sees none.
        Role::Member => filter.member_id = Some(user.member_id.unwrap_or(-1)),
    }
    filter
}

/// Whether a task is shown under a status filter ('' = all).
fn shown(task: &Task, status: &str, today: NaiveDate) -> bool {
    match status {
        "open" => task.status == TaskStatus::Open,
        "overdue" => task.is_overdue(today),
        "done" => task.status == TaskStatus::Done,
        _ => true,
    }
}

/// `GET /deliveries`: this user's tasks, overdue first.
pub(in crate::delivery) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    campaign: Option<CurrentCampaign>,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let today = crate::time::today();
    let filter = filter_for(&user, campaign.as_ref().map(|c| c.id));
    let all = deliveries::tasks(&state.db, &filter, today, LIST_LIMIT).await?;
    let status = match q.status.as_str() {
        "open" | "overdue" | "done" => q.status.clone(),
        _ => String::new(),
    };
    let link = user.role != Role::Member;
    let count = |status: &str| all.iter().filter(|t| shown(t, status, today)).count();
    let page = ListPage {
        shell: Shell::new(&user, "送学上门", "deliveries"),
        is_admin: user.role.is_admin(),
        is_member: user.role == Role::Member,
        open: count("open"),
        overdue: count("overdue"),
        done: count("done"),
        tasks: all.iter().filter(|t| shown(t, &status, today)).map(|t| TaskRow::of(t, today, link)).collect(),
        status,
    };
    Ok(Html(page.render()?))
}
