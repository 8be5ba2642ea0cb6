//! The speech contests' list and set-up form (title, rounds one a line, judges by phone, the
//! rubric), and who may see or run a contest.

pub(super) mod contest;
pub(super) mod entry;
pub(super) mod finish;
pub(super) mod video;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{self, DEFAULT_RUBRIC};
use super::store::{self, Contest, NewContest};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::form::FieldErrors;
use crate::web::{AppError, AppResult, Shell};

/// Whether `user` runs `contest`: staff whose subtree holds its unit.
pub(super) fn runs(user: &CurrentUser, contest: &Contest) -> bool {
    user.role.is_admin() && user.covers(&contest.unit_path)
}

/// The contest if `user` may see it: staff over it, anyone below its unit, its judges; else 404.
pub(super) async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Contest> {
    let contest = store::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if runs(user, &contest) || user.unit_path.starts_with(&contest.unit_path) {
        return Ok(contest);
    }
    if store::judges(&state.db, id).await?.iter().any(|(judge, _)| *judge == user.user_id) {
        return Ok(contest);
    }
    Err(AppError::NotFound)
}

/// The set-up form as typed.
#[derive(Deserialize, Clone)]
#[serde(default)]
pub(super) struct NewInput {
    title: String,
    rounds: String,
    judges: String,
    rubric: String,
}

impl Default for NewInput {
    fn default() -> Self {
        NewInput {
            title: String::new(),
            rounds: "初赛\n决赛".into(),
            judges: String::new(),
            rubric: DEFAULT_RUBRIC.into(),
        }
    }
}

labels! {
    NewInput { title: "比赛名称", rounds: "轮次", judges: "评委", rubric: "评分标准" }
}

#[derive(Template)]
#[template(path = "speech/index.html")]
struct IndexPage {
    shell: Shell,
    contests: Vec<Contest>,
    staff: bool,
    input: NewInput,
    errors: FieldErrors,
}

async fn index_page(
    state: &AppState,
    user: &CurrentUser,
    input: NewInput,
    errors: FieldErrors,
) -> AppResult<String> {
    let staff = user.role.is_admin();
    let contests = if staff {
        store::list_in_scope(&state.db, &user.scope()).await?
    } else {
        store::list_for(&state.db, &user.unit_path, user.user_id).await?
    };
    Ok(IndexPage { shell: Shell::new(user, "演讲比赛", "speech"), contests, staff, input, errors }
        .render()?)
}

/// `GET /speech`: staff see their subtree's contests and the set-up form; others, theirs.
pub(super) async fn index(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    Ok(Html(index_page(&state, &user, NewInput::default(), FieldErrors::default()).await?))
}

async fn checked(
    state: &AppState,
    user: &CurrentUser,
    input: &NewInput,
) -> AppResult<Result<NewContest, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 40 {
        errors.add("title", "比赛名称：请填写1到40字");
    }
    let rounds: Vec<String> =
        input.rounds.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    if rounds.is_empty() || rounds.len() > 5 || rounds.iter().any(|r| r.chars().count() > 20) {
        errors.add("rounds", "轮次：每行一轮（如“初赛”“决赛”），1到5轮，每轮名称不超过20字");
    }
    let phones: Vec<String> = input
        .judges
        .split(['\n', ',', '，', '、', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let found = store::accounts_by_phone(&state.db, &phones).await?;
    let missing: Vec<&str> =
        phones.iter().filter(|p| !found.iter().any(|(f, _)| f == *p)).map(String::as_str).collect();
    if phones.is_empty() || phones.len() > 20 {
        errors.add("judges", "评委：请填写1到20位评委的手机号码（须已有账号），每行一个");
    } else if !missing.is_empty() {
        errors.add("judges", format!("评委：这些手机号码没有可用账号：{}", missing.join("、")));
    }
    let rubric = match model::parse_rubric(&input.rubric) {
        Ok(items) => Some(model::rubric_text(&items)),
        Err(message) => {
            errors.add("rubric", message);
            None
        }
    };
    let (Some(rubric), true) = (rubric, errors.is_empty()) else { return Ok(Err(errors)) };
    Ok(Ok(NewContest {
        title,
        unit_id: user.unit_id,
        unit_path: user.unit_path.clone(),
        rubric,
        rounds,
        judges: found.into_iter().map(|(_, id)| id).collect(),
    }))
}

/// `POST /speech`: sets a contest up in the staff member's unit (audited).
pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
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
        "设立演讲比赛“{}”（{}，{}位评委，评分标准 {}）",
        new.title,
        new.rounds.join("、"),
        new.judges.len(),
        new.rubric
    );
    audit::record_in(&mut tx, &Actor::user(&user), Action::Speech, &format!("speech:{id}"), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/speech/{id}")).into_response())
}
