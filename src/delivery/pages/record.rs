//! `POST /deliveries/{id}/visit`: the assignee (or an admin in scope) records the visit.

use super::load_task;
use super::task::{DetailPage, detail_page};
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::campaign::store as campaigns;
use crate::delivery::store::{self as deliveries, NewVisit, Task, VisitError, names_to_json};
use crate::delivery::visit::{self, VisitContext, VisitFacts, VisitInput};
use crate::delivery::{MAX_PHOTO_BYTES, TaskStatus, prepare_photo};
use crate::formats::photo::PHOTO_DECODES;
use crate::state::AppState;
use crate::web::extract::{Multipart, Path};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

const ALREADY: &str = "该任务已登记走访，本次提交未重复记录";

/// Reads the multipart visit form; the photo is read at most to the size limit.
async fn read_visit_form(mut multipart: Multipart) -> AppResult<VisitInput> {
    let bad = || AppError::BadRequest("提交不完整，请检查网络后重新提交".into());
    let mut input = VisitInput::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photo" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                if bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                    input.photo_too_large = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            input.photo = Some(bytes);
            continue;
        }
        let text = field.text().await.map_err(|_| bad())?;
        match name.as_str() {
            "visited_on" => input.visited_on = text,
            "minutes" => input.minutes = text,
            "topic" | "topic_id" => input.topic_ids.push(text),
            "content" => input.content = text,
            "book" => input.books.push(text),
            "member_words" => input.member_words = text,
            "confirmed_by_kind" => input.confirmed_by_kind = text,
            "confirmed_by_name" => input.confirmed_by_name = text,
            _ => {}
        }
    }
    Ok(input)
}

/// Re-encodes a photo for a visit that is otherwise valid. It takes a few hundred milliseconds
/// and up to [`crate::formats::photo::MAX_DECODED_BYTES`], so it runs off the async threads and
/// through the process-wide bound on concurrent decodes; `Err` is the Chinese reason.
async fn reencode_photo(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    PHOTO_DECODES.run(move || prepare_photo(&bytes)).await.map_err(|busy| busy.to_string())?
}

/// Checks the form against the task's campaign, topics and materials; every problem found is
/// in the [`AppError::Invalid`].
async fn check(state: &AppState, task: &Task, input: &VisitInput) -> AppResult<VisitFacts> {
    let campaign = campaigns::by_id(&state.db, task.campaign_id).await?.ok_or(AppError::NotFound)?;
    let topic_ids: Vec<i64> =
        campaigns::topics(&state.db, campaign.id).await?.into_iter().map(|t| t.id).collect();
    let materials = task.material_names();
    let out_of_stock: Vec<String> = deliveries::materials(&state.db)
        .await?
        .into_iter()
        .filter(|m| m.out_of_stock() && materials.contains(&m.name))
        .map(|m| m.name)
        .collect();
    let context = VisitContext {
        today: crate::time::today(),
        campaign_days: (campaign.starts_on, campaign.ends_on),
        materials: &materials,
        out_of_stock: &out_of_stock,
        topics: &topic_ids,
    };
    visit::validate(input, &context).map_err(AppError::Invalid)
}

/// Checks the form, then re-encodes its photo: a photo is decoded only for a visit that would
/// otherwise be recorded. Every problem, the photo's included, is in the [`AppError::Invalid`].
async fn check_then_reencode(state: &AppState, task: &Task, input: &mut VisitInput) -> AppResult<VisitFacts> {
    let mut facts = check(state, task, input).await?;
    if let Some(bytes) = facts.photo.take() {
        match reencode_photo(bytes).await {
            Ok(jpeg) => facts.photo = Some(jpeg),
            Err(reason) => {
                input.photo = None;
                input.photo_error = Some(reason);
                // Checked again so the photo's problem reads like every other field's.
                return check(state, task, input).await;
            }
        }
    }
    Ok(facts)
}

/// The visit to store.
fn new_visit(user: &CurrentUser, task: &Task, facts: VisitFacts) -> NewVisit {
    NewVisit {
        delivery_id: task.id,
        campaign_id: task.campaign_id,
        member_id: task.member_id,
        topic_ids: facts.topic_ids,
        visited_on: facts.visited_on,
        minutes: facts.minutes,
        content: facts.content,
        books: names_to_json(&facts.books),
        member_words: facts.member_words,
        confirmed_by_kind: facts.confirmer,
        confirmed_by_name: facts.confirmed_by_name,
        photo: facts.photo,
        recorded_by: user.user_id,
    }
}

/// The form again with every problem listed; the photo must be chosen again.
fn refused(page: DetailPage) -> AppResult<Response> {
    Ok((StatusCode::BAD_REQUEST, Html(askama::Template::render(&page)?)).into_response())
}

/// `POST /deliveries/{id}/visit` (multipart; CSRF token in the query string): records the visit
/// in one transaction. Bad input re-shows the form with every problem and stores nothing; a
/// retry of a recorded visit changes nothing and says so.
pub(in crate::delivery) async fn record_visit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let task = load_task(&state, &user, id).await?;
    let here = format!("/deliveries/{id}");
    if task.status != TaskStatus::Open {
        return Ok(redirect_with_flash(&here, ALREADY));
    }
    let mut input = read_visit_form(multipart).await?;
    let facts = match check_then_reencode(&state, &task, &mut input).await {
        Ok(facts) => facts,
        Err(AppError::Invalid(errors)) => {
            input.photo = None;
            return refused(detail_page(&state, &user, task, input, errors).await?);
        }
        Err(other) => return Err(other),
    };
    let visit = new_visit(&user, &task, facts);
    let mut tx = state.db.begin().await?;
    match deliveries::record_visit(&mut tx, &visit).await {
        Ok(visit_id) => {
            let detail =
                format!("送学任务#{}：走访#{visit_id}，{}，{}分钟", task.id, visit.visited_on, visit.minutes);
            audit::record_in(
                &mut tx,
                &Actor::user(&user),
                Action::Delivery,
                &task.member_name,
                &detail,
                true,
            )
            .await?;
            tx.commit().await?;
            Ok(redirect_with_flash(
                &here,
                &format!("已登记对{}的送学上门，计入冬训学习{}分钟", task.member_name, visit.minutes),
            ))
        }
        Err(VisitError::AlreadyRecorded) => Ok(redirect_with_flash(&here, ALREADY)),
        Err(VisitError::OutOfStock(book)) => {
            // The last copy went with another visit meanwhile: nothing was recorded.
            drop(tx);
            input.photo = None;
            let errors = vec![visit::out_of_stock(&book)];
            refused(detail_page(&state, &user, task, input, errors).await?)
        }
        Err(VisitError::Database(e)) => Err(e.into()),
    }
}
