//! The materials catalogue: the books and leaflets a visitor can be sent with. Admins look; the
//! committee edits.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::delivery::MaterialKind;
use crate::delivery::store as deliveries;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "delivery/materials.html")]
struct MaterialsPage {
    shell: Shell,
    can_edit: bool,
    materials: Vec<(i64, String, &'static str, bool)>,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    name: String,
}

async fn materials_page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    name: String,
) -> AppResult<MaterialsPage> {
    Ok(MaterialsPage {
        shell: Shell::new(user, "送学材料", "deliveries"),
        can_edit: user.role == Role::CommitteeAdmin,
        materials: deliveries::materials(&state.db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name, m.kind.label(), m.active))
            .collect(),
        kinds: MaterialKind::choices(),
        error,
        name,
    })
}

/// `GET /deliveries/materials`: the catalogue (admins; the committee edits it).
pub(in crate::delivery) async fn materials(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    Ok(Html(materials_page(&state, &user, None, String::new()).await?.render()?))
}

#[derive(Deserialize)]
pub(in crate::delivery) struct MaterialForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
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
    let problem = if !(2..=60).contains(&length) {
        Some("材料名称应为2到60个字".to_owned())
    } else if kind.is_none() {
        Some("请选择材料类别".to_owned())
    } else {
        None
    };
    let (None, Some(kind)) = (&problem, kind) else {
        let page = materials_page(&state, &user, problem, form.name).await?;
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    };
    match deliveries::insert_material(&state.db, &name, kind).await? {
        Some(_) => Ok(redirect_with_flash("/deliveries/materials", &format!("已添加：{name}"))),
        None => {
            let page = materials_page(
                &state,
                &user,
                Some(format!("“{name}”已在材料目录中，不能重复添加")),
                form.name,
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(in crate::delivery) struct ActiveForm {
    #[serde(default)]
    active: String,
}

labels! {
    MaterialForm { name: "名称", kind: "类别" }
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
