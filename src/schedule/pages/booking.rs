//! Batch bookings (分批次): a village picks a lecturer and topic and proposes several dates across
//! its stations; all are checked and stored together, or none. The committee sees every booking.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::session_form::{Choices, choices, read_session};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::store::Campaign;
use crate::schedule::store::sessions::{self, BatchListing, NewBatch};
use crate::startup::AppState;
use crate::web::form::{field, optional_id};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// Rows the batch form offers.
const ROWS: usize = 6;

#[derive(Template)]
#[template(path = "schedule/booking.html")]
struct BookingPage {
    shell: Shell,
    choices: Choices,
    rows: Vec<usize>,
    errors: Vec<String>,
    batches: Vec<BatchListing>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    errors: Vec<String>,
) -> AppResult<String> {
    let page = BookingPage {
        shell: Shell::new(user, "分批预约宣讲", "sessions"),
        choices: choices(state, user, campaign).await?,
        rows: (0..ROWS).collect(),
        errors,
        batches: sessions::batches_in_scope(&state.db, &user.scope()).await?,
    };
    Ok(page.render()?)
}

pub(super) async fn form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
) -> AppResult<Html<String>> {
    Ok(Html(page(&state, &user, &campaign, Vec::new()).await?))
}

pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let lecturer_id =
        optional_id(&pairs, "lecturer_id").ok_or_else(|| AppError::BadRequest("请选择宣讲员".into()))?;
    let mut planned = Vec::new();
    let mut capacities = Vec::new();
    let mut errors = Vec::new();
    for row in 0..ROWS {
        if field(&pairs, &format!("date_{row}")).trim().is_empty() {
            continue;
        }
        match read_session(&state, &user, &campaign, &pairs, &format!("_{row}")).await {
            Ok((session, capacity)) => {
                planned.push(session);
                capacities.push(capacity);
            }
            Err(AppError::BadRequest(message)) => errors.push(format!("第{}行：{message}", row + 1)),
            Err(other) => return Err(other),
        }
    }
    if planned.is_empty() && errors.is_empty() {
        errors.push("请至少填写一个日期".into());
    }
    if errors.is_empty() {
        let batch = NewBatch {
            campaign_id: campaign.id,
            unit_id: user.unit_id,
            lecturer_id,
            topic_id: optional_id(&pairs, "topic_id"),
            note: field(&pairs, "note").trim().chars().take(200).collect(),
            created_by: Some(user.user_id),
        };
        let mut tx = state.db.begin().await?;
        match sessions::insert_checked(&mut tx, &planned, &capacities, Some(&batch)).await? {
            Ok(ids) => {
                let detail = format!("分批预约{}场", ids.len());
                audit::record_in(
                    &mut tx,
                    &Actor::user(&user),
                    Action::SessionEdit,
                    &planned[0].title,
                    &detail,
                    true,
                )
                .await?;
                tx.commit().await?;
                return Ok(redirect_with_flash("/sessions", &format!("已预约{}场宣讲", ids.len())));
            }
            Err(conflicts) => {
                // Map each conflict back to the form row the user sees.
                let filled: Vec<usize> =
                    (0..ROWS).filter(|r| !field(&pairs, &format!("date_{r}")).trim().is_empty()).collect();
                errors.extend(
                    conflicts.iter().map(|(i, c)| format!("第{}行：{}", filled[*i] + 1, c.message())),
                );
            }
        }
    }
    Ok((StatusCode::CONFLICT, Html(page(&state, &user, &campaign, errors).await?)).into_response())
}
