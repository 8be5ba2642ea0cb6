//! Staff edit a village's brands: their own station's (a station admin) or any (the committee),
//! with photos re-encoded as door-to-door photos are. Another village's id is not found; a
//! refused form comes back as typed with each problem beside its field; every change audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::model::{Brand, Profile};
use super::store::{self, MAX_PHOTOS};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::formats::photo::PHOTO_DECODES;
use crate::org::store::{self as org, Unit};
use crate::state::AppState;
use crate::web::extract::{Multipart, Path};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// The largest photo accepted before re-encoding, in bytes.
const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

#[derive(Template)]
#[template(path = "brands/edit.html")]
struct EditPage {
    shell: Shell,
    unit: Unit,
    input: Profile,
    errors: FieldErrors,
    photos: Vec<(i64, Brand)>,
}

impl EditPage {
    fn action(&self) -> String {
        format!("/brands/{}/edit?csrf={}", self.unit.id, self.shell.csrf)
    }
}

/// The village `id` if the user may edit it: inside their subtree, a hub or station in use.
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Unit> {
    let unit = org::unit_in_scope(&state.db, id, &user.scope()).await?;
    unit.filter(|u| u.kind.has_profile() && u.retired_at.is_none()).ok_or(AppError::NotFound)
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    unit: Unit,
    input: Profile,
    errors: FieldErrors,
) -> AppResult<String> {
    let page = EditPage {
        shell: Shell::new(user, format!("编辑品牌 · {}", unit.name), "org"),
        photos: store::photos(&state.db, unit.id).await?,
        unit,
        input,
        errors,
    };
    Ok(page.render()?)
}

/// `GET /brands/{id}/edit`.
pub(super) async fn form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let unit = editable(&state, &user, id).await?;
    let input = store::profile(&state.db, unit.id).await?;
    Ok(Html(render(&state, &user, unit, input, FieldErrors::default()).await?))
}

/// The form as posted: its text fields and the photos chosen for each brand.
#[derive(Default)]
struct Posted {
    input: Profile,
    photos: Vec<(Brand, Vec<u8>)>,
    too_large: Vec<&'static str>,
}

async fn read_form(mut multipart: Multipart) -> AppResult<Posted> {
    let bad = || AppError::BadRequest("提交不完整，请检查网络后重新提交".into());
    let mut posted = Posted::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_owned();
        let brand = match name.as_str() {
            "service_photo" => Some((Brand::Service, "service_photo")),
            "training_photo" => Some((Brand::Training, "training_photo")),
            _ => None,
        };
        if let Some((brand, field_name)) = brand {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                if bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                    posted.too_large.push(field_name);
                    bytes.clear();
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if !bytes.is_empty() {
                posted.photos.push((brand, bytes));
            }
            continue;
        }
        let text = field.text().await.map_err(|_| bad())?;
        let p = &mut posted.input;
        match name.as_str() {
            "service_brand" => p.service_brand = text,
            "service_slogan" => p.service_slogan = text,
            "service_story" => p.service_story = text,
            "training_brand" => p.training_brand = text,
            "training_slogan" => p.training_slogan = text,
            "training_story" => p.training_story = text,
            _ => {}
        }
    }
    Ok(posted)
}

/// Re-encodes a photo off the async threads, through the process-wide bound on decodes.
async fn reencode(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    PHOTO_DECODES
        .run(move || {
            crate::formats::photo::reencode_photo(&bytes, MAX_PHOTO_BYTES)
                .map(|p| p.jpeg)
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|busy| busy.to_string())?
}

fn photo_field(brand: Brand) -> &'static str {
    match brand {
        Brand::Service => "service_photo",
        Brand::Training => "training_photo",
    }
}

/// `POST /brands/{id}/edit` (multipart): saves the brands and adds any photos chosen.
pub(super) async fn save(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let unit = editable(&state, &user, id).await?;
    let posted = read_form(multipart).await?;
    let mut errors = FieldErrors::default();
    for field in &posted.too_large {
        errors.add(*field, format!("照片太大：不能超过{} MB", MAX_PHOTO_BYTES / 1024 / 1024));
    }
    let existing = store::photos(&state.db, unit.id).await?;
    let mut jpegs = Vec::new();
    for (brand, bytes) in posted.photos {
        let already = existing.iter().filter(|(_, b)| *b == brand).count() as i64;
        let adding = jpegs.iter().filter(|(b, _)| *b == brand).count() as i64;
        if already + adding >= MAX_PHOTOS {
            errors.add(photo_field(brand), format!("每个品牌最多{MAX_PHOTOS}张照片，请先删除旧照片"));
            continue;
        }
        match reencode(bytes).await {
            Ok(jpeg) => jpegs.push((brand, jpeg)),
            Err(reason) => errors.add(photo_field(brand), format!("照片：{reason}")),
        }
    }
    let profile = match posted.input.clone().checked() {
        Ok(p) if errors.is_empty() => p,
        result => {
            for (field, message) in result.err().unwrap_or_default() {
                errors.add(field, message);
            }
            let html = render(&state, &user, unit, posted.input, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    store::save_profile(&mut tx, unit.id, &profile).await?;
    for (brand, jpeg) in &jpegs {
        store::insert_photo(&mut tx, unit.id, *brand, jpeg, Some(user.user_id)).await?;
    }
    let mut detail = format!("修改品牌：{} / {}", profile.service_brand, profile.training_brand);
    if !jpegs.is_empty() {
        detail.push_str(&format!("，上传照片{}张", jpegs.len()));
    }
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/brands/{}", unit.id), "品牌已保存"))
}

/// `POST /brands/{id}/photos/{photo}/delete`: removes one of the village's photos.
pub(super) async fn delete_photo(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path((id, photo)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let unit = editable(&state, &user, id).await?;
    let mut tx = state.db.begin().await?;
    if !store::delete_photo(&mut tx, unit.id, photo).await? {
        return Err(AppError::NotFound);
    }
    let detail = format!("删除品牌照片#{photo}");
    audit::record_in(&mut tx, &Actor::user(&user), Action::UnitEdit, &unit.name, &detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/brands/{id}/edit"), "照片已删除"))
}
