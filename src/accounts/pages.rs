//! Account administration (admins, inside their subtree).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::store::{self, AccountListing, NewUser};
use crate::audit::{self, Action, Actor};
use crate::auth::store as auth_store;
use crate::auth::{AdminUser, CurrentUser, Role, login_session, password};
use crate::org::store as org_store;
use crate::people::model::Phone;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// An account row as shown.
struct AccountRow {
    id: i64,
    name: String,
    phone_masked: String,
    role: &'static str,
    unit_name: String,
    pending: bool,
    active: bool,
    /// Whether the viewer may reset or change it (a station admin's peers are the committee's).
    manageable: bool,
}

impl AccountRow {
    fn new(a: AccountListing, viewer: Role) -> Self {
        Self {
            manageable: viewer.may_manage(a.role),
            id: a.id,
            name: a.name,
            phone_masked: Phone::parse(&a.phone).map(|p| p.masked()).unwrap_or(a.phone),
            role: a.role.label(),
            unit_name: a.unit_name,
            pending: a.must_change_password,
            active: a.active,
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    shell: Shell,
    accounts: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let accounts = store::list_in_scope(&state.db, &user.scope()).await?;
    let page = ListPage {
        shell: Shell::new(&user, "账号管理", "accounts"),
        accounts: accounts.into_iter().map(|a| AccountRow::new(a, user.role)).collect(),
        roles: grantable_roles(&user),
        units: unit_choices(&state, &user).await?,
    };
    Ok(Html(page.render()?))
}

/// The roles this user may grant, least privilege first, so a new account is a 党员 unless the
/// admin chooses more.
fn grantable_roles(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().rev().filter(|r| user.role.may_grant(**r)).map(|r| (r.code(), r.label())).collect()
}

async fn unit_choices(state: &AppState, user: &CurrentUser) -> AppResult<Vec<(i64, String)>> {
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    Ok(units.into_iter().map(|u| (u.id, u.indented_name())).collect())
}

#[derive(Template)]
#[template(path = "accounts/new.html")]
struct NewPage {
    shell: Shell,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    error: Option<String>,
    /// What was typed, kept when the form comes back with a problem.
    name: String,
    phone: String,
    role: String,
    unit_id: i64,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let page = NewPage {
        shell: Shell::new(&user, "新建账号", "accounts"),
        roles: grantable_roles(&user),
        units: unit_choices(&state, &user).await?,
        error: None,
        name: String::new(),
        phone: String::new(),
        role: String::new(),
        unit_id: 0,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(super) struct NewAccountForm {
    name: String,
    phone: String,
    role: String,
    unit_id: i64,
}

labels! {
    NewAccountForm { name: "姓名", phone: "手机号码", role: "角色", unit_id: "所属单位" }
    RoleForm { role: "角色", unit_id: "单位" }
    ActiveForm { active: "启用或停用" }
}

#[derive(Template)]
#[template(path = "accounts/issued.html")]
struct IssuedPage {
    shell: Shell,
    name: String,
    phone: String,
    one_time_password: String,
}

/// Creates an account and shows its one-time password once.
pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Form(form): Form<NewAccountForm>,
) -> AppResult<Response> {
    let name = crate::people::model::normalize_name(&form.name);
    let checked = validate_new_account(&state, &user, &name, &form).await;
    let (phone, role, unit) = match checked {
        Ok(values) => values,
        Err(message) => {
            let page = NewPage {
                shell: Shell::new(&user, "新建账号", "accounts"),
                roles: grantable_roles(&user),
                units: unit_choices(&state, &user).await?,
                error: Some(message),
                name: form.name.clone(),
                phone: form.phone.clone(),
                role: form.role.clone(),
                unit_id: form.unit_id,
            };
            return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
        }
    };
    let member_id =
        crate::people::store::id_by_phone_in_scope(&state.db, phone.as_str(), &unit.scope()).await?;
    let one_time = password::one_time();
    let hash = password::hash(one_time.clone()).await?;
    let new_user = NewUser {
        phone: phone.as_str(),
        name: &name,
        password_hash: &hash,
        role,
        unit_id: unit.id,
        member_id,
        must_change_password: true,
    };
    let detail = format!("{}，{}，{}", name, role.label(), unit.name);
    let mut tx = state.db.begin().await?;
    store::insert(&mut tx, &new_user).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::AccountCreate, phone.as_str(), &detail, true)
        .await?;
    tx.commit().await?;
    let page = IssuedPage {
        shell: Shell::new(&user, "账号已创建", "accounts"),
        name,
        phone: phone.as_str().to_owned(),
        one_time_password: one_time,
    };
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

async fn validate_new_account(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    form: &NewAccountForm,
) -> Result<(Phone, Role, org_store::Unit), String> {
    if name.chars().count() < 2 {
        return Err("请填写姓名".into());
    }
    let phone = Phone::parse(&form.phone).map_err(|e| format!("手机号码：{}", e.reason))?;
    let role = Role::from_code(&form.role).filter(|r| user.role.may_grant(*r)).ok_or("不能授予该角色")?;
    let unit = org_store::unit_in_scope(&state.db, form.unit_id, &user.scope())
        .await
        .map_err(|_| "读取单位失败".to_owned())?
        .ok_or("所选单位不存在或不在您的管辖范围内")?;
    if crate::auth::store::by_phone(&state.db, phone.as_str())
        .await
        .map_err(|_| "读取账号失败".to_owned())?
        .is_some()
    {
        return Err("该手机号已有账号".into());
    }
    Ok((phone, role, unit))
}

/// Finds an account the acting admin may manage, never themselves.
async fn managed_account(state: &AppState, user: &AdminUser, id: i64) -> AppResult<store::User> {
    let account = store::by_id_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    if account.id == user.user_id {
        return Err(AppError::BadRequest("不能在这里修改自己的账号，请到“我的”页面修改密码".into()));
    }
    if !user.role.may_manage(account.role) {
        return Err(AppError::Forbidden);
    }
    Ok(account)
}

/// Issues a new one-time password and ends the account's sessions.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let account = managed_account(&state, &user, id).await?;
    let one_time = password::one_time();
    let hash = password::hash(one_time.clone()).await?;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, account.id, &hash, true).await?;
    login_session::end_all_for_user(&mut tx, account.id).await?;
    // The reset is also the unlock: the owner may log in from anywhere with the new password.
    auth_store::clear_failures(&mut tx, &account.phone).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::Password, &account.phone, "管理员重置密码", true)
        .await?;
    tx.commit().await?;
    let page = IssuedPage {
        shell: Shell::new(&user, "密码已重置", "accounts"),
        name: account.name,
        phone: account.phone,
        one_time_password: one_time,
    };
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub(super) struct RoleForm {
    role: String,
    unit_id: i64,
}

/// Changes an account's role and unit; audited with before and after.
pub(super) async fn change_role(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let account = managed_account(&state, &user, id).await?;
    let role = Role::from_code(&form.role)
        .filter(|r| user.role.may_grant(*r))
        .ok_or_else(|| AppError::BadRequest("不能授予该角色".into()))?;
    let unit = org_store::unit_in_scope(&state.db, form.unit_id, &user.scope())
        .await?
        .ok_or_else(|| AppError::BadRequest("所选单位不存在或不在您的管辖范围内".into()))?;
    let detail = format!("{} → {}（{}）", account.role.label(), role.label(), unit.name);
    let mut tx = state.db.begin().await?;
    store::set_role(&mut tx, account.id, role, unit.id).await?;
    login_session::end_all_for_user(&mut tx, account.id).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::RoleChange, &account.phone, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/accounts", &format!("已将{}设为{}", account.name, role.label())))
}

#[derive(Deserialize)]
pub(super) struct ActiveForm {
    active: bool,
}

/// Enables or disables an account; disabling ends its sessions at once.
pub(super) async fn set_active(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    let account = managed_account(&state, &user, id).await?;
    let detail = if form.active { "启用" } else { "停用" };
    let mut tx = state.db.begin().await?;
    store::set_active(&mut tx, account.id, form.active).await?;
    if !form.active {
        login_session::end_all_for_user(&mut tx, account.id).await?;
    }
    audit::record_in(&mut tx, &Actor::user(&user), Action::AccountActive, &account.phone, detail, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/accounts", &format!("已{detail}{}的账号", account.name)))
}
