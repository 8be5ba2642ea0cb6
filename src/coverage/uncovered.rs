//! The uncovered list (未覆盖党员) and its one action: door-to-door tasks for the ticked members,
//! or for every member the filters find (全选).
//! Counting per reason, filtering and paging happen in the database (see [`super::members`]), so
//! the committee's list at city scale reads one page of names, not the whole audience.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use super::assign::{DeliveriesForm, assignees_in_scope, check};
use super::pages::{LIST_LIMIT, Marks, MemberRow, no_campaign};
use super::{MemberFilter, Reason};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::audience;
use crate::campaign::store::{self as campaigns, Campaign};
use crate::delivery::store::{self as deliveries, NewTask};
use crate::org::Scope;
use crate::org::store::{self as org_store, Unit};
use crate::state::AppState;
use crate::web::extract::{Form, Query, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Deserialize, Default)]
pub(super) struct UncoveredQuery {
    #[serde(default)]
    reason: String,
    unit: Option<i64>,
    page: Option<usize>,
}

labels! {
    UncoveredQuery { reason: "原因", unit: "单位", page: "页码" }
}

#[derive(Template)]
#[template(path = "coverage/uncovered.html")]
struct UncoveredPage {
    shell: Shell,
    campaign: Campaign,
    reason: String,
    unit: i64,
    reasons: Vec<(&'static str, &'static str, i64)>,
    units: Vec<(i64, String)>,
    members: Vec<MemberRow>,
    shown_total: usize,
    all_uncovered: i64,
    /// 1-based page of the list, and links to the pages around it ('' when there is none).
    page: usize,
    previous_page: String,
    next_page: String,
    assignees: Vec<(i64, String)>,
    materials: Vec<(i64, String, String)>,
    due_on: String,
    today: String,
    /// The action's problems, and what was chosen, when it is shown again after a refusal.
    errors: Vec<String>,
    checked: Vec<i64>,
    all: bool,
    assignee: i64,
    chosen_materials: Vec<i64>,
}

impl UncoveredPage {
    fn is_checked(&self, id: &i64) -> bool {
        self.all || self.checked.contains(id)
    }

    fn material_chosen(&self, id: &i64) -> bool {
        self.chosen_materials.contains(id)
    }
}

/// The scope the list's unit filter names (the viewer's own when none or not theirs).
pub(super) async fn filter_scope(
    state: &AppState,
    user: &CurrentUser,
    unit: i64,
) -> AppResult<(Scope, Vec<Unit>)> {
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let scope = units.iter().find(|u| u.id == unit).map(|u| u.scope()).unwrap_or_else(|| user.scope());
    Ok((scope, units))
}

/// The list under its filters, with the action's problems and choices when shown again.
async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    campaign: Campaign,
    q: &UncoveredQuery,
    refused: Option<(&DeliveriesForm, Vec<String>)>,
) -> AppResult<UncoveredPage> {
    let (scope, units) = filter_scope(state, user, q.unit.unwrap_or(0)).await?;
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let topics = campaigns::topics(&state.db, campaign.id).await?;
    let (all_uncovered, per_reason) = super::uncovered_by_reason(&state.db, &campaign, &rule, &scope).await?;
    let reason = Reason::from_code(&q.reason);
    let count = |r: &Reason| per_reason.get(r).copied().unwrap_or(0);
    let shown_total = usize::try_from(reason.map(|r| count(&r)).unwrap_or(all_uncovered)).unwrap_or(0);
    let pages = shown_total.div_ceil(LIST_LIMIT).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let filter = MemberFilter::Uncovered(reason);
    let offset = (page - 1) * LIST_LIMIT;
    let listed =
        super::members_page(&state.db, &campaign, &rule, &scope, filter, Some(LIST_LIMIT), offset).await?;
    let marks = Marks::of(state, campaign.id, &listed).await?;
    let today = crate::time::today();
    let unit = q.unit.unwrap_or(0);
    let reason_code = reason.map(Reason::code).unwrap_or("");
    let link = |to: usize| {
        let url = list_url(unit, reason_code);
        format!("{url}{}page={to}", if url.contains('?') { '&' } else { '?' })
    };
    let (form, errors) = match refused {
        Some((form, errors)) => (Some(form), errors),
        None => (None, Vec::new()),
    };
    let ids = |values: &[String]| values.iter().filter_map(|v| v.trim().parse().ok()).collect::<Vec<i64>>();
    Ok(UncoveredPage {
        shell: Shell::new(user, "未覆盖党员", "coverage"),
        reason: reason_code.to_owned(),
        unit,
        reasons: Reason::ALL.iter().map(|r| (r.code(), r.label(), count(r))).collect(),
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
        shown_total,
        all_uncovered,
        page,
        previous_page: if page > 1 { link(page - 1) } else { String::new() },
        next_page: if page < pages { link(page + 1) } else { String::new() },
        members: listed.iter().map(|m| MemberRow::of(&rule, &topics, m, &marks)).collect(),
        assignees: assignees_in_scope(state, &user.scope())
            .await?
            .into_iter()
            .map(|(id, name, role)| (id, crate::delivery::assignee_label(&name, role.label())))
            .collect(),
        materials: deliveries::materials(&state.db)
            .await?
            .into_iter()
            .filter(|m| m.active)
            .map(|m| {
                let label = m.label();
                (m.id, m.name, label)
            })
            .collect(),
        due_on: form
            .map(|f| f.due_on.trim().to_owned())
            .unwrap_or_else(|| (today + Duration::days(7)).to_string()),
        today: today.to_string(),
        errors,
        checked: form.map(|f| ids(&f.member_id)).unwrap_or_default(),
        all: form.is_some_and(|f| f.all.trim() == "1"),
        assignee: form.and_then(|f| f.assignee.trim().parse().ok()).unwrap_or(0),
        chosen_materials: form.map(|f| ids(&f.material)).unwrap_or_default(),
        campaign,
    })
}

