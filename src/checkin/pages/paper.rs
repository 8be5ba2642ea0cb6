//! Paper: the printable A4 sign-in sheet (签到表) and entering its ticks afterwards.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::{managed, session_audience};
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::checkin::model::Channel;
use crate::checkin::store::{self as attendance, Attendance, Recorded};
use crate::formats::pdf::{SignInRow, SignInSheet, shared_cjk_font, sign_in_sheet_pdf};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// The sign-in sheet of a session's audience, as a PDF.
pub(super) async fn sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let session = managed(&state, &user, id).await?;
    let audience = session_audience(&state, &user, &session).await?;
    let mut lines = vec![format!("时间：{}", crate::time::local_datetime(session.starts_at))];
    let place =
        if session.venue_name.is_empty() { session.place.clone() } else { session.venue_name.clone() };
    if !place.is_empty() {
        lines.push(format!("地点：{place}"));
    }
    if !session.lecturer_name.is_empty() {
        lines.push(format!("宣讲人：{}", session.lecturer_name));
    }
    let sheet = SignInSheet {
        title: session.title.clone(),
        lines,
        rows: audience
            .iter()
            .map(|m| SignInRow {
                name: m.name.clone(),
                unit: m.unit_name.clone(),
                note: m.categories.labels().join("、"),
            })
            .collect(),
    };
    let configured = state.config.font.clone();
    let pdf = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let font = shared_cjk_font(configured.as_deref())?;
        sign_in_sheet_pdf(&sheet, &font).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|message| AppError::Internal(anyhow::anyhow!(message)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"sign-in-{id}.pdf\"")),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "checkin/paper.html")]
struct PaperPage {
    shell: Shell,
    session_id: i64,
    title: String,
    rows: Vec<(i64, String, String, bool)>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let session = managed(&state, &user, id).await?;
    let audience = session_audience(&state, &user, &session).await?;
    let present: std::collections::HashSet<i64> =
        attendance::for_session(&state.db, id).await?.into_iter().map(|a| a.member_id).collect();
    let rows = audience
        .into_iter()
        .map(|m| {
            let p = present.contains(&m.id);
            (m.id, m.name, m.unit_name, p)
        })
        .collect();
    let page = PaperPage {
        shell: Shell::new(&user, "录入纸质签到", "sessions"),
        session_id: id,
        title: session.title,
        rows,
    };
    Ok(Html(page.render()?))
}

/// The members ticked on the paper sheet.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PaperForm {
    member_id: Vec<i64>,
}

labels! {
    PaperForm { member_id: "已签到的党员" }
}

/// Enters the ticked members; those already checked in (by scan or earlier entry) stay as they
/// were, so entering the same sheet twice changes nothing.
pub(super) async fn enter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PaperForm>,
) -> AppResult<Response> {
    let session = managed(&state, &user, id).await?;
    let audience = session_audience(&state, &user, &session).await?;
    let ids = form.member_id;
    if ids.iter().any(|id| !audience.iter().any(|m| m.id == *id)) {
        return Err(AppError::BadRequest("名单中有不属于本场参学对象的党员".into()));
    }
    // The whole sheet and its audit entry commit together.
    let mut tx = state.db.begin().await?;
    let (mut added, mut already) = (0, 0);
    for member_id in ids {
        let entry = Attendance {
            session_id: id,
            member_id,
            channel: Channel::Paper,
            minutes: session.minutes(),
            late: false,
            recorded_by: Some(user.user_id),
        };
        match attendance::record(&mut tx, &entry).await? {
            Recorded::New { .. } => added += 1,
            Recorded::Already { .. } => already += 1,
        }
    }
    let detail = format!("纸质签到：新增{added}人，{already}人已签到");
    audit::record_in(&mut tx, &Actor::user(&user), Action::AttendanceEntry, &session.title, &detail, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/sessions/{id}"), &detail))
}
