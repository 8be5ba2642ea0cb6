//! The uncovered list's action form: which members (ticked, or 全选: every member the filters
//! find), who visits them, by when, carrying what — read as text and checked, every problem named.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{MemberFilter, Reason};
use crate::auth::{CurrentUser, Role};
use crate::campaign::store::{self as campaigns, Campaign};
use crate::delivery::store as deliveries;
use crate::org::Scope;
use crate::state::AppState;
use crate::web::extract::labels;
use crate::web::{AppError, AppResult};

/// The ticked members and the task to give them. Read as text, so each check below can say
/// exactly what is wrong.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DeliveriesForm {
    pub(super) member_id: Vec<String>,
    /// `1`: every member the filters find, not only the ticked ones (全选).
    pub(super) all: String,
    pub(super) assignee: String,
    pub(super) due_on: String,
    pub(super) material: Vec<String>,
    /// The list's filters, to return to it.
    pub(super) unit: String,
    pub(super) reason: String,
}

labels! {
    DeliveriesForm {
        member_id: "党员",
        all: "全选",
        assignee: "送学人员",
        due_on: "截止日期",
        material: "学习材料",
        unit: "单位",
        reason: "原因",
    }
}

/// Lecturer and volunteer accounts inside a scope: who may be sent on visits.
pub(super) async fn assignees_in_scope(
    state: &AppState,
    scope: &Scope,
) -> AppResult<Vec<(i64, String, Role)>> {
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

/// What the action will do, once its form is checked.
pub(super) struct Assignment {
    pub(super) member_ids: Vec<i64>,
    pub(super) assignee_id: i64,
    pub(super) assignee_name: String,
    pub(super) due_on: NaiveDate,
    pub(super) material_names: Vec<String>,
}

/// Checks the action's form; every problem is named.
pub(super) async fn check(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    form: &DeliveriesForm,
) -> AppResult<Result<Assignment, Vec<String>>> {
    let mut errors = Vec::new();
    let mut member_ids = Vec::new();
    if form.all.trim() == "1" {
        // Every uncovered member the filters find, however many pages they fill.
        let (scope, _) =
            super::uncovered::filter_scope(state, user, form.unit.trim().parse().unwrap_or(0)).await?;
        let rule = campaigns::completion_rule(&state.db, campaign).await?;
        let filter = MemberFilter::Uncovered(Reason::from_code(form.reason.trim()));
        let found = super::members(&state.db, campaign, &rule, &scope, filter, None).await?;
        member_ids = found.iter().map(|m| m.member.id).collect();
    } else {
        for v in &form.member_id {
            match v.trim().parse::<i64>() {
                Ok(id) if !member_ids.contains(&id) => member_ids.push(id),
                Ok(_) => {}
                Err(_) => return Err(AppError::BadRequest("勾选的党员有误，请刷新页面后重试".into())),
            }
        }
    }
    if member_ids.is_empty() {
        errors.push("党员：请至少勾选一名党员，或勾选“全选”".to_owned());
    }
    let assignee_id: i64 = form.assignee.trim().parse().unwrap_or(0);
    let assignees = assignees_in_scope(state, &user.scope()).await?;
    let assignee_name =
        assignees.iter().find(|(id, _, _)| *id == assignee_id).map(|(_, name, _)| name.clone());
    if assignee_name.is_none() {
        errors.push("送学人员：请选择本辖区的宣讲员或志愿者".to_owned());
    }
    let due_on = match NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d") {
        Err(_) => {
            errors.push("截止日期：请填写日期".to_owned());
            None
        }
        Ok(day) if day < crate::time::today() => {
            errors.push("截止日期：不能早于今天".to_owned());
            None
        }
        Ok(day) => Some(day),
    };
    let catalogue = deliveries::materials(&state.db).await?;
    let mut material_names = Vec::new();
    for v in &form.material {
        let found =
            v.trim().parse::<i64>().ok().and_then(|id| catalogue.iter().find(|m| m.id == id && m.active));
        match found {
            Some(m) if m.out_of_stock() => {
                errors.push(format!("学习材料：“{}”库存为0，不能选择；请先入库", m.name))
            }
            Some(m) if !material_names.contains(&m.name) => material_names.push(m.name.clone()),
            Some(_) => {}
            None => errors.push("学习材料：所选材料不存在或已停用".to_owned()),
        }
    }
    Ok(match (assignee_name, due_on) {
        (Some(assignee_name), Some(due_on)) if errors.is_empty() => {
            Ok(Assignment { member_ids, assignee_id, assignee_name, due_on, material_names })
        }
        _ => Err(errors),
    })
}
