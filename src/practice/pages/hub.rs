//! The member's practice hub (`/practice`): today's daily quiz, practice by topic, the mistakes
//! book and the exams open to them; starting each kind of round.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::{Start, member_of, start_round};
use crate::auth::CurrentUser;
use crate::practice::model::{DAILY_COUNT, PRACTICE_COUNT, RoundKind};
use crate::practice::store::{self, Mistake, OpenExam};
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::{AppResult, Shell};

/// Today's daily quiz as the hub shows it.
pub(crate) struct Today {
    /// The round, once started.
    pub round_id: Option<i64>,
    /// Answered so far.
    pub answered: usize,
    /// Right so far.
    pub correct: usize,
    /// Questions drawn (five, or fewer from a small bank).
    pub total: usize,
}

#[derive(Template)]
#[template(path = "practice/hub.html")]
struct HubPage {
    shell: Shell,
    today: Today,
    daily_count: usize,
    categories: Vec<(String, i64)>,
    mistakes: usize,
    exams: Vec<OpenExam>,
}

/// The hub.
pub async fn hub(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let member_id = member_of(&user)?;
    let round_id = store::daily_round(&state.db, member_id, crate::time::today()).await?;
    let mut today = Today { round_id, answered: 0, correct: 0, total: 0 };
    if let Some(id) = round_id {
        let items = store::items(&state.db, id).await?;
        today.answered = items.iter().filter(|i| i.given.is_some()).count();
        today.correct = items.iter().filter(|i| i.correct == Some(true)).count();
        today.total = items.len();
    }
    let page = HubPage {
        shell: Shell::new(&user, "答题学习", "home"),
        today,
        daily_count: DAILY_COUNT,
        categories: store::bank_categories(&state.db).await?,
        mistakes: store::mistakes(&state.db, member_id).await?.len(),
        exams: store::exams_for_member(&state.db, member_id).await?,
    };
    Ok(Html(page.render()?))
}

/// Starts today's daily quiz, or reopens it where it was left.
pub async fn start_daily(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let member_id = member_of(&user)?;
    let key = store::daily_key(member_id, crate::time::today());
    let start = Start {
        kind: RoundKind::Daily,
        key: Some(key),
        category: "",
        exam_id: None,
        count: DAILY_COUNT,
        minutes: None,
    };
    let id = start_round(&state.db, member_id, start, Utc::now()).await?;
    Ok(Redirect::to(&format!("/practice/rounds/{id}")).into_response())
}

/// The topic form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TopicForm {
    category: String,
}

labels! {
    TopicForm { category: "分类" }
}

/// Starts a practice round of one category (no points).
pub async fn start_topic(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TopicForm>,
) -> AppResult<Response> {
    let member_id = member_of(&user)?;
    let category = form.category.trim();
    let known = store::bank_categories(&state.db).await?;
    if !known.iter().any(|(c, _)| c == category) {
        return Err(crate::web::AppError::BadRequest("请从题库已有的分类中选择要练习的专题".into()));
    }
    let start = Start {
        kind: RoundKind::Topic,
        key: None,
        category,
        exam_id: None,
        count: PRACTICE_COUNT,
        minutes: None,
    };
    let id = start_round(&state.db, member_id, start, Utc::now()).await?;
    Ok(Redirect::to(&format!("/practice/rounds/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "practice/mistakes.html")]
struct MistakesPage {
    shell: Shell,
    mistakes: Vec<Mistake>,
}

/// The mistakes book.
pub async fn mistakes(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let member_id = member_of(&user)?;
    let page = MistakesPage {
        shell: Shell::new(&user, "错题本", "home"),
        mistakes: store::mistakes(&state.db, member_id).await?,
    };
    Ok(Html(page.render()?))
}

/// Starts a round of questions from the mistakes book.
pub async fn start_mistakes(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let member_id = member_of(&user)?;
    let start = Start {
        kind: RoundKind::Mistakes,
        key: None,
        category: "",
        exam_id: None,
        count: PRACTICE_COUNT,
        minutes: None,
    };
    let id = start_round(&state.db, member_id, start, Utc::now()).await?;
    Ok(Redirect::to(&format!("/practice/rounds/{id}")).into_response())
}
