//! Exams: committee and station staff set a timed topic exam for their subtree and read the
//! attempts of members in it; a member starts their one attempt (the deadline fixed then, and
//! enforced on the server).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;

use super::{Start, member_of, start_round};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::practice::exam_input::ExamInput;
use crate::practice::model::{RoundKind, passed, score};
use crate::practice::store::{self, Attempt, Exam};
use crate::state::AppState;
use crate::web::extract::{Form, Path};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "practice/exams.html")]
struct ExamsPage {
    shell: Shell,
    exams: Vec<Exam>,
    categories: Vec<(String, i64)>,
    input: ExamInput,
    errors: FieldErrors,
}

async fn exams_page(
    state: &AppState,
    user: &AdminUser,
    input: ExamInput,
    errors: FieldErrors,
) -> AppResult<Html<String>> {
    let page = ExamsPage {
        shell: Shell::new(user, "专题考试", "home"),
        exams: store::exams_in_scope(&state.db, &user.scope()).await?,
        categories: store::bank_categories(&state.db).await?,
        input,
        errors,
    };
    Ok(Html(page.render()?))
}

/// The exams set in the user's subtree, and the form to set one.
pub async fn list(State(state): State<AppState>, user: AdminUser) -> AppResult<Html<String>> {
    exams_page(&state, &user, ExamInput::usual(), FieldErrors::default()).await
}

/// Sets an exam for the user's unit (audited); a refused form comes back as typed.
pub async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    Form(input): Form<ExamInput>,
) -> AppResult<Response> {
    let bank = store::bank_categories(&state.db).await?;
    let exam = match input.validate(user.unit_id, &bank) {
        Ok(exam) => exam,
        Err(errors) => {
            let page = exams_page(&state, &user, input, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let id = store::insert_exam(&mut tx, &exam, user.user_id).await?;
    let detail = format!(
        "{}：{}，{}题，{}分钟，及格{}分，{}",
        exam.title, exam.category, exam.question_count, exam.minutes, exam.pass_mark, user.unit_name
    );
    audit::record_in(&mut tx, &Actor::user(&user), Action::Exam, &format!("exam:{id}"), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/practice/exams/{id}"), "考试已发布，本单位党员可在“答题学习”中参加"))
}

/// An attempt as the results list shows it.
struct AttemptLine {
    attempt: Attempt,
    score: i64,
    passed: bool,
    finished: bool,
}

#[derive(Template)]
#[template(path = "practice/exam.html")]
struct ExamPage {
    shell: Shell,
    exam: Exam,
    lines: Vec<AttemptLine>,
}

/// One exam's attempts by members in the user's subtree.
pub async fn results(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let scope = user.scope();
    let exam = store::exam_in_scope(&state.db, id, &scope).await?.ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let lines = store::attempts(&state.db, id, &scope)
        .await?
        .into_iter()
        .map(|attempt| {
            let score = score(attempt.correct, exam.question_count);
            let finished =
                attempt.answered >= exam.question_count || attempt.deadline.is_some_and(|d| now > d);
            AttemptLine { passed: passed(score, exam.pass_mark), score, finished, attempt }
        })
        .collect();
    let page = ExamPage { shell: Shell::new(&user, exam.title.clone(), "home"), exam, lines };
    Ok(Html(page.render()?))
}

/// Starts the member's one attempt at an exam set for their unit (or reopens it).
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let member_id = member_of(&user)?;
    let exam = store::exam_for_member(&state.db, id, member_id).await?.ok_or(AppError::NotFound)?;
    let start = Start {
        kind: RoundKind::Exam,
        key: Some(format!("exam:{}:{member_id}", exam.id)),
        category: &exam.category,
        exam_id: Some(exam.id),
        count: exam.question_count as usize,
        minutes: Some(exam.minutes),
    };
    let round = start_round(&state.db, member_id, start, Utc::now()).await?;
    Ok(Redirect::to(&format!("/practice/rounds/{round}")).into_response())
}
