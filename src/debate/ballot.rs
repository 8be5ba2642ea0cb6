//! A judge's ballot on a phone (a side, a written reason, a best debater from either team; cast
//! once, revised until the match closes, audited) and closing a match: the majority decides, a
//! tie is refused, the winner advances, points are earned — one audited transaction.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::bracket::{self, NewBallot};
use super::match_pages::{side_name, visible_match};
use super::may_manage;
use super::model::{self, Side, Tie};
use super::store::{self, Debater, Match};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// Most characters in a ballot's reason.
const REASON_MAX: usize = 500;

/// The ballot form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct BallotInput {
    side: String,
    reason: String,
    best_debater: String,
}

labels! {
    BallotInput { side: "投票", reason: "理由", best_debater: "最佳辩手" }
}

#[derive(Template)]
#[template(path = "debate/ballot.html")]
struct BallotPage {
    shell: Shell,
    m: Match,
    title: String,
    affirmative: String,
    negative: String,
    choices: Vec<(String, Vec<Debater>)>,
    input: BallotInput,
    errors: FieldErrors,
    revising: bool,
}

/// The match open for this judge's ballot, and its debaters on both sides.
async fn judge_match(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Match, String, Vec<Debater>)> {
    let (m, debate) = visible_match(state, user, id).await?;
    if !store::is_judge(&state.db, debate.id, user.user_id).await? {
        return Err(AppError::Forbidden);
    }
    if m.closed() {
        return Err(AppError::Conflict("本场比赛已结束，评分票不能再填写或修改".into()));
    }
    if !m.open_for_ballots() {
        return Err(AppError::Conflict("双方队伍确定后才能投票".into()));
    }
    let teams = [m.affirmative_team_id, m.negative_team_id];
    let debaters = store::debaters(&state.db, debate.id)
        .await?
        .into_iter()
        .filter(|d| teams.contains(&Some(d.team_id)))
        .collect();
    let title = format!("{} · {}", debate.title, model::round_name(m.round, debate.rounds));
    Ok((m, title, debaters))
}

fn page(
    user: &CurrentUser,
    m: Match,
    title: String,
    debaters: Vec<Debater>,
    input: BallotInput,
    errors: FieldErrors,
    revising: bool,
) -> AppResult<String> {
    let group = |side: Side| {
        let team = m.team_on(side);
        (side_name(&m, side), debaters.iter().filter(|d| Some(d.team_id) == team).cloned().collect())
    };
    let choices = vec![group(Side::Affirmative), group(Side::Negative)];
    let page = BallotPage {
        shell: Shell::new(user, "评分票", "debates"),
        affirmative: side_name(&m, Side::Affirmative),
        negative: side_name(&m, Side::Negative),
        m,
        title,
        choices,
        input,
        errors,
        revising,
    };
    Ok(page.render()?)
}

/// `GET /debates/matches/{id}/ballot`: the judge's form, filled with their ballot if cast.
pub(super) async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let (m, title, debaters) = judge_match(&state, &user, id).await?;
    let mine = store::ballots(&state.db, id).await?.into_iter().find(|b| b.judge_user_id == user.user_id);
    let input = mine.as_ref().map_or_else(BallotInput::default, |b| BallotInput {
        side: b.side.code().into(),
        reason: b.reason.clone(),
        best_debater: b.best_debater_id.to_string(),
    });
    Ok(Html(page(&user, m, title, debaters, input, FieldErrors::default(), mine.is_some())?))
}

