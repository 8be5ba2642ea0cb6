//! Creating and editing a member. The form is checked by the very rules a roster row is checked
//! by (it is turned into a one-row table), so the web form and the import can never disagree.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::find;
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::formats::table::{Cell, Table, TableRow};
use crate::org::store as org_store;
use crate::people::doubt::{doubt_change, doubt_of};
use crate::people::model::{Gender, MemberCategories, MemberStatus};
use crate::people::store::{self, MemberFields};
use crate::roster::parse::{RosterRejection, parse_roster};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// The form's values, as typed.
#[derive(Debug, Clone, Default)]
pub(in crate::people) struct MemberInput {
    name: String,
    gender: String,
    birth_date: String,
    phone: String,
    id_card: String,
    unit_id: i64,
    joined_party_on: String,
    categories: u32,
    status: String,
    address: String,
}

/// The member form as submitted. Read as text: the roster rules check every field and name
/// what is wrong, and the form is shown again with what was typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(in crate::people) struct MemberForm {
    name: String,
    gender: String,
    birth_date: String,
    phone: String,
    id_card: String,
    unit_id: String,
    joined_party_on: String,
    /// The ticked categories, each a bit.
    category: Vec<String>,
    status: String,
    address: String,
}

labels! {
    MemberForm {
        name: "姓名",
        gender: "性别",
        birth_date: "出生日期",
        phone: "手机号码",
        id_card: "身份证号",
        unit_id: "所在单位",
        joined_party_on: "入党时间",
        category: "人员类别",
        status: "状态",
        address: "住址",
    }
}

impl MemberInput {
    fn from_form(form: MemberForm) -> Self {
        Self {
            name: form.name,
            gender: form.gender,
            birth_date: form.birth_date,
            phone: form.phone,
            id_card: form.id_card,
            unit_id: form.unit_id.trim().parse().unwrap_or(0),
            joined_party_on: form.joined_party_on,
            categories: form.category.iter().fold(0, |bits, c| bits | c.parse::<u32>().unwrap_or(0)),
            status: form.status,
            address: form.address,
        }
    }

    fn from_member(m: &store::Member, id_card: Option<String>) -> Self {
        Self {
            name: m.name.clone(),
            gender: m.gender.map(Gender::label).unwrap_or("").to_owned(),
            birth_date: m.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            phone: m.phone.clone().unwrap_or_default(),
            id_card: id_card.unwrap_or_default(),
            unit_id: m.unit_id,
            joined_party_on: m.joined_party_on.map(|d| d.to_string()).unwrap_or_default(),
            categories: m.category_set().bits(),
            status: m.status.label().to_owned(),
            address: m.address.clone().unwrap_or_default(),
        }
    }

    /// Checks the input with the roster rules; `Err` holds Chinese messages per field.
    fn validate(&self) -> Result<MemberFields, Vec<String>> {
        let labels = MemberCategories::from_bits(self.categories).labels().join("、");
        let header = [
            "姓名",
            "性别",
            "出生日期",
            "手机号码",
            "身份证号",
            "所在单位",
            "入党时间",
            "人员类别",
            "状态",
            "住址",
        ];
        let values = [
            self.name.as_str(),
            self.gender.as_str(),
            self.birth_date.as_str(),
            self.phone.as_str(),
            self.id_card.as_str(),
            "-",
            self.joined_party_on.as_str(),
            labels.as_str(),
            self.status.as_str(),
            self.address.as_str(),
        ];
        let row = |number, cells: &[&str]| TableRow {
            number,
            cells: cells
                .iter()
                .map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).to_owned()) })
                .collect(),
        };
        let table = Table { rows: vec![row(1, &header), row(2, &values)] };
        let mut records =
            parse_roster(&table, crate::time::today(), None).map_err(|rejection| match rejection {
                RosterRejection::NoHeader { .. } | RosterRejection::NoUnitColumn { .. } => {
                    vec![rejection.to_string()]
                }
                RosterRejection::Rows(rows) => {
                    rows.into_iter().map(|e| format!("{}：{}", e.column, e.reason)).collect()
                }
            })?;
        let record = records.pop().ok_or_else(|| vec!["请填写党员信息".to_owned()])?;
        Ok(MemberFields {
            unit_id: self.unit_id,
            name: record.name,
            gender: record.gender,
            birth_date: record.birth_date,
            phone: record.phone.map(|p| p.as_str().to_owned()),
            id_card: record.id_card.map(|c| c.as_str().to_owned()),
            joined_party_on: record.joined_party_on,
            categories: record.categories,
            status: record.status,
            address: record.address,
        })
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    shell: Shell,
    action: String,
    input: MemberInput,
    units: Vec<(i64, String)>,
    categories: Vec<(u32, &'static str, bool)>,
    statuses: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

impl FormPage {
    /// The 住址 problem, to show beside its field as well as in the list above.
    fn address_error(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.strip_prefix("住址："))
    }
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    title: &str,
    action: String,
    input: MemberInput,
    errors: Vec<String>,
) -> AppResult<String> {
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let page = FormPage {
        shell: Shell::new(user, title, "members"),
        action,
        categories: super::category_choices()
            .into_iter()
            .map(|(bit, label)| (bit, label, input.categories & bit != 0))
            .collect(),
        input,
        units: units.into_iter().map(|u| (u.id, u.indented_name())).collect(),
        statuses: super::status_choices(),
        errors,
    };
    Ok(page.render()?)
}

