//! Staff's contest pages: the list with the set-up form (title, questions from the bank by
//! category and count or by id, seconds per question, individual or team), one contest with
//! its results, and the results' .xlsx (audited).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{self, MAX_QUESTIONS, Mode, SECONDS_RANGE, Standing, Status};
use super::store::{self, Contest, NewContest};
use crate::audit::{self, Action, Actor};
use crate::auth::AdminUser;
use crate::quiz::pick;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::{FieldErrors, parse_count};
use crate::web::{AppError, AppResult, Shell};

/// The set-up form as typed.
#[derive(Deserialize, Clone)]
#[serde(default)]
pub(super) struct NewInput {
    title: String,
    mode: String,
    seconds: String,
    category: String,
    count: String,
    question_ids: String,
}

impl Default for NewInput {
    fn default() -> Self {
        NewInput {
            title: String::new(),
            mode: Mode::Individual.code().into(),
            seconds: "20".into(),
            category: String::new(),
            count: "10".into(),
            question_ids: String::new(),
        }
    }
}

labels! {
    NewInput { title: "竞赛名称", mode: "赛制", seconds: "每题限时", category: "题目分类", count: "题数", question_ids: "指定题号" }
}

#[derive(Template)]
#[template(path = "contest/index.html")]
struct IndexPage {
    shell: Shell,
    contests: Vec<Contest>,
    categories: Vec<String>,
    modes: Vec<(&'static str, &'static str)>,
    input: NewInput,
    errors: FieldErrors,
    rule: &'static str,
}

async fn index_page(
    state: &AppState,
    user: &AdminUser,
    input: NewInput,
    errors: FieldErrors,
) -> AppResult<String> {
    let page = IndexPage {
        shell: Shell::new(user, "知识竞赛", "contests"),
        contests: store::list_in_scope(&state.db, &user.scope()).await?,
        categories: crate::quiz::store::categories(&state.db).await?,
        modes: Mode::choices(),
        input,
        errors,
        rule: model::SCORE_RULE,
    };
    Ok(page.render()?)
}

/// `GET /contests`.
pub(super) async fn index(State(state): State<AppState>, user: AdminUser) -> AppResult<Html<String>> {
    Ok(Html(index_page(&state, &user, NewInput::default(), FieldErrors::default()).await?))
}

/// Reads the form: every problem by field, or the contest to store (its questions chosen).
async fn checked(
    state: &AppState,
    user: &AdminUser,
    input: &NewInput,
) -> AppResult<Result<NewContest, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 40 {
        errors.add("title", "竞赛名称：请填写1到40字");
    }
    let mode = Mode::from_code(&input.mode);
    if mode.is_none() {
        errors.add("mode", "赛制：请选择个人赛或团体赛");
    }
    let seconds = errors.check("seconds", parse_count(&input.seconds, "每题限时", SECONDS_RANGE.1));
    if seconds.is_some_and(|s| s < SECONDS_RANGE.0) {
        errors.add("seconds", format!("每题限时：请填写{}到{}秒", SECONDS_RANGE.0, SECONDS_RANGE.1));
    }
    let typed_ids: Vec<&str> =
        input.question_ids.split([',', '，', '、', ' ']).filter(|s| !s.is_empty()).collect();
    let mut question_ids = Vec::new();
    if !typed_ids.is_empty() {
        let ids: Vec<i64> = typed_ids.iter().filter_map(|s| s.parse().ok()).collect();
        let found = pick::by_ids(&state.db, &ids).await?;
        if ids.len() != typed_ids.len() || found.len() != ids.len() {
            errors.add("question_ids", "指定题号：有题号不在题库中，请按题库页的编号填写，用逗号分隔");
        } else if ids.len() as i64 > MAX_QUESTIONS {
            errors.add("question_ids", format!("指定题号：一场最多{MAX_QUESTIONS}题"));
        }
        question_ids = ids;
    } else if let Some(count) = errors.check("count", parse_count(&input.count, "题数", MAX_QUESTIONS)) {
        question_ids = pick::random_ids(&state.db, input.category.trim(), count).await?;
        if count == 0 {
            errors.add("count", format!("题数：请填写1到{MAX_QUESTIONS}题"));
        } else if (question_ids.len() as i64) < count {
            errors.add("count", format!("题数：题库中这一分类只有{}题", question_ids.len()));
        }
    }
    if mode == Some(Mode::Team) && super::join::teams(state, user.unit_id, &user.unit_path).await?.len() < 2 {
        errors.add("mode", "赛制：团体赛需要至少两个下级单位组队");
    }
    let (Some(mode), Some(seconds), true) = (mode, seconds, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let join_code = free_code(state).await?;
    Ok(Ok(NewContest {
        title,
        unit_id: user.unit_id,
        unit_path: user.unit_path.clone(),
        mode,
        seconds_per_question: seconds,
        join_code,
        question_ids,
    }))
}

