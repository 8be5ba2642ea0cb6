//! Member pages: list with search and filters, detail with masked numbers, create/edit, reveal
//! (audited).

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::model::{Gender, IdCardNumber, MemberCategories, MemberStatus, Phone};
use super::store::{self, Member, MemberQuery};
use crate::audit::{self, Action, Actor};
use crate::auth::AdminUser;
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Path, Query, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

mod form;

const PAGE_SIZE: i64 = 50;

/// Category filter and check-box choices: (bit, label).
fn category_choices() -> Vec<(u32, &'static str)> {
    MemberCategories::ALL.iter().map(|(c, label)| (c.bits(), *label)).collect()
}

/// Status choices: (code, label).
fn status_choices() -> Vec<(&'static str, &'static str)> {
    MemberStatus::choices()
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
    /// 数据存疑: why, if flagged.
    doubt: Option<String>,
}

impl MemberRow {
    fn from_member(m: &Member, today: chrono::NaiveDate) -> Self {
        Self {
            id: m.id,
            name: m.name.clone(),
            gender: m.gender.map(Gender::label).unwrap_or(""),
            age: m.birth_date.map(|b| format!("{}岁", crate::time::age_on(b, today))).unwrap_or_default(),
            phone: masked_phone(m.phone.as_deref()),
            unit_name: m.unit_name.clone(),
            categories: m.category_set().labels(),
            status: m.status.label(),
            active: m.status == MemberStatus::Active,
            doubt: m.doubt.clone(),
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
    /// 1: only members flagged 数据存疑.
    doubt: Option<u8>,
}

labels! {
    ListFilter { q: "搜索", unit: "单位", category: "人员类别", status: "状态", page: "页码", doubt: "数据存疑" }
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
    doubtful: bool,
    units: Vec<(i64, String)>,
    categories: Vec<(u32, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    query_base: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Query(filter): Query<ListFilter>,
) -> AppResult<Html<String>> {
    let scope = user.scope();
    let units = org_store::units_in_scope(&state.db, &scope).await?;
    let unit_scope = filter
        .unit
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.scope())
        .unwrap_or_else(|| scope.clone());
    let query = MemberQuery {
        scope: unit_scope,
        text: super::model::normalize_text(&filter.q),
        categories: filter.category.unwrap_or(0),
        status: MemberStatus::from_code(&filter.status),
        doubtful: filter.doubt == Some(1),
    };
    let page = filter.page.unwrap_or(1).max(1);
    // A page whose first row lies past what the database can count is refused, not wrapped
    // round to a negative OFFSET.
    let offset =
        (page - 1).checked_mul(PAGE_SIZE).ok_or_else(|| AppError::BadRequest("页码超出范围".into()))?;
    let (members, total) = store::search(&state.db, &query, PAGE_SIZE, offset).await?;
    let today = crate::time::today();
    let query_base = format!(
        "q={}&unit={}&category={}&status={}&doubt={}",
        crate::web::error::urlencode(&filter.q),
        filter.unit.unwrap_or(0),
        filter.category.unwrap_or(0),
        crate::web::error::urlencode(&filter.status),
        u8::from(query.doubtful)
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
        doubtful: query.doubtful,
        units: units.iter().filter(|u| u.retired_at.is_none()).map(|u| (u.id, u.indented_name())).collect(),
        categories: category_choices(),
        statuses: status_choices(),
        query_base,
    };
    Ok(Html(view.render()?))
}

async fn find(state: &AppState, user: &AdminUser, id: i64) -> AppResult<Member> {
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
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let member = find(&state, &user, id).await?;
    let page = DetailPage {
        shell: Shell::new(&user, member.name.clone(), "members"),
        row: MemberRow::from_member(&member, crate::time::today()),
        birth_date: member.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        joined: member.joined_party_on.map(|d| d.to_string()).unwrap_or_default(),
        phone: masked_phone(member.phone.as_deref()),
        id_card: masked_id_card(member.id_card(&state.vault)?.as_deref()),
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
    user: AdminUser,
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
        id_card: member.id_card(&state.vault)?.unwrap_or_default(),
        phone: member.phone.unwrap_or_default(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(fragment.render()?)).into_response())
}

/// Clears a member's 数据存疑 flag once staff in scope have checked the record; audited with
/// what was doubted.
pub(super) async fn clear_doubt(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let member = find(&state, &user, id).await?;
    let Some(doubt) = member.doubt else {
        return Ok(redirect_with_flash(&format!("/members/{id}"), "没有需要核实的数据"));
    };
    let mut tx = state.db.begin().await?;
    store::set_doubts(&mut tx, &[(id, None)]).await?;
    let detail = format!("党员#{id}：核实无误，清除“数据存疑”（{doubt}）");
    audit::record_in(&mut tx, &Actor::user(&user), Action::MemberEdit, &member.name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/members/{id}"), "已核实，清除“数据存疑”标记"))
}

pub(super) use form::{create, edit_form, new_form, update};
