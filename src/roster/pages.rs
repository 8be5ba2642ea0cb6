//! Roster pages: upload a roster (every bad row reported, nothing half-imported) and download the
//! members inside the user's subtree; both audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::import::{ImportFailure, ImportOutcome, Importer, import_roster};
use super::parse::RowError;
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::Multipart;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "roster/import.html")]
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

pub(super) async fn import_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    Ok(Html(import_page(&state, &user, "导入花名册").await?.render()?))
}

/// Receives an uploaded roster; shows either what was imported or every bad row.
pub(super) async fn import_upload(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
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
    let importer = Importer { scope: user.scope(), actor: &actor, vault: &state.vault };
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
        Err(ImportFailure::Vault(e)) => return Err(e.into()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn too_large_or_bad(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!("文件太大或上传不完整：名册文件不能超过{}MB", limit / 1024 / 1024))
}

/// Downloads the roster of the user's subtree as .xlsx; audited.
pub(super) async fn export(State(state): State<AppState>, AdminUser(user): AdminUser) -> AppResult<Response> {
    let title = format!("{}党员花名册", user.unit_name);
    let (bytes, count) =
        super::export::export_members(&state.db, &state.vault, &user.scope(), &title).await?;
    audit::record(&state.db, &Actor::user(&user), Action::Export, "党员花名册", &format!("{count}人"), true)
        .await?;
    Ok(crate::web::download::xlsx("members.xlsx", &format!("{title}.xlsx"), bytes))
}
