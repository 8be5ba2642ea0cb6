//! Roll call: staff search members by name or pinyin initials and tick those present, with big
//! touch targets, for members without a phone.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::Utc;
use serde::Deserialize;

use super::{managed, session_audience};
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::checkin::model::{Channel, CheckinWindow, checkin_window};
use crate::checkin::store::{self as attendance, Attendance, Recorded};
use crate::people::model::{matches_search, normalize_text, pinyin_keys};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// How many members the list shows at once.
const SHOWN: usize = 40;

/// A member in the roll-call list.
pub(super) struct RollRow {
    member_id: i64,
    name: String,
    unit: String,
    present: bool,
}

#[derive(Template)]
#[template(path = "checkin/roll_call.html")]
struct RollCallPage {
    shell: Shell,
    session_id: i64,
    title: String,
    q: String,
    rows: Vec<RollRow>,
    present: usize,
    audience: usize,
}

/// The list alone, for htmx as the search box changes.
#[derive(Template)]
#[template(path = "checkin/roll_list.html")]
struct RollList {
    shell: Shell,
    session_id: i64,
    rows: Vec<RollRow>,
    present: usize,
    audience: usize,
}

#[derive(Deserialize)]
pub(super) struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    fragment: bool,
}

pub(super) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(search): Query<Search>,
) -> AppResult<Html<String>> {
    let session = managed(&state, &user, id).await?;
    let audience = session_audience(&state, &user, &session).await?;
    let present: std::collections::HashSet<i64> =
        attendance::for_session(&state.db, id).await?.into_iter().map(|a| a.member_id).collect();
    let q = normalize_text(&search.q).to_lowercase();
    let rows: Vec<RollRow> = audience
        .iter()
        .filter(|m| {
            if q.is_empty() {
                return true;
            }
            let (full, initials) = pinyin_keys(&m.name);
            matches_search(&q, &m.name, &full, &initials)
        })
        .map(|m| RollRow {
            member_id: m.id,
            name: m.name.clone(),
            unit: m.unit_name.clone(),
            present: present.contains(&m.id),
        })
        .take(SHOWN)
        .collect();
    let shell = Shell::new(&user, "现场点名", "sessions");
    if search.fragment {
        let list = RollList { shell, session_id: id, rows, present: present.len(), audience: audience.len() };
        return Ok(Html(list.render()?));
    }
    let page = RollCallPage {
        shell,
        session_id: id,
        title: session.title,
        q: search.q,
        present: present.len(),
        audience: audience.len(),
        rows,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "checkin/roll_row.html")]
struct RowFragment {
    row: RollRow,
    /// Members present now, swapped out of band into the count above the list.
    present: usize,
}

#[derive(Deserialize)]
pub(super) struct Tick {
    member_id: i64,
}

labels! {
    Search { q: "搜索党员", fragment: "只要名单" }
    Tick { member_id: "党员" }
}

/// Ticks one member present; answers with the updated row for htmx.
pub(super) async fn tick(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(tick): Form<Tick>,
) -> AppResult<Html<String>> {
    let session = managed(&state, &user, id).await?;
    if matches!(
        checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, Utc::now()),
        CheckinWindow::NotYetOpen(_)
    ) {
        return Err(AppError::BadRequest("签到还没开始".into()));
    }
    let audience = session_audience(&state, &user, &session).await?;
    let member = audience.iter().find(|m| m.id == tick.member_id).ok_or(AppError::NotFound)?;
    let late = matches!(
        checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, Utc::now()),
        CheckinWindow::Open { late: true }
    );
    let entry = Attendance {
        session_id: id,
        member_id: member.id,
        channel: Channel::RollCall,
        minutes: session.minutes(),
        late,
        recorded_by: Some(user.user_id),
    };
    let mut tx = state.db.begin().await?;
    if let Recorded::New { .. } = attendance::record(&mut tx, &entry).await? {
        audit::record_in(
            &mut tx,
            &Actor::user(&user),
            Action::AttendanceEntry,
            &session.title,
            &format!("点名：{}", member.name),
            true,
        )
        .await?;
    }
    tx.commit().await?;
    let row = RollRow {
        member_id: member.id,
        name: member.name.clone(),
        unit: member.unit_name.clone(),
        present: true,
    };
    let present = attendance::for_session(&state.db, id).await?.len();
    Ok(Html(RowFragment { row, present }.render()?))
}
