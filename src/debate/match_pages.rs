//! One match's page (motion, sides with their debaters, time, place, the link to join online,
//! the ballots once closed) and its arrangements, set by the organisers: motion, time, place,
//! and a live session of the cloud classroom or a live room's address.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, Utc};

use super::bracket::{self, MatchSetup};
use super::model::{self, Side};
use super::store::{self, Ballot, Debate, Debater, Match};
use super::{may_manage, viewer_scope};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::schedule::model::SessionKind;
use crate::schedule::store::sessions;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::{FieldErrors, local_to_utc, optional_id, parse_date, parse_time};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// A match and its tournament, if the user may see the tournament (else not found).
pub(super) async fn visible_match(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Match, Debate)> {
    let m = store::match_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let debate =
        store::visible(&state.db, m.debate_id, viewer_scope(user).as_ref(), &user.unit_path, user.user_id)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok((m, debate))
}

/// The arrangements form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct SetupInput {
    motion: String,
    date: String,
    time: String,
    place: String,
    session_id: String,
    live_url: String,
}

labels! {
    SetupInput { motion: "辩题", date: "日期", time: "时间", place: "地点", session_id: "云课堂直播", live_url: "直播间网址" }
}

impl SetupInput {
    fn of(m: &Match) -> Self {
        let local = m.starts_at.map(|t| t.with_timezone(&chrono_tz::Asia::Shanghai));
        SetupInput {
            motion: m.motion.clone(),
            date: local.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            time: local.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            place: m.place.clone(),
            session_id: m.session_id.map(|s| s.to_string()).unwrap_or_default(),
            live_url: m.live_url.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "debate/match.html")]
struct MatchPage {
    shell: Shell,
    debate: Debate,
    m: Match,
    round_name: String,
    affirmative: Vec<String>,
    negative: Vec<String>,
    online: Option<(String, String)>,
    ballots: Vec<Ballot>,
    ballot_count: usize,
    judges: usize,
    is_judge: bool,
    my_ballot: bool,
    manage: bool,
    sessions: Vec<(i64, String)>,
    input: SetupInput,
    errors: FieldErrors,
    rule: &'static str,
}

fn names(debaters: &[Debater], team: Option<i64>) -> Vec<String> {
    debaters.iter().filter(|d| Some(d.team_id) == team).map(|d| d.name.clone()).collect()
}

/// The live sessions an organiser may link: the cloud classroom's, in their subtree, from
/// yesterday on.
async fn live_sessions(state: &AppState, user: &CurrentUser) -> AppResult<Vec<(i64, String)>> {
    let now = Utc::now();
    let found = sessions::between(
        &state.db,
        now - Duration::days(1),
        now + Duration::days(180),
        Some(&user.scope()),
        &user.unit_path,
    )
    .await?;
    Ok(found
        .into_iter()
        .filter(|s| s.kind == SessionKind::Live && user.covers(&s.unit_path))
        .map(|s| (s.id, format!("{} {}", crate::time::local_datetime(s.starts_at), s.title)))
        .collect())
}

async fn match_page(
    state: &AppState,
    user: &CurrentUser,
    m: Match,
    debate: Debate,
    input: Option<SetupInput>,
    errors: FieldErrors,
) -> AppResult<String> {
    let debaters = store::debaters(&state.db, debate.id).await?;
    let all_ballots = store::ballots(&state.db, m.id).await?;
    let my_ballot = all_ballots.iter().any(|b| b.judge_user_id == user.user_id);
    let online = match (m.session_id, m.live_url.as_str()) {
        (Some(id), _) => {
            let title = sessions::by_id(&state.db, id).await?.map(|s| s.title).unwrap_or_default();
            Some((format!("/sessions/{id}/online"), format!("云课堂直播：{title}")))
        }
        (None, "") => None,
        (None, url) => Some((url.to_owned(), "进入直播间".to_owned())),
    };
    let manage = may_manage(user, &debate);
    let page = MatchPage {
        shell: Shell::new(
            user,
            format!("{} · {}", debate.title, model::round_name(m.round, debate.rounds)),
            "debates",
        ),
        round_name: model::round_name(m.round, debate.rounds),
        affirmative: names(&debaters, m.affirmative_team_id),
        negative: names(&debaters, m.negative_team_id),
        online,
        judges: store::judges(&state.db, debate.id).await?.len(),
        is_judge: store::is_judge(&state.db, debate.id, user.user_id).await?,
        my_ballot,
        // The ballots are shown once the result is fixed; until then, only how many are in.
        ballot_count: all_ballots.len(),
        ballots: if m.closed() { all_ballots } else { Vec::new() },
        sessions: if manage { live_sessions(state, user).await? } else { Vec::new() },
        input: input.unwrap_or_else(|| SetupInput::of(&m)),
        manage,
        errors,
        rule: model::DECISION_RULE,
        debate,
        m,
    };
    Ok(page.render()?)
}

/// `GET /debates/matches/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let (m, debate) = visible_match(&state, &user, id).await?;
    Ok(Html(match_page(&state, &user, m, debate, None, FieldErrors::default()).await?))
}

