//! The article form as posted (multipart: its fields and the pictures chosen), checked, with its
//! pictures re-encoded and stored in the caller's transaction only when the form is saved.

use crate::auth::CurrentUser;
use crate::column::model::{self, ArticleInput};
use crate::column::store as column;
use crate::formats::photo::PHOTO_DECODES;
use crate::web::extract::Multipart;
use crate::web::form::FieldErrors;
use crate::web::{AppError, AppResult};

/// The largest picture accepted, in bytes.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// The article form as posted: its fields, and the pictures chosen (a cover, one for the body).
#[derive(Default)]
pub(super) struct Posted {
    pub(super) input: ArticleInput,
    cover: Option<Vec<u8>>,
    image: Option<Vec<u8>>,
    too_large: Vec<&'static str>,
}

pub(super) async fn read_form(mut multipart: Multipart) -> AppResult<Posted> {
    let bad = || AppError::BadRequest("提交不完整，请检查网络后重新提交".into());
    let mut posted = Posted::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "cover" || name == "image" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                    posted.too_large.push(if name == "cover" { "cover" } else { "image" });
                    bytes.clear();
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if !bytes.is_empty() {
                if name == "cover" { posted.cover = Some(bytes) } else { posted.image = Some(bytes) }
            }
            continue;
        }
        let text = field.text().await.map_err(|_| bad())?;
        let input = &mut posted.input;
        match name.as_str() {
            "title" => input.title = text,
            "author" => input.author = text,
            "categories" => input.categories = text,
            "summary" => input.summary = text,
            "body" => input.body = text,
            "cover_url" => input.cover_url = text,
            _ => {}
        }
    }
    Ok(posted)
}

/// Re-encodes a picture off the async threads, through the process-wide bound on decodes.
async fn reencode(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    PHOTO_DECODES
        .run(move || {
            crate::formats::photo::reencode_photo(&bytes, MAX_IMAGE_BYTES)
                .map(|p| p.jpeg)
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|busy| busy.to_string())?
}

/// Checks the form and re-encodes its pictures; stores them and gives the fields to save, or
/// the form's problems. Pictures are stored in `tx`, so a refused form leaves none behind.
pub(super) async fn checked(
    posted: &mut Posted,
    user: &CurrentUser,
    tx: &mut crate::db::Tx,
) -> AppResult<Result<model::ArticleFields, FieldErrors>> {
    let mut errors = FieldErrors::default();
    for field in &posted.too_large {
        errors.add(*field, format!("图片太大：不能超过{} MB", MAX_IMAGE_BYTES / 1024 / 1024));
    }
    let mut cover = None;
    let mut image = None;
    if let Some(bytes) = posted.cover.take() {
        match reencode(bytes).await {
            Ok(jpeg) => cover = Some(jpeg),
            Err(reason) => errors.add("cover", format!("封面图片：{reason}")),
        }
    }
    if let Some(bytes) = posted.image.take() {
        match reencode(bytes).await {
            Ok(jpeg) => image = Some(jpeg),
            Err(reason) => errors.add("image", format!("正文图片：{reason}")),
        }
    }
    let mut fields = match posted.input.check() {
        Ok(fields) if errors.is_empty() => fields,
        Ok(_) => return Ok(Err(errors)),
        Err(problems) => {
            for (field, message) in problems {
                errors.add(field, message);
            }
            return Ok(Err(errors));
        }
    };
    // Stored only for a form that is otherwise saved, in its transaction.
    if let Some(jpeg) = cover {
        let id = column::insert_image(tx, &jpeg, Some(user.user_id)).await?;
        fields.cover_url = format!("/column/images/{id}.jpg");
    }
    if let Some(jpeg) = image {
        let id = column::insert_image(tx, &jpeg, Some(user.user_id)).await?;
        fields.body = format!("{}\n<p><img src=\"/column/images/{id}.jpg\" alt=\"\"></p>", fields.body);
    }
    Ok(Ok(fields))
}
