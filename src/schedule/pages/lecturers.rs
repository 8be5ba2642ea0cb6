//! The lecturer pool (S3) and venues: both on one page, since a booking needs both.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::org::store as org_store;
use crate::people::model::Phone;
use crate::schedule::model::LecturerKind;
use crate::schedule::store::lecturers::{self, LecturerFields};
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::form::parse_count;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// A lecturer as listed.
struct LecturerRow {
    name: String,
    kind: &'static str,
    phone: String,
    topics: String,
    availability: String,
}

#[derive(Template)]
#[template(path = "schedule/lecturers.html")]
struct ListPage {
    shell: Shell,
    lecturers: Vec<LecturerRow>,
    venues: Vec<(String, String, i64)>,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let unit_name = |id: i64| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let lecturers = lecturers::active(&state.db)
        .await?
        .into_iter()
        .map(|l| LecturerRow {
            kind: l.kind.label(),
            phone: l
                .phone
                .as_deref()
                .and_then(|p| Phone::parse(p).ok())
                .map(|p| p.masked())
                .unwrap_or_default(),
            name: l.name,
            topics: l.topics,
            availability: l.availability,
        })
        .collect();
    let venues = lecturers::venues_in_scope(&state.db, &user.scope())
        .await?
        .into_iter()
        .map(|v| (v.name, unit_name(v.unit_id), v.capacity))
        .collect();
    let page = ListPage {
        shell: Shell::new(&user, "宣讲员与场地", "lecturers"),
        lecturers,
        venues,
        kinds: LecturerKind::choices(),
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
    };
    Ok(Html(page.render()?))
}

/// A new lecturer, read as text so each check below can say exactly what is wrong.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LecturerForm {
    name: String,
    kind: String,
    phone: String,
    unit_id: String,
    topics: String,
    availability: String,
}

/// A new venue, read as text likewise.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VenueForm {
    name: String,
    capacity: String,
    unit_id: String,
}

labels! {
    LecturerForm {
        name: "姓名",
        kind: "类别",
        phone: "手机号码",
        unit_id: "所属单位",
        topics: "宣讲专题",
        availability: "可约时间",
    }
    VenueForm { name: "名称", capacity: "容纳人数", unit_id: "所属单位" }
}

/// Checks that a unit id from the form lies in the user's subtree.
async fn unit_in_scope(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<i64> {
    let unit = org_store::unit_in_scope(&state.db, id, &user.scope()).await?;
    unit.map(|u| u.id).ok_or_else(|| AppError::BadRequest("所选单位不存在或不在您的管辖范围内".into()))
}

pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Form(form): Form<LecturerForm>,
) -> AppResult<Response> {
    let name = crate::people::model::normalize_name(&form.name);
    if !(2..=20).contains(&name.chars().count()) {
        return Err(AppError::BadRequest("姓名应为2到20个字".into()));
    }
    let kind =
        LecturerKind::from_code(&form.kind).ok_or_else(|| AppError::BadRequest("请选择宣讲员类别".into()))?;
    let phone = match form.phone.trim() {
        "" => None,
        text => Some(
            Phone::parse(text)
                .map_err(|e| AppError::BadRequest(format!("手机号码：{}", e.reason)))?
                .as_str()
                .to_owned(),
        ),
    };
    let unit_id = unit_in_scope(&state, &user, form.unit_id.parse().unwrap_or(0)).await?;
    let limited = |text: &str, label: &str| -> Result<String, AppError> {
        let text = text.trim().to_owned();
        if text.chars().count() > 200 {
            return Err(AppError::BadRequest(format!("{label}不能超过200字")));
        }
        Ok(text)
    };
    let fields = LecturerFields {
        name,
        kind,
        phone,
        unit_id,
        topics: limited(&form.topics, "宣讲专题")?,
        availability: limited(&form.availability, "可约时间")?,
    };
    let mut tx = state.db.begin().await?;
    lecturers::insert(&mut tx, &fields).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::SessionEdit,
        &fields.name,
        &format!("加入宣讲员库：{}", kind.label()),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/lecturers", &format!("已添加宣讲员{}", fields.name)))
}

pub(super) async fn create_venue(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Form(form): Form<VenueForm>,
) -> AppResult<Response> {
    let name = form.name.trim().to_owned();
    if !(2..=40).contains(&name.chars().count()) {
        return Err(AppError::BadRequest("场地名称应为2到40个字".into()));
    }
    let capacity = parse_count(&form.capacity, "容纳人数", 10_000)?;
    if capacity == 0 {
        return Err(AppError::BadRequest("容纳人数：请填写大于0的整数".into()));
    }
    let unit_id = unit_in_scope(&state, &user, form.unit_id.parse().unwrap_or(0)).await?;
    let mut tx = state.db.begin().await?;
    lecturers::insert_venue(&mut tx, unit_id, &name, capacity).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::SessionEdit,
        &name,
        &format!("新增场地，容纳{capacity}人"),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/lecturers", &format!("已添加场地{name}")))
}
