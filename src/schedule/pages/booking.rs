//! Batch bookings (分批次): a village picks a lecturer and topic and proposes several dates across
//! its stations; all are checked and stored together, or none. The committee sees every booking.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::session_form::{Choices, SessionForm, choices, read_session};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::store::Campaign;
use crate::schedule::store::sessions::{self, BatchListing, NewBatch};
use crate::state::AppState;
use crate::web::extract::{Form, Labels};
use crate::web::form::optional_id;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// Rows the batch form offers.
const ROWS: usize = 6;

/// A batch booking: what the sessions share, then up to [`ROWS`] rows of where and when, whose
/// fields carry the row number (`date_0`, `unit_id_0`, …).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BookingForm {
    kind: String,
    title: String,
    topic_id: String,
    lecturer_id: String,
    audience_unit_id: String,
    checkin_opens_minutes: String,
    online_url: String,
    note: String,
    /// The rows' fields, by their numbered names.
    #[serde(flatten)]
    cells: HashMap<String, String>,
}

/// Written out rather than with `labels!`, whose check cannot list a struct with flattened
/// fields. A row's field is text, so never missing nor malformed; one sent twice (a forged
/// request) gets the general message.
impl Labels for BookingForm {
    const LABELS: &'static [(&'static str, &'static str)] = &[
        ("kind", "类型"),
        ("title", "主题"),
        ("topic_id", "专题"),
        ("lecturer_id", "宣讲人"),
        ("audience_unit_id", "参学对象"),
        ("checkin_opens_minutes", "提前几分钟开放签到"),
        ("online_url", "线上链接"),
        ("note", "备注"),
    ];
}

impl BookingForm {
    /// A row's field (`name` is `date`, `start`, …), empty when not sent.
    fn cell(&self, name: &str, row: usize) -> &str {
        self.cells.get(&format!("{name}_{row}")).map_or("", String::as_str)
    }

    /// One row as a single-session form, with what the rows share.
    fn row(&self, row: usize) -> SessionForm {
        let cell = |name: &str| self.cell(name, row).to_owned();
        SessionForm {
            kind: self.kind.clone(),
            title: self.title.clone(),
            topic_id: self.topic_id.clone(),
            lecturer_id: self.lecturer_id.clone(),
            audience_unit_id: self.audience_unit_id.clone(),
            checkin_opens_minutes: self.checkin_opens_minutes.clone(),
            online_url: self.online_url.clone(),
            unit_id: cell("unit_id"),
            venue_id: cell("venue_id"),
            place: cell("place"),
            date: cell("date"),
            start: cell("start"),
            end: cell("end"),
            expected: cell("expected"),
        }
    }
}

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
    Form(form): Form<BookingForm>,
) -> AppResult<Response> {
    let lecturer_id =
        optional_id(&form.lecturer_id).ok_or_else(|| AppError::BadRequest("请选择宣讲员".into()))?;
    let mut planned = Vec::new();
    let mut capacities = Vec::new();
    let mut errors = Vec::new();
    for row in 0..ROWS {
        if form.cell("date", row).trim().is_empty() {
            continue;
        }
        match read_session(&state, &user, &campaign, &form.row(row)).await {
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
            topic_id: optional_id(&form.topic_id),
            note: form.note.trim().chars().take(200).collect(),
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
                    (0..ROWS).filter(|r| !form.cell("date", *r).trim().is_empty()).collect();
                errors.extend(
                    conflicts.iter().map(|(i, c)| format!("第{}行：{}", filled[*i] + 1, c.message())),
                );
            }
        }
    }
    Ok((StatusCode::CONFLICT, Html(page(&state, &user, &campaign, errors).await?)).into_response())
}
