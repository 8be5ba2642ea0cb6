//! PDFs in the library: the committee uploads one (streamed to the media directory under the
//! document cap, typed from its first bytes `%PDF-`, stored by a random name; refused with the
//! form kept and nothing left behind), and anyone logged in reads it inline with Range requests.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::items::{ItemForm, new_page};
use crate::audit::{self, Action, Actor};
use crate::auth::{CommitteeUser, CurrentUser};
use crate::classroom::media;
use crate::library::model::{self, ItemKind};
use crate::library::store::{self, NewItem};
use crate::state::AppState;
use crate::web::extract::{Multipart, Path};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult};

/// Reads a short text field of the upload form, refusing one over `limit` bytes.
async fn text_field(field: &mut axum::extract::multipart::Field<'_>, limit: usize) -> AppResult<String> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| media::interrupted())? {
        if text.len() + chunk.len() > limit {
            return Err(AppError::BadRequest("填写的内容过长".into()));
        }
        text.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// `POST /library/pdf` (multipart; CSRF token in the query): adds a PDF, audited. Refused —
/// too large, not a PDF, no file, a bad title — it shows the form again as typed, and the file
/// written so far is removed.
pub(in crate::library) async fn upload_pdf(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let dir = media::dir(&state.config);
    let mut form = ItemForm::default();
    let mut saved = None;
    let outcome: AppResult<()> = async {
        while let Some(mut field) = multipart.next_field().await.map_err(|_| media::interrupted())? {
            match field.name().unwrap_or_default() {
                "title" => form.title = text_field(&mut field, 1024).await?,
                "category" => form.category = text_field(&mut field, 1024).await?,
                "tags" => form.tags = text_field(&mut field, 1024).await?,
                "file" => {
                    let cap = state.config.max_document_bytes;
                    saved = Some(media::save_upload(&mut field, &dir, cap, &media::PDF).await?);
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let mut errors = FieldErrors::default();
    let mut status = StatusCode::BAD_REQUEST;
    match outcome {
        Ok(()) if saved.is_none() => errors.add("file", "请选择要上传的 PDF 文件"),
        Ok(()) => {}
        Err(AppError::PayloadTooLarge(message)) => {
            status = StatusCode::PAYLOAD_TOO_LARGE;
            errors.add("file", message);
        }
        Err(AppError::BadRequest(message)) => errors.add("file", message),
        Err(error) => {
            remove(&dir, &saved).await;
            return Err(error);
        }
    }
    let title = form.title.trim().to_owned();
    if !(2..=80).contains(&title.chars().count()) {
        errors.add("title", "标题应为2到80个字");
    }
    let category = form.category.trim().to_owned();
    if category.chars().count() > 20 {
        errors.add("category", "分类不超过20个字");
    }
    let (true, Some((file_name, _, size))) = (errors.is_empty(), &saved) else {
        remove(&dir, &saved).await;
        let mut page = new_page(&user, ItemForm::blank(), FieldErrors::default());
        page.pdf = form;
        page.pdf_errors = errors;
        return Ok((status, Html(page.render()?)).into_response());
    };
    let tags = model::parse_tags(&form.tags).join(",");
    let item = NewItem {
        kind: ItemKind::Pdf,
        title: &title,
        category: &category,
        tags: &tags,
        body: "",
        url: "",
        min_seconds: 60,
        created_by: Some(user.user_id),
        file_name,
        size_bytes: i64::try_from(*size).unwrap_or(i64::MAX),
    };
    let written: AppResult<i64> = async {
        let mut tx = state.db.begin().await?;
        let id = store::insert(&mut tx, &item).await?;
        let detail = format!("{title}（PDF，{} KB）", size / 1024);
        audit::record_in(
            &mut tx,
            &Actor::user(&user),
            Action::Library,
            &format!("library:{id}"),
            &detail,
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match written {
        Ok(id) => Ok(redirect_with_flash(&format!("/library/{id}"), &format!("已上传：{title}"))),
        Err(error) => {
            remove(&dir, &saved).await;
            Err(error)
        }
    }
}

async fn remove(dir: &std::path::Path, saved: &Option<(String, &'static str, u64)>) {
    media::remove_stored(dir, saved.as_ref().map(|(name, _, _)| name.as_str())).await;
}

/// `GET /library/{id}/pdf`: the PDF, inline, with Range requests (login required).
pub(in crate::library) async fn pdf(
    State(state): State<AppState>,
    _: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let item = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if item.kind != ItemKind::Pdf {
        return Err(AppError::NotFound);
    }
    media::serve(&media::dir(&state.config), &item.file_name, "application/pdf", &headers).await
}
