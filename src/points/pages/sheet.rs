//! The offline points sheet upload (`/points/import`): a result page listing every entry added,
//! or every bad row, and the template to fill in.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::audit::Actor;
use crate::auth::{AdminUser, CurrentUser};
use crate::points::offline::import::{SheetFailure, SheetOutcome, Uploader, import_sheet};
use crate::roster::parse::RowError;
use crate::state::AppState;
use crate::web::extract::Multipart;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "points/import.html")]
struct ImportPage {
    shell: Shell,
    outcome: Option<SheetOutcome>,
    added_points: i64,
    error: Option<String>,
    rows: Vec<RowError>,
    file_name: String,
}

fn page(user: &CurrentUser) -> ImportPage {
    ImportPage {
        shell: Shell::new(user, "导入线下积分表", "members"),
        outcome: None,
        added_points: 0,
        error: None,
        rows: Vec::new(),
        file_name: String::new(),
    }
}

/// The upload form.
pub(in crate::points) async fn form(AdminUser(user): AdminUser) -> AppResult<Html<String>> {
    Ok(Html(page(&user).render()?))
}

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!("文件太大或上传不完整：积分表不能超过{}MB", limit / 1024 / 1024))
}

/// Imports an uploaded sheet: all rows or none; shows what was added or every bad row.
pub(in crate::points) async fn upload(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let limit = state.config.max_upload_bytes;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large(limit))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("points.xlsx").to_owned();
            let bytes = field.bytes().await.map_err(|_| too_large(limit))?;
            if bytes.len() > limit {
                return Err(too_large(limit));
            }
            file = Some((name, bytes.to_vec())).filter(|(_, b)| !b.is_empty());
        }
    }
    let Some((file_name, bytes)) = file else {
        return Err(AppError::BadRequest("请选择要上传的积分表文件".into()));
    };
    let actor = Actor::user(&user);
    let uploader =
        Uploader { scope: user.scope(), user_id: Some(user.user_id), actor: &actor, vault: &state.vault };
    let result = import_sheet(&state.db, &uploader, &file_name, bytes).await;
    let mut page = page(&user);
    page.file_name = file_name;
    let status = match result {
        Ok(outcome) => {
            page.added_points = outcome.added.iter().map(|a| a.points).sum();
            page.outcome = Some(outcome);
            StatusCode::OK
        }
        Err(SheetFailure::Rows(rows)) => {
            page.error = Some(format!("积分表中有{}处错误，未导入任何数据。请改正后重新上传。", rows.len()));
            page.rows = rows;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(SheetFailure::Unreadable(message)) => {
            page.error = Some(message);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(busy @ SheetFailure::Busy) => {
            page.error = Some(busy.to_string());
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(SheetFailure::Database(e)) => return Err(e.into()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Downloads the template, its example row dated today.
pub(in crate::points) async fn template(AdminUser(_user): AdminUser) -> AppResult<Response> {
    let today = crate::time::today();
    let bytes = tokio::task::spawn_blocking(move || {
        crate::points::offline::template::write_template_xlsx("张三", "13800000000", today)
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    Ok(crate::web::download::xlsx("offline-points-template.xlsx", "线下学习积分导入模板.xlsx", bytes))
}
