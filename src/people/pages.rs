//! Member pages: list with search and filters, detail with masked numbers, create/edit, reveal
//! (audited), roster import with its error report, and export (audited).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::import::{ImportFailure, ImportOutcome, Importer, import_roster};
use super::model::{Gender, IdCardNumber, MemberCategories, MemberStatus, Phone};
use super::roster::RowError;
use super::store::{self, Member, MemberQuery};
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::org::store as org_store;
use crate::startup::AppState;
use crate::web::{AppError, AppResult, Shell};

mod form;

const PAGE_SIZE: i64 = 50;

/// Category filter and check-box choices: (bit, label).
fn category_choices() -> Vec<(u32, &'static str)> {
    MemberCategories::ALL.iter().map(|(c, label)| (c.bits(), *label)).collect()
}

/// Status choices: (code, label).
fn status_choices() -> Vec<(&'static str, &'static str)> {
    MemberStatus::ALL.iter().map(|s| (s.as_code(), s.label())).collect()
}

/// A member as a list row, numbers masked.
struct MemberRow {
    id: i64,
    name: String,
    gender: &'static str,
    age: String,
    phone: String,
    unit_name: String,
    categories: Vec<&'static str>,
    status: &'static str,
    active: bool,
}

impl MemberRow {
    fn from_member(m: &Member, today: chrono::NaiveDate) -> Self {
        Self {
            id: m.id,
            name: m.name.clone(),
            gender: m.member_gender().map(Gender::label).unwrap_or(""),
            age: m.birth_date.map(|b| format!("{}岁", crate::time::age_on(b, today))).unwrap_or_default(),
            phone: masked_phone(m.phone.as_deref()),
            unit_name: m.unit_name.clone(),
            categories: m.category_set().labels(),
            status: m.member_status().label(),
            active: m.member_status() == MemberStatus::Active,
        }
    }
}

fn masked_phone(phone: Option<&str>) -> String {
    phone.map(|p| Phone::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "***".into())).unwrap_or_default()
}

fn masked_id_card(card: Option<&str>) -> String {
    card.map(|c| IdCardNumber::parse(c).map(|c| c.masked()).unwrap_or_else(|_| "***".into()))
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub(super) struct ListFilter {
    #[serde(default)]
    q: String,
    unit: Option<i64>,
    category: Option<u32>,
    #[serde(default)]
    status: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<MemberRow>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    unit: i64,
    category: u32,
    status: String,
    units: Vec<(i64, String)>,
    categories: Vec<(u32, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    query_base: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(filter): Query<ListFilter>,
) -> AppResult<Html<String>> {
    user.require_admin()?;
    let scope = user.scope();
    let units = org_store::units_in_scope(&state.db, &scope).await?;
    let unit_scope = filter
        .unit
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| format!("{}%", u.path))
        .unwrap_or_else(|| scope.clone());
    let query = MemberQuery {
        scope: unit_scope,
        text: super::model::normalize_text(&filter.q),
        categories: filter.category.unwrap_or(0),
        status: filter.status.clone(),
    };
    let page = filter.page.unwrap_or(1).max(1);
    let (members, total) = store::search(&state.db, &query, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let today = crate::time::today();
    let query_base = format!(
        "q={}&unit={}&category={}&status={}",
        crate::web::error::urlencode(&filter.q),
        filter.unit.unwrap_or(0),
        filter.category.unwrap_or(0),
        crate::web::error::urlencode(&filter.status)
    );
    let view = ListPage {
        shell: Shell::new(&user, "党员名册", "members"),
        rows: members.iter().map(|m| MemberRow::from_member(m, today)).collect(),
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        q: filter.q,
        unit: filter.unit.unwrap_or(0),
        category: filter.category.unwrap_or(0),
        status: filter.status,
        units: units.iter().filter(|u| u.retired_at.is_none()).map(|u| (u.id, u.indented_name())).collect(),
        categories: category_choices(),
        statuses: status_choices(),
        query_base,
    };
    Ok(Html(view.render()?))
}

async fn find(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Member> {
    user.require_admin()?;
    store::by_id_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "people/detail.html")]
struct DetailPage {
    shell: Shell,
    member: Member,
    row: MemberRow,
    birth_date: String,
    joined: String,
    phone: String,
    id_card: String,
    may_unmask: bool,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let member = find(&state, &user, id).await?;
    let page = DetailPage {
        shell: Shell::new(&user, member.name.clone(), "members"),
        row: MemberRow::from_member(&member, crate::time::today()),
        birth_date: member.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        joined: member.joined_party_on.map(|d| d.to_string()).unwrap_or_default(),
        phone: masked_phone(member.phone.as_deref()),
        id_card: masked_id_card(member.id_card.as_deref()),
        may_unmask: user.role.may_unmask(),
        member,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "people/revealed.html")]
struct RevealedFragment {
    phone: String,
    id_card: String,
}

/// Shows a member's full phone and ID-card numbers; every time is audited.
pub(super) async fn reveal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let member = find(&state, &user, id).await?;
    if !user.role.may_unmask() {
        return Err(AppError::Forbidden);
    }
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Unmask,
        &member.name,
        &format!("党员#{}", member.id),
        true,
    )
    .await?;
    let fragment = RevealedFragment {
        phone: member.phone.unwrap_or_default(),
        id_card: member.id_card.unwrap_or_default(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(fragment.render()?)).into_response())
}

