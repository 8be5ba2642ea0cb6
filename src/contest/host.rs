//! The host: the projector screen (1280×720, large type: the join QR and code, each question with
//! its countdown, the answer spread, the correct answer and the leaderboard, all from the room's
//! snapshots) and its controls — start/next, pause, resume, reveal, skip, finish. Starting, a skip
//! and finishing are written and audited; finishing fixes the results and awards the placings'
//! points in the same transaction.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::live::Control;
use super::model::{self, Status};
use super::store::{self, Contest};
use crate::audit::{self, Action, Actor};
use crate::auth::AdminUser;
use crate::db::Db;
use crate::points::{self, Award};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::{AppError, AppResult};

#[derive(Template)]
#[template(path = "contest/host.html")]
struct HostPage {
    contest: Contest,
    csrf: String,
    qr_svg: String,
    join_url: String,
    questions: usize,
    rule: &'static str,
}

/// `GET /contests/{id}/host`: the projector screen.
pub(super) async fn screen(
    State(state): State<AppState>,
    user: AdminUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let contest = store::in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let join_url = format!("{}/contest?code={}", crate::web::form::base_url(&headers), contest.join_code);
    let page = HostPage {
        qr_svg: crate::formats::qr::qr_svg(&join_url, 6),
        join_url,
        questions: store::slots(&state.db, id).await?.len(),
        csrf: user.csrf_token.clone(),
        contest,
        rule: model::SCORE_RULE,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

/// A host control as posted.
#[derive(Deserialize)]
pub(super) struct ControlInput {
    action: String,
}

labels! {
    ControlInput { action: "操作" }
}

/// `POST /contests/{id}/control`: applies a control; answers 204 to the screen's script (which
/// sends `X-CSRF-Token`), else goes back to the screen.
pub(super) async fn control(
    State(state): State<AppState>,
    user: AdminUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(input): Form<ControlInput>,
) -> AppResult<Response> {
    let contest = store::in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let control = match input.action.as_str() {
        "next" => Control::Next,
        "pause" => Control::Pause,
        "resume" => Control::Resume,
        "reveal" => Control::Reveal,
        "skip" => Control::Skip,
        "finish" => Control::Finish,
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    };
    if contest.status == Status::Finished {
        return Err(AppError::Conflict("竞赛已结束".into()));
    }
    let room = state.contest_rooms.room(&state.db, &contest).await?;
    let skipped = room.control(control).map_err(|reason| AppError::Conflict(reason.into()))?;
    let actor = Actor::user(&user);
    let target = format!("contest:{id}");
    if control == Control::Finish {
        fix_results(&state.db, &actor, &contest).await?;
        state.contest_rooms.forget(id).await;
    } else if let Some(position) = skipped {
        let mut tx = state.db.begin().await?;
        store::skip(&mut tx, id, position).await?;
        audit::record_in(
            &mut tx,
            &actor,
            Action::Contest,
            &target,
            &format!("跳过第{position}题（不计分）"),
            true,
        )
        .await?;
        tx.commit().await?;
    } else if control == Control::Next && contest.status == Status::Draft {
        let mut tx = state.db.begin().await?;
        store::set_status(&mut tx, id, Status::Running).await?;
        audit::record_in(
            &mut tx,
            &actor,
            Action::Contest,
            &target,
            &format!("开始知识竞赛“{}”", contest.title),
            true,
        )
        .await?;
        tx.commit().await?;
    }
    if headers.contains_key("x-csrf-token") {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let to =
        if control == Control::Finish { format!("/contests/{id}") } else { format!("/contests/{id}/host") };
    Ok(Redirect::to(&to).into_response())
}

/// Fixes the results: the status, and each placing's points (1st, 2nd, 3rd; ties share) for
/// every member behind the entrant, keyed `contest:{id}:{member}` so nothing is paid twice; a
/// guest not matched to a member earns nothing. One transaction, audited. Returns how many
/// awards were made.
pub async fn fix_results(db: &Db, actor: &Actor, contest: &Contest) -> Result<usize, sqlx::Error> {
    let standings = model::standings(store::totals(db, contest.id).await?);
    let campaign_id = crate::campaign::store::current(db).await?.map(|c| c.id);
    let mut awards = Vec::new();
    for s in &standings {
        let Some(kind) = model::placing(s.rank, s.score) else { continue };
        for member_id in store::members_of(db, s.entrant_id).await? {
            awards.push(Award {
                member_id,
                kind,
                item_key: format!("contest:{}", contest.id),
                idempotency_key: format!("contest:{}:{member_id}", contest.id),
                at: Utc::now(),
                quantity: 1,
                reason: contest.title.clone(),
                recorded_by: None,
                campaign_id,
            });
        }
    }
    let mut tx = db.begin().await?;
    store::set_status(&mut tx, contest.id, Status::Finished).await?;
    for award in &awards {
        points::award(&mut tx, award).await?;
    }
    let detail =
        format!("结束知识竞赛“{}”：{}名参赛，{}人获名次积分", contest.title, standings.len(), awards.len());
    audit::record_in(&mut tx, actor, Action::Contest, &format!("contest:{}", contest.id), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(awards.len())
}

/// `GET /contest/play.js`: the phone's side of the socket (the CSP allows scripts from here only).
pub(super) async fn play_script() -> Response {
    script(include_str!("play.js"))
}

/// `GET /contests/host.js`: the projector's side.
pub(super) async fn host_script() -> Response {
    script(include_str!("host.js"))
}

fn script(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], body)
        .into_response()
}