/// Reads the arrangements form: every problem by field, or what to store.
async fn checked(
    state: &AppState,
    user: &CurrentUser,
    input: &SetupInput,
) -> AppResult<Result<MatchSetup, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let motion = input.motion.trim().to_owned();
    if motion.chars().count() > 100 {
        errors.add("motion", "辩题：最多100字");
    }
    let starts_at = match (input.date.trim().is_empty(), input.time.trim().is_empty()) {
        (true, true) => None,
        _ => {
            let date = errors.check("date", parse_date(&input.date, "日期"));
            let time = errors.check("time", parse_time(&input.time, "时间"));
            match (date, time) {
                (Some(d), Some(t)) => errors.check("time", local_to_utc(d, t)),
                _ => None,
            }
        }
    };
    let place = input.place.trim().to_owned();
    if place.chars().count() > 60 {
        errors.add("place", "地点：最多60字");
    }
    let session_id = optional_id(&input.session_id);
    if let Some(id) = session_id {
        let session = sessions::visible(&state.db, id, Some(&user.scope()), &user.unit_path).await?;
        if !session.is_some_and(|s| s.kind == SessionKind::Live && user.covers(&s.unit_path)) {
            errors.add("session_id", "云课堂直播：请从列表中选择本单位的直播场次");
        }
    }
    let live_url = input.live_url.trim().to_owned();
    if !live_url.is_empty() {
        if !(live_url.starts_with("https://") || live_url.starts_with("http://")) || live_url.len() > 300 {
            errors.add("live_url", "直播间网址：请填写以 https:// 开头的完整网址");
        } else if session_id.is_some() {
            errors.add("live_url", "直播间网址：已选云课堂直播时请留空（二选一）");
        }
    }
    Ok(if errors.is_empty() {
        Ok(MatchSetup { motion, starts_at, place, session_id, live_url })
    } else {
        Err(errors)
    })
}

/// `POST /debates/matches/{id}/setup`: the organisers set the arrangements (audited).
pub(super) async fn setup(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    Form(input): Form<SetupInput>,
) -> AppResult<Response> {
    let (m, debate) = visible_match(&state, &user, id).await?;
    if !may_manage(&user, &debate) {
        return Err(AppError::Forbidden);
    }
    if m.closed() {
        return Err(AppError::Conflict("本场比赛已结束，安排不能再修改".into()));
    }
    let setup = match checked(&state, &user, &input).await? {
        Ok(s) => s,
        Err(errors) => {
            let html = match_page(&state, &user, m, debate, Some(input), errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    if !bracket::set_up(&mut tx, id, &setup).await? {
        return Err(AppError::Conflict("本场比赛已结束，安排不能再修改".into()));
    }
    let detail = format!(
        "安排辩论赛“{}”{}第{}场：辩题“{}”",
        debate.title,
        model::round_name(m.round, debate.rounds),
        m.slot,
        setup.motion
    );
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Debate,
        &format!("debate_match:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/debates/matches/{id}"), "比赛安排已保存"))
}

/// Which side a ballot's team is on, for the page.
pub(super) fn side_name(m: &Match, side: Side) -> String {
    let team = match side {
        Side::Affirmative => &m.affirmative_name,
        Side::Negative => &m.negative_name,
    };
    format!("{}（{}）", side.label(), team)
}
