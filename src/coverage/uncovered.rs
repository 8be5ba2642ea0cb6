//! The uncovered list (未覆盖党员) and its one action: door-to-door tasks for the ticked members.
//! Counting per reason, filtering and paging happen in the database (see [`super::members`]), so
//! the committee's list at city scale reads one page of names, not the whole audience.

use std::collections::HashSet;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::pages::{LIST_LIMIT, MemberRow, no_campaign};
use super::{MemberFilter, Reason};
use crate::auth::{AdminUser, Role};
use crate::campaign::CurrentCampaign;
use crate::campaign::audience;
use crate::campaign::store::{self as campaigns, Campaign};
use crate::delivery::store::{self as deliveries, NewTask};
use crate::org::Scope;
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Form, Query, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Deserialize, Default)]
pub(super) struct UncoveredQuery {
    #[serde(default)]
    reason: String,
    unit: Option<i64>,
}

/// The ticked members and the task to give them. Read as text, so each check below can say
/// exactly what is wrong.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DeliveriesForm {
    member_id: Vec<String>,
    assignee: String,
    due_on: String,
    material: Vec<String>,
    /// The list's filters, to return to it.
    unit: String,
    reason: String,
}

labels! {
    UncoveredQuery { reason: "原因", unit: "单位" }
    DeliveriesForm {
        member_id: "党员",
        assignee: "送学人员",
        due_on: "截止日期",
        material: "学习材料",
        unit: "单位",
        reason: "原因",
    }
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
    assignees: Vec<(i64, String)>,
    materials: Vec<(i64, String, &'static str)>,
    due_on: String,
    today: String,
}

/// Lecturer and volunteer accounts inside a scope: who may be sent on visits.
async fn assignees_in_scope(state: &AppState, scope: &Scope) -> AppResult<Vec<(i64, String, Role)>> {
    let rows: Vec<(i64, String, Role)> = crate::on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT us.id, us.name, us.role FROM users us JOIN units un ON un.id = us.unit_id \
             WHERE un.path LIKE $1 AND us.active = TRUE AND us.role IN ('lecturer', 'volunteer') \
             ORDER BY us.role, us.name, us.id",
        )
        .bind(scope)
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// `GET /coverage/uncovered`: members not yet covered, with the reason, filterable, each with a
/// check box for the one action below: create door-to-door tasks.
pub(super) async fn page(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: Option<CurrentCampaign>,
    Query(q): Query<UncoveredQuery>,
) -> AppResult<Response> {
    let Some(CurrentCampaign(campaign)) = campaign else {
        return no_campaign(&user);
    };
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let scope = q
        .unit
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.scope())
        .unwrap_or_else(|| user.scope());
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let topics = campaigns::topics(&state.db, campaign.id).await?;
    let per_reason = super::uncovered_by_reason(&state.db, &campaign, &rule, &scope).await?;
    let reason = Reason::from_code(&q.reason);
    let count = |r: &Reason| per_reason.get(r).copied().unwrap_or(0);
    let all_uncovered: i64 = Reason::ALL.iter().map(count).sum();
    let shown_total = reason.map(|r| count(&r)).unwrap_or(all_uncovered);
    let filter = MemberFilter::Uncovered(reason);
    let listed = super::members(&state.db, &campaign, &rule, &scope, filter, Some(LIST_LIMIT)).await?;
    let open: HashSet<i64> = deliveries::open_member_ids(&state.db, campaign.id).await?.into_iter().collect();
    let today = crate::time::today();
    let page = UncoveredPage {
        shell: Shell::new(&user, "未覆盖党员", "coverage"),
        reason: reason.map(Reason::code).unwrap_or("").to_owned(),
        unit: q.unit.unwrap_or(0),
        reasons: Reason::ALL.iter().map(|r| (r.code(), r.label(), count(r))).collect(),
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
        shown_total: usize::try_from(shown_total).unwrap_or(0),
        all_uncovered,
        members: listed.iter().map(|m| MemberRow::of(&rule, &topics, m, &open)).collect(),
        assignees: assignees_in_scope(&state, &user.scope())
            .await?
            .into_iter()
            .map(|(id, name, role)| (id, crate::delivery::assignee_label(&name, role.label())))
            .collect(),
        materials: deliveries::materials(&state.db)
            .await?
            .into_iter()
            .filter(|m| m.active)
            .map(|m| (m.id, m.name, m.kind.label()))
            .collect(),
        due_on: (today + Duration::days(7)).to_string(),
        today: today.to_string(),
        campaign,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /coverage/deliveries`: door-to-door tasks for the ticked members. Idempotent: a member
/// with an open task gets no second one, and the answer says so.
pub(super) async fn create_deliveries(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Form(form): Form<DeliveriesForm>,
) -> AppResult<Response> {
    let mut member_ids = Vec::new();
    for v in &form.member_id {
        let id: i64 =
            v.trim().parse().map_err(|_| AppError::BadRequest("勾选的党员有误，请刷新页面后重试".into()))?;
        if !member_ids.contains(&id) {
            member_ids.push(id);
        }
    }
    if member_ids.is_empty() {
        return Err(AppError::BadRequest("请至少勾选一名党员".into()));
    }
    let assignee_id: i64 = form.assignee.trim().parse().unwrap_or(0);
    let assignees = assignees_in_scope(&state, &user.scope()).await?;
    let Some((_, assignee_name, _)) = assignees.iter().find(|(id, _, _)| *id == assignee_id) else {
        return Err(AppError::BadRequest("请选择送学人员（本辖区的宣讲员或志愿者）".into()));
    };
    let due_on = NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d")
        .ok()
        .ok_or_else(|| AppError::BadRequest("请填写截止日期".into()))?;
    if due_on < crate::time::today() {
        return Err(AppError::BadRequest("截止日期不能早于今天".into()));
    }
    let catalogue = deliveries::materials(&state.db).await?;
    let mut material_names = Vec::new();
    for v in &form.material {
        let found =
            v.trim().parse::<i64>().ok().and_then(|id| catalogue.iter().find(|m| m.id == id && m.active));
        match found {
            Some(m) if !material_names.contains(&m.name) => material_names.push(m.name.clone()),
            Some(_) => {}
            None => return Err(AppError::BadRequest("所选学习材料不存在或已停用".into())),
        }
    }
    let members = audience::members_by_ids(&state.db, &campaign, &user.scope(), &member_ids).await?;
    if members.len() != member_ids.len() {
        // Outside the viewer's subtree, or not in the audience: not theirs to assign.
        return Err(AppError::NotFound);
    }
    let progress = super::progress_of(&state.db, &campaign, &member_ids).await?;
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let mut tasks = Vec::new();
    let mut already_covered = 0;
    for m in &members {
        let p = progress.get(&m.id).cloned().unwrap_or_default();
        if rule.is_met(&p) {
            already_covered += 1;
            continue;
        }
        tasks.push(NewTask {
            member_id: m.id,
            reason: Reason::for_member(m.categories, &p).label().to_owned(),
        });
    }
    let mut tx = state.db.begin().await?;
    let outcome = deliveries::create_tasks(
        &mut tx,
        campaign.id,
        &tasks,
        assignee_id,
        due_on,
        &deliveries::names_to_json(&material_names),
        user.user_id,
    )
    .await?;
    tx.commit().await?;
    let mut parts = Vec::new();
    if !outcome.created.is_empty() {
        parts.push(format!(
            "已为{}名党员派送学任务：{}负责，{}前完成",
            outcome.created.len(),
            assignee_name,
            due_on.format("%m月%d日")
        ));
    }
    if !outcome.already_open.is_empty() {
        parts.push(format!("{}人已有未完成的送学任务，未重复创建", outcome.already_open.len()));
    }
    if already_covered > 0 {
        parts.push(format!("{already_covered}人已完成学习，无需送学"));
    }
    Ok(redirect_with_flash(&back_to_list(form.unit.trim(), form.reason.trim()), &parts.join("；")))
}

/// The uncovered list with the filters the action was taken under, so the secretary carries on
/// where they were. Only a numeric unit and a known reason code are carried over.
fn back_to_list(unit: &str, reason: &str) -> String {
    let mut query = Vec::new();
    if let Some(unit) = unit.parse::<i64>().ok().filter(|u| *u > 0) {
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
    use super::back_to_list;

    #[test]
    fn the_list_keeps_only_valid_filters() {
        assert_eq!(back_to_list("12", "elderly"), "/coverage/uncovered?unit=12&reason=elderly");
        assert_eq!(back_to_list("0", ""), "/coverage/uncovered");
        assert_eq!(back_to_list("//evil", "x"), "/coverage/uncovered");
    }
}
