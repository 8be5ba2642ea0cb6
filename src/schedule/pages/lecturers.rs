//! The lecturer pool (S3) and venues: both on one page, since a booking needs both.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::org::store as org_store;
use crate::people::model::Phone;
use crate::schedule::model::LecturerKind;
use crate::schedule::store::lecturers::{self, LecturerFields};
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::form::{FieldErrors, parse_count};
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
    /// The new-lecturer form as typed, and its problems (the form opens when there are some).
    lecturer: LecturerForm,
    lecturer_errors: FieldErrors,
    /// The new-venue form likewise.
    venue: VenueForm,
    venue_errors: FieldErrors,
}

/// A refused form: the page again, that form open with what was typed and its problems.
enum Refused {
    Nothing,
    Lecturer(LecturerForm, FieldErrors),
    Venue(VenueForm, FieldErrors),
}

pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    Ok(Html(page(&state, &user, Refused::Nothing).await?))
}

async fn page(state: &AppState, user: &CurrentUser, refused: Refused) -> AppResult<String> {
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
    let (lecturer, lecturer_errors, venue, venue_errors) = match refused {
        Refused::Nothing => Default::default(),
        Refused::Lecturer(form, errors) => (form, errors, VenueForm::default(), FieldErrors::default()),
        Refused::Venue(form, errors) => (LecturerForm::default(), FieldErrors::default(), form, errors),
    };
    let page = ListPage {
        shell: Shell::new(user, "宣讲员与场地", "lecturers"),
        lecturers,
        venues,
        kinds: LecturerKind::choices(),
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
        lecturer,
        lecturer_errors,
        venue,
        venue_errors,
    };
    Ok(page.render()?)
}

/// The page with a refused form, as a 400.
async fn refuse(state: &AppState, user: &CurrentUser, refused: Refused) -> AppResult<Response> {
    Ok((StatusCode::BAD_REQUEST, Html(page(state, user, refused).await?)).into_response())
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

impl LecturerForm {
    /// Whether `id` is the unit chosen.
    fn chose_unit(&self, id: &i64) -> bool {
        self.unit_id.trim().parse::<i64>().ok() == Some(*id)
    }
}

impl VenueForm {
    /// Whether `id` is the unit chosen.
    fn chose_unit(&self, id: &i64) -> bool {
        self.unit_id.trim().parse::<i64>().ok() == Some(*id)
    }
}

/// Checks that a unit id from the form lies in the user's subtree.
async fn unit_in_scope(state: &AppState, user: &CurrentUser, text: &str) -> AppResult<Option<i64>> {
    let id = text.trim().parse().unwrap_or(0);
    Ok(org_store::unit_in_scope(&state.db, id, &user.scope()).await?.map(|u| u.id))
}

/// Trimmed text of at most 200 characters, or the problem.
fn limited(text: &str, label: &str) -> Result<String, AppError> {
    let text = text.trim().to_owned();
    if text.chars().count() > 200 {
        return Err(AppError::BadRequest(format!("{label}不能超过200字")));
    }
    Ok(text)
}

pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Form(form): Form<LecturerForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let name = crate::people::model::normalize_name(&form.name);
    if !(2..=20).contains(&name.chars().count()) {
        errors.add("name", "姓名应为2到20个字");
    }
    let kind = LecturerKind::from_code(&form.kind);
    if kind.is_none() {
        errors.add("kind", "请选择宣讲员类别");
    }
    let phone = match form.phone.trim() {
        "" => Some(None),
        text => match Phone::parse(text) {
            Ok(phone) => Some(Some(phone.as_str().to_owned())),
            Err(e) => {
                errors.add("phone", format!("手机号码：{}", e.reason));
                None
            }
        },
    };
    let unit_id = unit_in_scope(&state, &user, &form.unit_id).await?;
    if unit_id.is_none() {
        errors.add("unit_id", "所选单位不存在或不在您的管辖范围内");
    }
    let topics = errors.check("topics", limited(&form.topics, "宣讲专题"));
    let availability = errors.check("availability", limited(&form.availability, "可约时间"));
    let (Some(kind), Some(phone), Some(unit_id), Some(topics), Some(availability), true) =
        (kind, phone, unit_id, topics, availability, errors.is_empty())
    else {
        return refuse(&state, &user, Refused::Lecturer(form, errors)).await;
    };
    let fields = LecturerFields { name, kind, phone, unit_id, topics, availability };
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
    let mut errors = FieldErrors::default();
    let name = form.name.trim().to_owned();
    if !(2..=40).contains(&name.chars().count()) {
        errors.add("name", "场地名称应为2到40个字");
    }
    let capacity = errors.check("capacity", parse_count(&form.capacity, "容纳人数", 10_000));
    if capacity == Some(0) {
        errors.add("capacity", "容纳人数：请填写大于0的整数");
    }
    let unit_id = unit_in_scope(&state, &user, &form.unit_id).await?;
    if unit_id.is_none() {
        errors.add("unit_id", "所选单位不存在或不在您的管辖范围内");
    }
    let (Some(capacity), Some(unit_id), true) = (capacity, unit_id, errors.is_empty()) else {
        return refuse(&state, &user, Refused::Venue(form, errors)).await;
    };
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
