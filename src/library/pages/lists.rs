//! Curated lists (本周学习): staff push a few items to a unit in their subtree, due on a day; the
//! unit's members see them on their home page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::library::store::{self, Item, List};
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::form::{FieldErrors, parse_date};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppResult, Shell};

#[derive(Template)]
#[template(path = "library/lists.html")]
struct ListsPage {
    shell: Shell,
    lists: Vec<List>,
    units: Vec<(i64, String)>,
    items: Vec<Item>,
    form: ListForm,
    errors: FieldErrors,
}

/// What the list form holds.
#[derive(Deserialize, Default, Clone)]
pub(in crate::library) struct ListForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    item: Vec<String>,
}

labels! {
    ListForm { title: "清单名称", unit_id: "推送到", due_on: "完成日期", item: "学习资料" }
}

impl ListForm {
    fn has_item(&self, id: &i64) -> bool {
        self.item.iter().any(|i| i == &id.to_string())
    }
    fn unit_is(&self, id: &i64) -> bool {
        self.unit_id == id.to_string()
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: ListForm,
    errors: FieldErrors,
) -> AppResult<ListsPage> {
    let scope = user.scope();
    Ok(ListsPage {
        shell: Shell::new(user, "学习清单", "library"),
        lists: store::lists_in_scope(&state.db, &scope).await?,
        units: org_store::active_units_in_scope(&state.db, &scope)
            .await?
            .into_iter()
            .map(|u| (u.id, u.indented_name()))
            .collect(),
        items: store::list(&state.db, "").await?,
        form,
        errors,
    })
}

/// `GET /library/lists`: the lists pushed inside the admin's subtree, and the form for a new one.
pub(in crate::library) async fn lists(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let form = ListForm { title: "本周学习".into(), ..Default::default() };
    Ok(Html(page(&state, &user, form, FieldErrors::default()).await?.render()?))
}

/// `POST /library/lists`: pushes a list to a unit in the admin's subtree (another village's unit
/// is refused as unknown), audited.
pub(in crate::library) async fn create_list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Form(form): Form<ListForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let title = form.title.trim();
    if !(2..=30).contains(&title.chars().count()) {
        errors.add("title", "清单名称应为2到30个字");
    }
    let scope = user.scope();
    let units = org_store::active_units_in_scope(&state.db, &scope).await?;
    let unit = form.unit_id.trim().parse::<i64>().ok().and_then(|id| units.iter().find(|u| u.id == id));
    if unit.is_none() {
        errors.add("unit_id", "请选择您管辖范围内的单位");
    }
    let due_on = errors.check("due_on", parse_date(&form.due_on, "完成日期"));
    if due_on.is_some_and(|d| d < crate::time::today()) {
        errors.add("due_on", "完成日期不能早于今天");
    }
    let all = store::list(&state.db, "").await?;
    let items: Vec<i64> =
        all.iter().filter(|i| form.item.iter().any(|f| f == &i.id.to_string())).map(|i| i.id).collect();
    if items.is_empty() || items.len() != form.item.len() {
        errors.add("item", "请至少勾选一项学习资料");
    }
    let (true, Some(unit), Some(due_on)) = (errors.is_empty(), unit, due_on) else {
        let page = page(&state, &user, form, errors).await?;
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    };
    let mut tx = state.db.begin().await?;
    let id = store::insert_list(&mut tx, (title, unit.id, due_on), &items, Some(user.user_id)).await?;
    let detail = format!("{title} → {}，{} 项，{due_on} 前完成", unit.name, items.len());
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Library,
        &format!("library_list:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/library/lists", &format!("已推送给{}的党员", unit.name)))
}
