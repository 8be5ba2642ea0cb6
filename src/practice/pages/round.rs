//! A round: the question where it resumes (the first unanswered), an answer stored once when
//! sent (graded, then shown with its 解析), and the result once every question is answered or
//! an exam's time is up. Answers after an exam's deadline are refused and not counted.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::member_of;
use crate::auth::CurrentUser;
use crate::points::{self, Award, PointKind};
use crate::practice::model::{RoundKind, given_answer, grade, passed, resume_at, score, shown_answer};
use crate::practice::store::{self, Item, NewAnswer, Round};
use crate::quiz::model::QuestionKind;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::{AppError, AppResult, Shell};

/// A round's page title.
fn title(round: &Round) -> String {
    match &round.exam_title {
        Some(t) => t.clone(),
        None if round.kind == RoundKind::Topic => format!("专题练习：{}", round.category),
        None => round.kind.label().to_owned(),
    }
}

/// Whether an exam's time is up.
fn time_up(round: &Round) -> bool {
    round.deadline.is_some_and(|d| Utc::now() > d)
}

#[derive(Template)]
#[template(path = "practice/question.html")]
struct QuestionPage {
    shell: Shell,
    round: Round,
    item: Item,
    total: usize,
    error: Option<String>,
    deadline: Option<String>,
    seconds_left: i64,
}

#[derive(Template)]
#[template(path = "practice/result.html")]
struct ResultPage {
    shell: Shell,
    round: Round,
    items: Vec<Item>,
    correct: i64,
    score: i64,
    passed: Option<bool>,
    time_up: bool,
}

async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Round, Vec<Item>)> {
    let member_id = member_of(user)?;
    let round = store::round(&state.db, id, member_id).await?.ok_or(AppError::NotFound)?;
    let items = store::items(&state.db, round.id).await?;
    Ok((round, items))
}

fn question_page(
    user: &CurrentUser,
    round: Round,
    items: Vec<Item>,
    at: i64,
    error: Option<String>,
) -> AppResult<Html<String>> {
    let total = items.len();
    let item = items.into_iter().find(|i| i.position == at).ok_or(AppError::NotFound)?;
    let deadline = round.deadline.map(|d| crate::time::local_datetime(d)[11..].to_owned());
    let seconds_left = round.deadline.map_or(0, |d| (d - Utc::now()).num_seconds().max(0));
    let page = QuestionPage {
        shell: Shell::new(user, title(&round), "home"),
        round,
        item,
        total,
        error,
        deadline,
        seconds_left,
    };
    Ok(Html(page.render()?))
}

/// The question where the round resumes, or its result.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let (round, items) = load(&state, &user, id).await?;
    let answered: Vec<i64> = items.iter().filter(|i| i.given.is_some()).map(|i| i.position).collect();
    match resume_at(items.len() as i64, &answered) {
        Some(at) if !time_up(&round) => question_page(&user, round, items, at, None),
        _ => {
            let correct = items.iter().filter(|i| i.correct == Some(true)).count() as i64;
            let score = score(correct, items.len() as i64);
            let page = ResultPage {
                shell: Shell::new(&user, title(&round), "home"),
                passed: round.pass_mark.map(|m| passed(score, m)),
                time_up: time_up(&round) && answered.len() < items.len(),
                round,
                items,
                correct,
                score,
            };
            Ok(Html(page.render()?))
        }
    }
}

/// One answer as the question's form sends it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    position: String,
    choice: Vec<String>,
    text: String,
}

labels! {
    AnswerForm { position: "题号", choice: "答案", text: "答案" }
}

/// Stores and grades one answer (once: a resend changes nothing), with the daily quiz's points
/// in the same transaction, then shows it graded.
pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let (round, items) = load(&state, &user, id).await?;
    let position: i64 =
        form.position.trim().parse().map_err(|_| AppError::BadRequest("题号不对，请返回重新作答".into()))?;
    let Some(item) = items.iter().find(|i| i.position == position) else {
        return Err(AppError::BadRequest("题号不对，请返回重新作答".into()));
    };
    // An exam shows no answer before its end: it goes on to the next question.
    let graded = match round.kind {
        RoundKind::Exam => format!("/practice/rounds/{id}"),
        _ => format!("/practice/rounds/{id}/items/{position}"),
    };
    if item.given.is_some() {
        return Ok(Redirect::to(&graded).into_response());
    }
    if time_up(&round) {
        let until = round.deadline.map(crate::time::local_datetime).unwrap_or_default();
        return Err(AppError::Conflict(format!("考试时间已到（截止 {until}），超时提交的答案不计入成绩")));
    }
    let given = given_answer(item.kind, &form.choice, &form.text);
    if given.is_empty() {
        let message = "请先选择或填写答案，再提交".to_owned();
        let page = question_page(&user, round, items, position, Some(message))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let correct = grade(item.kind, &item.answer, &given);
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let answer = NewAnswer {
        round_id: round.id,
        position,
        member_id: round.member_id,
        question_id: item.question_id,
        answer: &given,
        correct,
        at: now,
    };
    let stored = store::record_answer(&mut tx, &answer).await?;
    if stored && correct && round.kind == RoundKind::Daily {
        let award = Award {
            member_id: round.member_id,
            kind: PointKind::Quiz,
            item_key: format!("quiz:{}", round.day),
            idempotency_key: format!("quiz:{}:{position}", round.id),
            at: now,
            quantity: 1,
            reason: String::new(),
            recorded_by: None,
            campaign_id: None,
        };
        points::award(&mut tx, &award).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&graded).into_response())
}

#[derive(Template)]
#[template(path = "practice/graded.html")]
struct GradedPage {
    shell: Shell,
    round: Round,
    item: Item,
    total: usize,
    shown: String,
    finished: bool,
}

/// One answered question, graded, with the right answer and its 解析.
pub async fn graded(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, position)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (round, items) = load(&state, &user, id).await?;
    let total = items.len();
    let finished = items.iter().filter(|i| i.given.is_some()).count() == total || time_up(&round);
    let Some(item) = items.into_iter().find(|i| i.position == position) else {
        return Err(AppError::NotFound);
    };
    if item.given.is_none() || (round.kind == RoundKind::Exam && !finished) {
        return Ok(Redirect::to(&format!("/practice/rounds/{id}")).into_response());
    }
    let shown = shown_answer(item.kind, &item.answer);
    let page =
        GradedPage { shell: Shell::new(&user, title(&round), "home"), round, item, total, shown, finished };
    Ok(Html(page.render()?).into_response())
}
