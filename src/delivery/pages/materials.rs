//! The materials catalogue: the books and leaflets a visitor can be sent with. Admins look; the
//! committee edits. A 书籍 added here is a library book (author, publisher, copies counted in),
//! its stock shown beside it and kept on its library page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::delivery::MaterialKind;
use crate::delivery::store::{self as deliveries, Material};
use crate::library::model::MAX_MOVE;
use crate::library::stock::NewBook;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "delivery/materials.html")]
struct MaterialsPage {
    shell: Shell,
    can_edit: bool,
    materials: Vec<Material>,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    form: MaterialForm,
}

async fn materials_page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    form: MaterialForm,
) -> AppResult<MaterialsPage> {
    Ok(MaterialsPage {
        shell: Shell::new(user, "送学材料", "deliveries"),
        can_edit: user.role == Role::CommitteeAdmin,
        materials: deliveries::materials(&state.db).await?,
        kinds: MaterialKind::choices(),
        error,
        form,
    })
}

/// `GET /deliveries/materials`: the catalogue (admins; the committee edits it).
pub(in crate::delivery) async fn materials(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    Ok(Html(materials_page(&state, &user, None, MaterialForm::default()).await?.render()?))
}

#[derive(Deserialize, Default)]
pub(in crate::delivery) struct MaterialForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    stock: String,
}

/// `POST /deliveries/materials`: adds a material (committee only).
pub(in crate::delivery) async fn add_material(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Form(form): Form<MaterialForm>,
) -> AppResult<Response> {
    let name = form.name.trim().to_owned();
    let length = name.chars().count();
    let kind = MaterialKind::from_code(&form.kind);
    let (author, publisher) = (form.author.trim(), form.publisher.trim());
    let stock = match form.stock.trim() {
        "" => Some(0),
        text => text.parse::<i64>().ok().filter(|n| (0..=MAX_MOVE).contains(n)),
    };
    let problem = if !(2..=60).contains(&length) {
        Some("材料名称应为2到60个字".to_owned())
    } else if kind.is_none() {
        Some("请选择材料类别".to_owned())
    } else if author.chars().count() > 40 || publisher.chars().count() > 40 {
        Some("作者、出版社各不超过40个字".to_owned())
    } else if kind == Some(MaterialKind::Book) && stock.is_none() {
        Some(format!("入库册数应为0到{MAX_MOVE}的整数"))
    } else {
        None
    };
    let (None, Some(kind), Some(stock)) = (&problem, kind, stock) else {
        let page = materials_page(&state, &user, problem, form).await?;
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    };
    let mut tx = state.db.begin().await?;
    let added = if kind == MaterialKind::Book {
        let book = NewBook {
            title: &name,
            author,
            publisher,
            category: "图书",
            tags: "",
            stock,
            created_by: Some(user.user_id),
        };
        deliveries::insert_book(&mut tx, &book).await?
    } else {
        deliveries::insert_material_in(&mut tx, &name, kind, None).await?
    };
    if added.is_none() {
        drop(tx);
        let problem = Some(format!("“{name}”已在材料目录中，不能重复添加"));
        let page = materials_page(&state, &user, problem, form).await?;
        return Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response());
    }
    let detail = match kind {
        MaterialKind::Book => format!("送学材料：{name}（书籍，入库{stock}册）"),
        _ => format!("送学材料：{name}（{}）", kind.label()),
    };
    audit::record_in(&mut tx, &Actor::user(&user), Action::Delivery, &name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/deliveries/materials", &format!("已添加：{name}")))
}

#[derive(Deserialize)]
pub(in crate::delivery) struct ActiveForm {
    #[serde(default)]
    active: String,
}

labels! {
    MaterialForm { name: "名称", kind: "类别", author: "作者", publisher: "出版社", stock: "入库册数" }
    ActiveForm { active: "停用或恢复" }
}

/// `POST /deliveries/materials/{id}/active`: offers a material again, or stops offering it.
pub(in crate::delivery) async fn set_material_active(
    State(state): State<AppState>,
    _: CommitteeUser,
    Path(id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    let active = form.active == "true";
    if !deliveries::set_material_active(&state.db, id, active).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        "/deliveries/materials",
        if active { "已恢复提供" } else { "已停用，新任务中不再出现" },
    ))
}
