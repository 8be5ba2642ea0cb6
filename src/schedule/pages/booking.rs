//! Batch bookings (分批次): a village picks a lecturer and topic and proposes several dates across
//! its stations; all are checked and stored together, or none. The committee sees every booking.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::session_form::{Choices, ROW_FIELDS, SessionForm, choices, conflict_field, read_session};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::store::Campaign;
use crate::schedule::store::sessions::{self, BatchListing, NewBatch};
use crate::state::AppState;
use crate::web::extract::{Form, Labels};
use crate::web::form::{FieldErrors, optional_id};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppResult, Shell};

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
    /// The form as first shown: every row from 09:00 to 10:30.
    fn blank() -> Self {
        let mut form = Self::default();
        for row in 0..ROWS {
            form.cells.insert(format!("start_{row}"), "09:00".into());
            form.cells.insert(format!("end_{row}"), "10:30".into());
        }
        form
    }

    /// A row's field (`name` is `date`, `start`, …), empty when not sent.
    fn cell(&self, name: &str, row: usize) -> &str {
        self.cells.get(&format!("{name}_{row}")).map_or("", String::as_str)
    }

    /// [`Self::cell`] as the template's row loop asks for it.
    fn cell_at(&self, name: &str, row: &usize) -> &str {
        self.cell(name, *row)
    }

    /// Whether `id` is the choice typed into a shared `<select>` (`field`), or into a row's
    /// (`field_row`) when `row` is given.
    fn chose(&self, field: &str, id: &i64) -> bool {
        let typed = match field {
            "topic_id" => &self.topic_id,
            "lecturer_id" => &self.lecturer_id,
            "audience_unit_id" => &self.audience_unit_id,
            _ => return false,
        };
        optional_id(typed) == Some(*id)
    }

    /// Whether `id` is the choice typed into row `row`'s `<select>` named `field`.
    fn row_chose(&self, field: &str, row: &usize, id: &i64) -> bool {
        optional_id(self.cell(field, *row)) == Some(*id)
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
    /// What was typed (the blank form at first): the shared fields and every row.
    form: BookingForm,
    errors: FieldErrors,
    batches: Vec<BatchListing>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    form: BookingForm,
    errors: FieldErrors,
) -> AppResult<String> {
    let page = BookingPage {
        shell: Shell::new(user, "分批预约宣讲", "sessions"),
        choices: choices(state, user, campaign).await?,
        rows: (0..ROWS).collect(),
        form,
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
    Ok(Html(page(&state, &user, &campaign, BookingForm::blank(), FieldErrors::default()).await?))
}

/// A row's problem as the batch form shows it: a row's own field numbered, its message naming
/// the row (第3场：…, as its legend says); a shared field's as it is.
fn in_row(row: usize) -> impl Fn(&str, &str) -> (String, String) {
    move |field, message| {
        if ROW_FIELDS.contains(&field) {
            (format!("{field}_{row}"), format!("第{}场：{message}", row + 1))
        } else {
            (field.to_owned(), message.to_owned())
        }
    }
}

/// Stores the batch whole, or gives the whole form back — the shared fields and every row as
/// typed — with each problem beside its field.
pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Form(form): Form<BookingForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let lecturer_id = optional_id(&form.lecturer_id);
    if lecturer_id.is_none() {
        errors.add("lecturer_id", "请选择宣讲员");
    }
    let filled: Vec<usize> = (0..ROWS).filter(|r| !form.cell("date", *r).trim().is_empty()).collect();
    let mut planned = Vec::new();
    let mut capacities = Vec::new();
    for &row in &filled {
        match read_session(&state, &user, &campaign, &form.row(row)).await? {
            Ok((session, capacity)) => {
                planned.push(session);
                capacities.push(capacity);
            }
            Err(found) => errors.merge(found, in_row(row)),
        }
    }
    if filled.is_empty() {
        errors.add("date_0", "请至少填写一个日期");
    }
    let (Some(lecturer_id), true) = (lecturer_id, errors.is_empty()) else {
        let html = page(&state, &user, &campaign, form, errors).await?;
        return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
    };
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
            Ok(redirect_with_flash("/sessions", &format!("已预约{}场宣讲", ids.len())))
        }
        Err(conflicts) => {
            drop(tx);
            // Each conflict beside its row's field: a busy lecturer beside the row's date.
            for (i, conflict) in &conflicts {
                let field = match conflict_field(conflict) {
                    "lecturer_id" => "date",
                    other => other,
                };
                errors.merge_one(field, &conflict.message(), in_row(filled[*i]));
            }
            let html = page(&state, &user, &campaign, form, errors).await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
    }
}