pub(super) use form::{create, edit_form, new_form, update};

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    shell: Shell,
    units: Vec<(i64, String)>,
    outcome: Option<ImportOutcome>,
    error: Option<String>,
    rows: Vec<RowError>,
    file_name: String,
}

async fn import_page(state: &AppState, user: &CurrentUser, title: &str) -> AppResult<ImportPage> {
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    Ok(ImportPage {
        shell: Shell::new(user, title, "members"),
        units: units.into_iter().map(|u| (u.id, u.indented_name())).collect(),
        outcome: None,
        error: None,
        rows: Vec::new(),
        file_name: String::new(),
    })
}

pub(super) async fn import_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require_admin()?;
    Ok(Html(import_page(&state, &user, "导入花名册").await?.render()?))
}

/// Receives an uploaded roster; shows either what was imported or every bad row.
pub(super) async fn import_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require_admin()?;
    let limit = state.config.max_upload_bytes;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut default_unit_id: Option<i64> = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large_or_bad(limit))? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("roster.xlsx").to_owned();
                let bytes = field.bytes().await.map_err(|_| too_large_or_bad(limit))?;
                if bytes.len() > limit {
                    return Err(too_large_or_bad(limit));
                }
                file = Some((name, bytes.to_vec()));
            }
            Some("unit_id") => {
                let text = field.text().await.unwrap_or_default();
                default_unit_id = text.trim().parse().ok().filter(|id| *id > 0);
            }
            _ => {}
        }
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(AppError::BadRequest("请选择要上传的名册文件".into()));
    };
    let default_unit = match default_unit_id {
        Some(id) => Some(
            org_store::unit_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?.name,
        ),
        None => None,
    };
    let actor = Actor::user(&user);
    let importer = Importer { scope_path: &user.unit_path, actor: &actor };
    let result = import_roster(&state.db, &importer, &file_name, bytes, default_unit).await;
    let mut page = import_page(&state, &user, "导入花名册").await?;
    page.file_name = file_name;
    let status = match result {
        Ok(outcome) => {
            page.outcome = Some(outcome);
            StatusCode::OK
        }
        Err(ImportFailure::Rows(rows)) => {
            page.error = Some(format!("名册中有{}处错误，未导入任何数据。请改正后重新上传。", rows.len()));
            page.rows = rows;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ImportFailure::Unreadable(message)) => {
            page.error = Some(message);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ImportFailure::Database(e)) => return Err(e.into()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn too_large_or_bad(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!("文件太大或上传不完整：名册文件不能超过{}MB", limit / 1024 / 1024))
}

/// Downloads the roster of the user's subtree as .xlsx; audited.
pub(super) async fn export(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require_admin()?;
    let title = format!("{}党员花名册", user.unit_name);
    let (bytes, count) = super::export::export_members(&state.db, &user.scope(), &title).await?;
    audit::record(&state.db, &Actor::user(&user), Action::Export, "党员花名册", &format!("{count}人"), true)
        .await?;
    Ok(crate::web::download::xlsx("members.xlsx", &format!("{title}.xlsx"), bytes))
}
