//! An activity's page: what it was, whom it served (counts), its photos, its volunteers and
//! their hours; the 我参加了 form for anyone of its station, and for staff the follow-ups, the
//! photo upload, adding a volunteer without an account and reviewing hours.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::visible;
use crate::activities::model::{SERVED, hours_text};
use crate::activities::store::{self, Activity, FollowUp, MAX_PHOTOS};
use crate::activities::volunteers::{self, Hours};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::formats::photo::PHOTO_DECODES;
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Form, Multipart, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// Largest photo accepted, in bytes (as door-to-door photos).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// What the page's small forms hold, kept when one is refused.
#[derive(Deserialize, Default, Clone)]
pub(in crate::activities) struct Typed {
    /// 我参加了: hours.
    #[serde(default)]
    pub hours: String,
    /// A volunteer added by staff: name.
    #[serde(default)]
    pub name: String,
    /// Their phone.
    #[serde(default)]
    pub phone: String,
    /// Their unit.
    #[serde(default)]
    pub unit_id: String,
    /// A follow-up: the person's name.
    #[serde(default)]
    pub person_name: String,
    /// Why they need a follow-up visit.
    #[serde(default)]
    pub reason: String,
}

labels! {
    Typed {
        hours: "时长", name: "姓名", phone: "手机号码", unit_id: "所在单位", person_name: "回访对象姓名",
        reason: "回访原因",
    }
}

#[derive(Template)]
#[template(path = "activities/detail.html")]
pub(in crate::activities) struct DetailPage {
    shell: Shell,
    a: Activity,
    staff: bool,
    served: Vec<(&'static str, i64)>,
    served_total: i64,
    approved_hours: String,
    follow_ups: Vec<FollowUp>,
    photos: Vec<i64>,
    /// Staff: everyone's hours; others: their own only.
    volunteers: Vec<Hours>,
    mine: Option<Hours>,
    units: Vec<(i64, String)>,
    typed: Typed,
    errors: FieldErrors,
}

impl DetailPage {
    /// Whether the user may still report or change their hours (not yet reviewed).
    fn can_report(&self) -> bool {
        self.mine.as_ref().is_none_or(|h| h.status == crate::activities::model::HoursStatus::Reported)
    }

    fn unit_is(&self, id: &i64) -> bool {
        self.typed.unit_id.trim() == id.to_string()
    }
}

/// The page for `user`, with a small form's input and problems.
pub(in crate::activities) async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    a: Activity,
    typed: Typed,
    errors: FieldErrors,
) -> AppResult<DetailPage> {
    let staff = user.role.is_admin();
    let all = volunteers::of_activity(&state.db, a.id).await?;
    let mine = all.iter().find(|h| h.user_id == Some(user.user_id)).cloned();
    let units = if staff {
        org_store::active_units_in_scope(&state.db, &user.scope())
            .await?
            .iter()
            .map(|u| (u.id, u.indented_name()))
            .collect()
    } else {
        Vec::new()
    };
    let served = a.served();
    Ok(DetailPage {
        shell: Shell::new(user, a.title.clone(), "home"),
        staff,
        served: SERVED.iter().zip(served.0).map(|((_, label), n)| (*label, n)).collect(),
        served_total: served.total(),
        approved_hours: hours_text(a.approved_minutes),
        follow_ups: if staff { store::follow_ups(&state.db, a.id).await? } else { Vec::new() },
        photos: store::photo_ids(&state.db, a.id).await?,
        volunteers: if staff { all } else { Vec::new() },
        mine,
        units,
        a,
        typed,
        errors,
    })
}

/// The page again, as a 400, with the refused form's problems and what was typed.
pub(in crate::activities) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    a: Activity,
    typed: Typed,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = detail_page(state, user, a, typed, errors).await?;
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

/// `GET /activities/{id}`.
pub(in crate::activities) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let a = visible(&state, &user, id).await?;
    Ok(Html(detail_page(&state, &user, a, Typed::default(), FieldErrors::default()).await?.render()?))
}

/// `POST /activities/{id}/follow-ups`: a person to visit again, by name and why — the one place
/// an activity keeps a name, and only when staff ask for it. Audited.
pub(in crate::activities) async fn add_follow_up(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(typed): Form<Typed>,
) -> AppResult<Response> {
    let a = store::get(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let (name, reason) = (typed.person_name.trim().to_owned(), typed.reason.trim().to_owned());
    let mut errors = FieldErrors::default();
    if !(2..=20).contains(&name.chars().count()) {
        errors.add("person_name", "回访对象姓名应为2到20个字");
    }
    if !(2..=100).contains(&reason.chars().count()) {
        errors.add("reason", "请写明需要回访的原因（2到100字）");
    }
    if !errors.is_empty() {
        return refused(&state, &user, a, typed, errors).await;
    }
    let mut tx = state.db.begin().await?;
    store::add_follow_up(&mut tx, id, (&name, &reason), user.user_id).await?;
    let detail = format!("{}：回访对象{name}，{reason}", a.title);
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Activity,
        &format!("activity:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/activities/{id}"), &format!("已添加回访对象{name}")))
}

/// `POST /activities/{id}/photos?csrf=` (multipart, `photo`): a photo re-encoded as door-to-door
/// photos are (upright, at most 1600 px, EXIF stripped); garbage is refused, nothing stored.
pub(in crate::activities) async fn add_photo(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let a = store::get(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let bad = || AppError::BadRequest("提交不完整，请检查网络后重新提交".into());
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
        if field.name() != Some("photo") {
            continue;
        }
        while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
            if bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                too_large = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    let mut errors = FieldErrors::default();
    if store::photo_ids(&state.db, id).await?.len() as i64 >= MAX_PHOTOS {
        errors.add("photo", format!("每项活动最多{MAX_PHOTOS}张照片"));
    } else if too_large {
        errors.add("photo", "照片不能超过5 MB");
    } else if bytes.is_empty() {
        errors.add("photo", "请选择一张照片");
    }
    if !errors.is_empty() {
        return refused(&state, &user, a, Typed::default(), errors).await;
    }
    let encoded = PHOTO_DECODES
        .run(move || {
            crate::formats::photo::reencode_photo(&bytes, MAX_PHOTO_BYTES).map_err(|e| e.to_string())
        })
        .await
        .map_err(|busy| busy.to_string())
        .and_then(|r| r);
    let jpeg = match encoded {
        Ok(photo) => photo.jpeg,
        Err(reason) => {
            errors.add("photo", reason);
            return refused(&state, &user, a, Typed::default(), errors).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let photo_id = store::add_photo(&mut tx, id, &jpeg).await?;
    let detail = format!("{}：照片#{photo_id}（{} KB）", a.title, jpeg.len() / 1024);
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Activity,
        &format!("activity:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/activities/{id}"), "已上传照片"))
}

/// `GET /activities/photos/{id}`: a photo of an activity the user may see.
pub(in crate::activities) async fn photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = if user.role.is_admin() { user.scope() } else { super::station_scope(&user) };
    let jpeg = store::photo(&state.db, id, &scope).await?.ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=3600")], jpeg)
        .into_response())
}
