//! Roll call: staff see the session's whole audience (a 71-member branch on one list, with the
//! count), narrow it by name or pinyin initials, tick those present with big touch targets — for
//! members without a phone — and undo a wrong tick (audited).

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

/// A member in the roll-call list.
pub(super) struct RollRow {
    member_id: i64,
    name: String,
    unit: String,
    present: bool,
    /// Ticked by roll call, so the tick may be undone.
    undoable: bool,
}

impl RollRow {
    /// A member's row, given how (if at all) they are checked in to the session.
    fn new(member_id: i64, name: &str, unit: &str, channel: Option<Channel>) -> RollRow {
        RollRow {
            member_id,
            name: name.to_owned(),
            unit: unit.to_owned(),
            present: channel.is_some(),
            undoable: channel == Some(Channel::RollCall),
        }
    }
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
    searching: bool,
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
    searching: bool,
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
    let present: std::collections::HashMap<i64, Channel> =
        attendance::for_session(&state.db, id).await?.into_iter().map(|a| (a.member_id, a.channel)).collect();
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
        .map(|m| RollRow::new(m.id, &m.name, &m.unit_name, present.get(&m.id).copied()))
        .collect();
    let shell = Shell::new(&user, "现场点名", "sessions");
    let searching = !q.is_empty();
    if search.fragment {
        let list = RollList {
            shell,
            session_id: id,
            rows,
            present: present.len(),
            audience: audience.len(),
            searching,
        };
        return Ok(Html(list.render()?));
    }
    let page = RollCallPage {
        shell,
        session_id: id,
        title: session.title,
        q: search.q,
        present: present.len(),
        audience: audience.len(),
        searching,
        rows,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "checkin/roll_row.html")]
struct RowFragment {
    shell: Shell,
    session_id: i64,
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
    let channel = attendance::channel_of(&state.db, id, member.id).await?;
    let row = RollRow::new(member.id, &member.name, &member.unit_name, channel);
    row_fragment(&state, &user, id, row).await
}

/// The row after a tick or an undo, with the count swapped out of band.
async fn row_fragment(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    row: RollRow,
) -> AppResult<Html<String>> {
    let present = attendance::for_session(&state.db, id).await?.len();
    let shell = Shell::new(user, "现场点名", "sessions");
    Ok(Html(RowFragment { shell, session_id: id, row, present }.render()?))
}

/// Undoes a wrong roll-call tick: the attendance is removed (with the member's progress put back)
/// and the undo audited, in one transaction. Only roll-call ticks: a member's own scan stays.
pub(super) async fn undo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(tick): Form<Tick>,
) -> AppResult<Html<String>> {
    let session = managed(&state, &user, id).await?;
    let audience = session_audience(&state, &user, &session).await?;
    let member = audience.iter().find(|m| m.id == tick.member_id).ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !attendance::undo_roll_call(&mut tx, id, member.id, &Actor::user(&user)).await? {
        return Err(AppError::BadRequest(format!("{}不是点名签到的，不能在这里撤销", member.name)));
    }
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::AttendanceEntry,
        &session.title,
        &format!("撤销点名：{}", member.name),
        true,
    )
    .await?;
    tx.commit().await?;
    let row = RollRow::new(member.id, &member.name, &member.unit_name, None);
    row_fragment(&state, &user, id, row).await
}