pub(in crate::people) async fn new_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let input = MemberInput {
        unit_id: user.unit_id,
        status: MemberStatus::Active.label().to_owned(),
        ..Default::default()
    };
    Ok(Html(form_page(&state, &user, "新增党员", "/members".into(), input, Vec::new()).await?))
}

pub(in crate::people) async fn edit_form(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let member = find(&state, &user, id).await?;
    let input = MemberInput::from_member(&member, member.id_card(&state.vault)?);
    let title = format!("编辑：{}", member.name);
    Ok(Html(form_page(&state, &user, &title, format!("/members/{id}"), input, Vec::new()).await?))
}

/// Validates the input and its unit (inside the user's subtree); every problem found is in the
/// [`AppError::Invalid`], for the form to show again.
async fn checked(state: &AppState, user: &CurrentUser, input: &MemberInput) -> AppResult<MemberFields> {
    let unit = org_store::unit_in_scope(&state.db, input.unit_id, &user.scope()).await?;
    let mut result = input.validate();
    if unit.is_none_or(|u| u.retired_at.is_some()) {
        let message = "所在单位：请选择您管辖范围内的单位".to_owned();
        match &mut result {
            Ok(_) => result = Err(vec![message]),
            Err(errors) => errors.push(message),
        }
    }
    result.map_err(AppError::Invalid)
}

pub(in crate::people) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let input = MemberInput::from_form(form);
    let fields = match checked(&state, &user, &input).await {
        Ok(fields) => fields,
        Err(AppError::Invalid(errors)) => {
            let html = form_page(&state, &user, "新增党员", "/members".into(), input, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
        Err(other) => return Err(other),
    };
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, &state.vault, &fields).await?;
    let doubt = doubt_of(fields.birth_date, fields.joined_party_on); // flagged by the insert
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::MemberEdit,
        &fields.name,
        &format!("新增党员#{id}"),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/members/{id}"), &flash_with_doubt("已新增", doubt)))
}

pub(in crate::people) async fn update(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let member = find(&state, &user, id).await?;
    let input = MemberInput::from_form(form);
    let fields = match checked(&state, &user, &input).await {
        Ok(fields) => fields,
        Err(AppError::Invalid(errors)) => {
            let title = format!("编辑：{}", member.name);
            let html = form_page(&state, &user, &title, format!("/members/{id}"), input, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
        Err(other) => return Err(other),
    };
    let before = member.fields(&state.vault)?;
    if fields == before {
        return Ok(redirect_with_flash(&format!("/members/{id}"), "没有改动"));
    }
    let changed = describe_changes(&before, &fields);
    let dates = |f: &MemberFields| (f.birth_date, f.joined_party_on);
    let change = doubt_change(member.doubt.as_deref(), dates(&before), dates(&fields));
    let mut tx = state.db.begin().await?;
    store::update(&mut tx, &state.vault, id, &fields).await?;
    if let Some(doubt) = change {
        store::set_doubts(&mut tx, &[(id, doubt)]).await?;
    }
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::MemberEdit,
        &fields.name,
        &format!("党员#{id}：{changed}"),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/members/{id}"), &flash_with_doubt("已保存", change.flatten())))
}

/// The flash after a save, saying when the member was flagged 数据存疑.
fn flash_with_doubt(done: &str, doubt: Option<&str>) -> String {
    match doubt {
        Some(doubt) => format!("{done}；{doubt}，已标记“数据存疑”，请核实"),
        None => done.to_owned(),
    }
}

/// Names the changed fields (never their values: the log must not leak numbers either).
fn describe_changes(before: &MemberFields, after: &MemberFields) -> String {
    let checks = [
        (before.name != after.name, "姓名"),
        (before.gender != after.gender, "性别"),
        (before.birth_date != after.birth_date, "出生日期"),
        (before.phone != after.phone, "手机号码"),
        (before.id_card != after.id_card, "身份证号"),
        (before.unit_id != after.unit_id, "所在单位"),
        (before.joined_party_on != after.joined_party_on, "入党时间"),
        (before.categories != after.categories, "人员类别"),
        (before.status != after.status, "状态"),
        (before.address != after.address, "住址"),
    ];
    let names: Vec<&str> = checks.iter().filter(|(c, _)| *c).map(|(_, n)| *n).collect();
    format!("修改了{}", names.join("、"))
}
