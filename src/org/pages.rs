//! Organisation pages. The committee changes the tree; a station admin sees their own subtree and
//! edits their station's brand profile.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;

use super::model::{Unit, UnitKind, check_name};
use super::store::{self, StationProfile};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// A unit as a row of the tree.
struct UnitRow {
    id: i64,
    name: String,
    kind: &'static str,
    depth: usize,
    members: i64,
    retired: bool,
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    shell: Shell,
    units: Vec<UnitRow>,
    can_edit: bool,
}

pub(super) async fn tree(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let scope = user.scope();
    let units = store::units_in_scope(&state.db, &scope).await?;
    let counts: HashMap<i64, i64> = store::member_counts(&state.db, &scope).await?.into_iter().collect();
    let base_depth = units.first().map(Unit::depth).unwrap_or(0);
    let rows = units
        .iter()
        .map(|u| UnitRow {
            id: u.id,
            name: u.name.clone(),
            kind: u.kind.label(),
            depth: u.depth() - base_depth.min(u.depth()),
            members: subtree_total(u, &units, &counts),
            retired: u.retired_at.is_some(),
        })
        .collect();
    let title = if user.role == Role::CommitteeAdmin { "组织架构" } else { "本站" };
    let page = TreePage {
        shell: Shell::new(&user, title, "org"),
        units: rows,
        can_edit: user.role == Role::CommitteeAdmin,
    };
    Ok(Html(page.render()?))
}

fn subtree_total(unit: &Unit, all: &[Unit], counts: &HashMap<i64, i64>) -> i64 {
    all.iter().filter(|u| unit.contains(u)).map(|u| counts.get(&u.id).copied().unwrap_or(0)).sum()
}

#[derive(Template)]
#[template(path = "org/detail.html")]
struct DetailPage {
    shell: Shell,
    unit: Unit,
    kind: &'static str,
    parent_name: String,
    children: Vec<Unit>,
    child_kinds: Vec<(&'static str, &'static str)>,
    move_targets: Vec<(i64, String)>,
    members: i64,
    can_edit_tree: bool,
    has_profile: bool,
    can_edit_profile: bool,
    profile: StationProfile,
}

async fn find(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Unit> {
    store::unit_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)
}

