//! Roster pages: upload a roster (every bad row reported, nothing half-imported) and download the
//! members inside the user's subtree; both audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::import::{ImportFailure, ImportOutcome, Importer, import_roster};
use super::parse::{RosterOptions, RowError};
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
    /// The unit column to pick: the staging token and the headers found.
    pick: Option<(String, Vec<String>)>,
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
        pick: None,
    })
}

pub(super) async fn import_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    Ok(Html(import_page(&state, &user, "导入花名册").await?.render()?))
}

/// What the upload form sent: a file, or the token of the file staged when its unit column had
/// to be picked, with the column picked and the unit for rows without one.
#[derive(Default)]
struct Upload {
    file: Option<(String, Vec<u8>)>,
    staged: Option<String>,
    unit_column: Option<String>,
    default_unit_id: Option<i64>,
}

async fn read_upload(multipart: &mut Multipart, limit: usize) -> AppResult<Upload> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large_or_bad(limit))? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("roster.xlsx").to_owned();
                let bytes = field.bytes().await.map_err(|_| too_large_or_bad(limit))?;
                if bytes.len() > limit {
                    return Err(too_large_or_bad(limit));
                }
                upload.file = Some((name, bytes.to_vec())).filter(|(_, b)| !b.is_empty());
            }
            Some(name @ ("unit_id" | "staged" | "unit_column")) => {
                let name = name.to_owned();
                let text = field.text().await.unwrap_or_default().trim().to_owned();
                match name.as_str() {
                    "unit_id" => upload.default_unit_id = text.parse().ok().filter(|id| *id > 0),
                    "staged" => upload.staged = Some(text).filter(|t| !t.is_empty()),
                    _ => upload.unit_column = Some(text).filter(|t| !t.is_empty()),
                }
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// Receives an uploaded roster; shows what was imported (with its warnings), every bad row, or
/// the headers to pick the unit's column from — the file kept meanwhile (see `staging`).
pub(super) async fn import_upload(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let upload = read_upload(&mut multipart, state.config.max_upload_bytes).await?;
    let (file_name, bytes) = match (upload.file, &upload.staged) {
        (Some(file), _) => file,
        (None, Some(token)) => state.roster_staging.take(user.session_id, token).ok_or_else(|| {
            AppError::BadRequest("上传的名册已过期（只保留15分钟），请重新选择文件上传".into())
        })?,
        (None, None) => return Err(AppError::BadRequest("请选择要上传的名册文件".into())),
    };
    let default_unit = match upload.default_unit_id {
        Some(id) => Some(
            org_store::unit_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?.name,
        ),
        None => None,
    };
    let actor = Actor::user(&user);
    let importer = Importer { scope: user.scope(), actor: &actor, vault: &state.vault };
    let options = RosterOptions { default_unit, unit_column: upload.unit_column };
    let result = import_roster(&state.db, &importer, &file_name, bytes.clone(), options).await;
    let mut page = import_page(&state, &user, "导入花名册").await?;
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
        Err(ImportFailure::NoUnitColumn { named, headers }) => {
            page.error = Some(match named {
                Some(name) => format!("名册中没有“{name}”这一列，请重新选择。"),
                None => "没有认出哪一列是所在单位，请选择。未导入任何数据。".to_owned(),
            });
            let token = state.roster_staging.put(user.session_id, &file_name, bytes);
            page.pick = Some((token, headers));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ImportFailure::Unreadable(message)) => {
            page.error = Some(message);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(busy @ ImportFailure::Busy) => {
            page.error = Some(busy.to_string());
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(ImportFailure::Database(e)) => return Err(e.into()),
        Err(ImportFailure::Vault(e)) => return Err(e.into()),
    };
    page.file_name = file_name;
    Ok((status, Html(page.render()?)).into_response())
}

/// Downloads the roster template: the recognised headers and one example row in a unit the
/// person may import into, so the file imports as it stands.
pub(super) async fn template(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Response> {
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let unique = |name: &str| units.iter().filter(|u| u.name == name).count() == 1;
    let unit = units
        .iter()
        .find(|u| u.kind == crate::org::model::UnitKind::Branch && unique(&u.name))
        .map_or(user.unit_name.clone(), |u| u.name.clone());
    let bytes = tokio::task::spawn_blocking(move || super::template::write_template_xlsx(&unit))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    Ok(crate::web::download::xlsx("roster-template.xlsx", "党员花名册导入模板.xlsx", bytes))
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