/// A six-digit code no contest still open uses.
async fn free_code(state: &AppState) -> AppResult<String> {
    for _ in 0..50 {
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        if !store::code_in_use(&state.db, &code).await? {
            return Ok(code);
        }
    }
    Err(AppError::Conflict("暂时无法生成竞赛码，请稍后重试".into()))
}

/// `POST /contests`: sets a contest up (audited) and opens it.
pub(super) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    Form(input): Form<NewInput>,
) -> AppResult<Response> {
    let new = match checked(&state, &user, &input).await? {
        Ok(new) => new,
        Err(errors) => {
            let html = index_page(&state, &user, input, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let id = store::create(&mut tx, &new, Some(user.user_id)).await?;
    let detail = format!(
        "设立知识竞赛“{}”（{}，{}题，每题{}秒）",
        new.title,
        new.mode.label(),
        new.question_ids.len(),
        new.seconds_per_question
    );
    audit::record_in(&mut tx, &Actor::user(&user), Action::Contest, &format!("contest:{id}"), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/contests/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "contest/show.html")]
struct ShowPage {
    shell: Shell,
    contest: Contest,
    questions: usize,
    standings: Vec<Standing>,
    finished: bool,
}

/// `GET /contests/{id}`: the contest, and its leaderboard (final once finished).
pub(super) async fn show(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let contest = store::in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let questions = store::slots(&state.db, id).await?.len();
    let standings = model::standings(store::totals(&state.db, id).await?);
    let finished = contest.status == Status::Finished;
    let page = ShowPage {
        shell: Shell::new(&user, contest.title.clone(), "contests"),
        contest,
        questions,
        standings,
        finished,
    };
    Ok(Html(page.render()?))
}

/// `GET /contests/{id}/export`: the leaderboard as .xlsx, audited before it is handed out.
pub(super) async fn export(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let contest = store::in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let standings = model::standings(store::totals(&state.db, id).await?);
    let bytes = results_xlsx(&contest, &standings).map_err(|e| AppError::Internal(e.into()))?;
    let detail = format!("导出知识竞赛“{}”成绩（{}行）", contest.title, standings.len());
    audit::record(&state.db, &Actor::user(&user), Action::Export, &format!("contest:{id}"), &detail, true)
        .await?;
    Ok(crate::web::download::xlsx("contest.xlsx", &format!("{}成绩.xlsx", contest.title), bytes))
}

fn results_xlsx(contest: &Contest, standings: &[Standing]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("成绩")?;
    let who = if contest.mode == Mode::Team { "队伍" } else { "姓名" };
    for (col, header) in ["名次", who, "得分"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header)?;
    }
    for (i, s) in standings.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, s.rank as f64)?;
        sheet.write_string(row, 1, &s.name)?;
        sheet.write_number(row, 2, s.score as f64)?;
    }
    sheet.set_column_width(1, 20)?;
    workbook.save_to_buffer()
}