pub(super) async fn detail(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let unit = find(&state, &user, id).await?;
    let all = store::units_in_scope(&state.db, &user.scope()).await?;
    let parent_name =
        all.iter().find(|u| Some(u.id) == unit.parent_id).map(|u| u.name.clone()).unwrap_or_default();
    let children: Vec<Unit> = all.iter().filter(|u| u.parent_id == Some(unit.id)).cloned().collect();
    let kind = unit.kind;
    let move_targets = all
        .iter()
        .filter(|t| t.retired_at.is_none() && !unit.contains(t) && Some(t.id) != unit.parent_id)
        .filter(|t| t.kind.allowed_children().contains(&kind))
        .map(|t| (t.id, t.indented_name()))
        .collect();
    let (members, _) = store::dependants(&state.db, &unit).await?;
    let page = DetailPage {
        shell: Shell::new(&user, unit.name.clone(), "org"),
        kind: kind.label(),
        parent_name,
        children,
        child_kinds: kind.allowed_children().iter().map(|k| (k.code(), k.label())).collect(),
        move_targets,
        members,
        can_edit_tree: user.role == Role::CommitteeAdmin,
        has_profile: kind.has_profile(),
        can_edit_profile: kind.has_profile() && user.role.is_admin(),
        profile: store::profile(&state.db, unit.id).await?,
        unit,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(super) struct AddForm {
    parent_id: i64,
    kind: String,
    name: String,
}

pub(super) async fn add(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let parent = find(&state, &user, form.parent_id).await?;
    let name = check_name(&form.name).map_err(|e| AppError::BadRequest(e.into()))?;
    let kind = UnitKind::from_code(&form.kind)
        .filter(|k| parent.kind.allowed_children().contains(k))
        .ok_or_else(|| AppError::BadRequest(format!("{}下不能添加这种单位", parent.name)))?;
    if parent.retired_at.is_some() {
        return Err(AppError::BadRequest("已撤销的单位下不能再添加下级".into()));
    }
    let detail = format!("在{}下新增{}", parent.name, kind.label());
    let mut tx = state.db.begin().await?;
    let unit = store::insert(&mut tx, Some(&parent), kind, &name, 0).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/org/units/{}", parent.id), &format!("已新增“{name}”")))
}

#[derive(Deserialize)]
pub(super) struct RenameForm {
    name: String,
}

pub(super) async fn rename(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    Form(form): Form<RenameForm>,
) -> AppResult<Response> {
    let unit = find(&state, &user, id).await?;
    let name = check_name(&form.name).map_err(|e| AppError::BadRequest(e.into()))?;
    let detail = format!("{} → {}", unit.name, name);
    let mut tx = state.db.begin().await?;
    store::rename(&mut tx, unit.id, &name).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/org/units/{id}"), "已改名"))
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    parent_id: i64,
}

pub(super) async fn move_unit(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let unit = find(&state, &user, id).await?;
    let target = find(&state, &user, form.parent_id).await?;
    if unit.contains(&target) {
        return Err(AppError::BadRequest("不能移到自己或自己的下级单位之下".into()));
    }
    if !target.kind.allowed_children().contains(&unit.kind) || target.retired_at.is_some() {
        return Err(AppError::BadRequest(format!("{}不能放在{}之下", unit.name, target.name)));
    }
    let detail = format!("移到{}之下", target.name);
    let mut tx = state.db.begin().await?;
    store::move_under(&mut tx, &unit, &target).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/org/units/{id}"), &detail))
}

/// Retires a unit; refused while it (or anything below it) still has members or live units.
pub(super) async fn retire(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let unit = find(&state, &user, id).await?;
    if unit.parent_id.is_none() {
        return Err(AppError::BadRequest("街道本身不能撤销".into()));
    }
    let (members, children) = store::dependants(&state.db, &unit).await?;
    if members > 0 {
        return Err(AppError::Conflict(format!(
            "{}下还有{members}名党员，请先把他们转到其他单位",
            unit.name
        )));
    }
    if children > 0 {
        return Err(AppError::Conflict(format!("{}下还有{children}个下级单位，请先撤销或移走", unit.name)));
    }
    let mut tx = state.db.begin().await?;
    store::set_retired(&mut tx, unit.id, Some(Utc::now())).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, "撤销", true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/org/units/{id}"), "已撤销（记录保留，可恢复）"))
}

pub(super) async fn restore(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let unit = find(&state, &user, id).await?;
    let mut tx = state.db.begin().await?;
    store::set_retired(&mut tx, unit.id, None).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, "恢复", true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/org/units/{id}"), "已恢复"))
}

#[derive(Deserialize)]
pub(super) struct ProfileForm {
    service_brand: String,
    training_brand: String,
    slogan: String,
    story: String,
}

labels! {
    AddForm { parent_id: "上级单位", kind: "新增下级", name: "名称" }
    RenameForm { name: "名称" }
    MoveForm { parent_id: "移到" }
    ProfileForm { service_brand: "志愿服务品牌", training_brand: "冬训品牌", slogan: "口号", story: "品牌故事" }
}

/// Saves a station's brand profile; its own station admin or the committee.
pub(super) async fn save_profile(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let unit = find(&state, &user, id).await?;
    if !unit.kind.has_profile() {
        return Err(AppError::BadRequest("只有实践所和实践站有品牌信息".into()));
    }
    let limits = [
        (&form.service_brand, 40, "志愿服务品牌"),
        (&form.training_brand, 40, "冬训品牌"),
        (&form.slogan, 80, "口号"),
        (&form.story, 2000, "品牌故事"),
    ];
    for (value, max, label) in limits {
        if value.trim().chars().count() > max {
            return Err(AppError::BadRequest(format!("{label}不能超过{max}个字")));
        }
    }
    let profile = StationProfile {
        service_brand: form.service_brand.trim().to_owned(),
        training_brand: form.training_brand.trim().to_owned(),
        slogan: form.slogan.trim().to_owned(),
        story: form.story.trim().to_owned(),
    };
    let mut tx = state.db.begin().await?;
    store::save_profile(&mut tx, unit.id, &profile).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, "修改品牌信息", true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/org/units/{id}"), "品牌信息已保存"))
}