/// `GET /coverage/uncovered`: members not yet covered, with every reason they have, filterable
/// and paged, each with a check box (or 全选 for all the filters find) for the one action below:
/// create door-to-door tasks.
pub(super) async fn page(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: Option<CurrentCampaign>,
    Query(q): Query<UncoveredQuery>,
) -> AppResult<Response> {
    let Some(CurrentCampaign(campaign)) = campaign else {
        return no_campaign(&user);
    };
    Ok(Html(list_page(&state, &user, campaign, &q, None).await?.render()?).into_response())
}

/// `POST /coverage/deliveries`: door-to-door tasks for the ticked members (or all the filters
/// find), audited with them. Idempotent: a member with an open task gets no second one, and the
/// answer says so. A form with problems shows the list again under its filters, with the choices
/// kept and every problem named.
pub(super) async fn create_deliveries(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Form(form): Form<DeliveriesForm>,
) -> AppResult<Response> {
    let plan = match check(&state, &user, &campaign, &form).await? {
        Ok(plan) => plan,
        Err(errors) => {
            let q = UncoveredQuery {
                reason: form.reason.trim().to_owned(),
                unit: form.unit.trim().parse().ok(),
                page: None,
            };
            let page = list_page(&state, &user, campaign, &q, Some((&form, errors))).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
        }
    };
    let members = audience::members_by_ids(&state.db, &campaign, &user.scope(), &plan.member_ids).await?;
    if members.len() != plan.member_ids.len() {
        // Outside the viewer's subtree, or not in the audience: not theirs to assign.
        return Err(AppError::NotFound);
    }
    let progress = super::progress_of(&state.db, &campaign, &plan.member_ids).await?;
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let mut tasks = Vec::new();
    let mut already_covered = 0;
    for m in &members {
        let p = progress.get(&m.id).cloned().unwrap_or_default();
        if rule.is_met(&p) {
            already_covered += 1;
            continue;
        }
        tasks
            .push(NewTask { member_id: m.id, reason: Reason::labels(&Reason::for_member(m.categories, &p)) });
    }
    let mut tx = state.db.begin().await?;
    let outcome = deliveries::create_tasks(
        &mut tx,
        campaign.id,
        &tasks,
        plan.assignee_id,
        plan.due_on,
        &deliveries::names_to_json(&plan.material_names),
        user.user_id,
    )
    .await?;
    if !outcome.created.is_empty() {
        let names: Vec<&str> = members
            .iter()
            .filter(|m| tasks.iter().any(|t| t.member_id == m.id) && !outcome.already_open.contains(&m.id))
            .map(|m| m.name.as_str())
            .collect();
        let detail = format!(
            "派送学任务{}个（任务#{}）：{}；送学人员：{}；截止{}",
            outcome.created.len(),
            outcome.created.iter().map(i64::to_string).collect::<Vec<_>>().join("、#"),
            names.join("、"),
            plan.assignee_name,
            plan.due_on
        );
        let actor = Actor::user(&user);
        audit::record_in(&mut tx, &actor, Action::Delivery, &campaign.name, &detail, true).await?;
    }
    tx.commit().await?;
    let mut parts = Vec::new();
    if !outcome.created.is_empty() {
        parts.push(format!(
            "已为{}名党员派送学任务：{}负责，{}前完成",
            outcome.created.len(),
            plan.assignee_name,
            plan.due_on.format("%m月%d日")
        ));
    }
    if !outcome.already_open.is_empty() {
        parts.push(format!("{}人已有未完成的送学任务，未重复创建", outcome.already_open.len()));
    }
    if already_covered > 0 {
        parts.push(format!("{already_covered}人已完成学习，无需送学"));
    }
    let unit = form.unit.trim().parse::<i64>().unwrap_or(0);
    let reason = Reason::from_code(form.reason.trim()).map(Reason::code).unwrap_or("");
    Ok(redirect_with_flash(&list_url(unit, reason), &parts.join("；")))
}

/// The uncovered list under its filters, so the secretary carries on where they were. Only a
/// unit id and a known reason code are carried over.
fn list_url(unit: i64, reason: &str) -> String {
    let mut query = Vec::new();
    if unit > 0 {
        query.push(format!("unit={unit}"));
    }
    if let Some(reason) = Reason::from_code(reason) {
        query.push(format!("reason={}", reason.code()));
    }
    if query.is_empty() {
        "/coverage/uncovered".to_owned()
    } else {
        format!("/coverage/uncovered?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::list_url;

    #[test]
    fn the_list_keeps_only_valid_filters() {
        assert_eq!(list_url(12, "elderly"), "/coverage/uncovered?unit=12&reason=elderly");
        assert_eq!(list_url(0, ""), "/coverage/uncovered");
        assert_eq!(list_url(0, "x"), "/coverage/uncovered");
    }
}