/// `POST /debates/matches/{id}/ballot`: casts or revises the judge's ballot (audited).
pub(super) async fn cast(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(input): Form<BallotInput>,
) -> AppResult<Response> {
    let (m, title, debaters) = judge_match(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let side = Side::from_code(&input.side);
    if side.is_none() {
        errors.add("side", "投票：请选择正方或反方");
    }
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() {
        errors.add("reason", "理由：请写明投票理由");
    } else if reason.chars().count() > REASON_MAX {
        errors.add("reason", format!("理由：最多{REASON_MAX}字"));
    }
    let best =
        input.best_debater.trim().parse::<i64>().ok().filter(|b| debaters.iter().any(|d| d.member_id == *b));
    if best.is_none() {
        errors.add("best_debater", "最佳辩手：请从本场双方辩手中选择一人");
    }
    let (Some(side), Some(best_debater_id), true) = (side, best, errors.is_empty()) else {
        let html = page(&user, m, title, debaters, input, errors, false)?;
        return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
    };
    let ballot = NewBallot { match_id: id, judge_user_id: user.user_id, side, reason, best_debater_id };
    let mut tx = state.db.begin().await?;
    let Some(revised) = bracket::cast(&mut tx, &ballot).await? else {
        return Err(AppError::Conflict("本场比赛已结束，评分票不能再填写或修改".into()));
    };
    let best_name = debaters.iter().find(|d| d.member_id == best_debater_id).map_or("", |d| d.name.as_str());
    let detail = format!(
        "{}{}评分票：投{}，最佳辩手{}",
        title,
        if revised { "修改" } else { "提交" },
        side_name(&m, side),
        best_name
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
    let message =
        if revised { "评分票已修改" } else { "评分票已提交，比赛结束前可以修改" };
    Ok(redirect_with_flash(&format!("/debates/matches/{id}"), message))
}

/// `POST /debates/matches/{id}/close`: the organisers fix the result by the ballots' majority.
/// The winner moves on in the bracket (or is champion after the final); the best debater, and
/// after the final the champion's and runner-up's debaters, earn points. One transaction,
/// audited.
pub(super) async fn close(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (m, debate) = visible_match(&state, &user, id).await?;
    if !may_manage(&user, &debate) {
        return Err(AppError::Forbidden);
    }
    if m.closed() {
        return Err(AppError::Conflict("本场比赛已经结束".into()));
    }
    if !m.open_for_ballots() {
        return Err(AppError::Conflict("双方队伍确定、评委投票后才能结束本场".into()));
    }
    let ballots = store::ballots(&state.db, id).await?;
    let votes: Vec<Side> = ballots.iter().map(|b| b.side).collect();
    let side = match model::decide(&votes) {
        Ok(side) => side,
        Err(Tie(0)) => return Err(AppError::Conflict("还没有评委投票，不能结束本场".into())),
        Err(Tie(n)) => {
            return Err(AppError::Conflict(format!(
                "正反双方票数相同（{n}比{n}），不能判定胜负：请再请一位评委投票后再结束本场（评委人数宜为单数）"
            )));
        }
    };
    let winner = m.team_on(side).ok_or(AppError::NotFound)?;
    // Each mention, marked when the debater named is on the winning team.
    let debaters = store::debaters(&state.db, debate.id).await?;
    let on_winner = |member: i64| debaters.iter().any(|d| d.member_id == member && d.team_id == winner);
    let mentions: Vec<(i64, bool)> =
        ballots.iter().map(|b| (b.best_debater_id, on_winner(b.best_debater_id))).collect();
    let best = model::best_debater(&mentions);
    let campaign_id = crate::campaign::store::current(&state.db).await?.map(|c| c.id);
    let mut tx = state.db.begin().await?;
    let affirmative = votes.iter().filter(|&&s| s == Side::Affirmative).count() as i64;
    let counted = bracket::Counted { ballots: votes.len() as i64, affirmative };
    if !bracket::close(&mut tx, &m, debate.rounds, (winner, best), counted).await? {
        return Err(AppError::Conflict("本场比赛已经结束，或评分票刚有变动：请刷新页面后再结束".into()));
    }
    let awards = bracket::award_points(&mut tx, &debate, &m, winner, best, &debaters, campaign_id).await?;
    let votes_for = votes.iter().filter(|&&s| s == side).count();
    let best_name =
        best.and_then(|b| debaters.iter().find(|d| d.member_id == b)).map_or("", |d| d.name.as_str());
    let round = model::round_name(m.round, debate.rounds);
    let detail = format!(
        "结束辩论赛“{}”{}第{}场：{}以{}比{}获胜，最佳辩手{}，{}人获积分",
        debate.title,
        round,
        m.slot,
        side_name(&m, side),
        votes_for,
        votes.len() - votes_for,
        best_name,
        awards
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
    let message = if m.round == debate.rounds {
        format!("比赛结束：{}获得冠军", side_name(&m, side))
    } else {
        format!("比赛结束：{}获胜，已晋级下一轮", side_name(&m, side))
    };
    Ok(redirect_with_flash(&format!("/debates/matches/{id}"), &message))
}
