//! Joining from a phone: the six-digit code (guessable, so every try spends the check-in guessing
//! budgets per address and browser), then the logged-in member, or a guest's name and phone
//! matched to a member as at check-in (a guest not matched plays, but earns no points); in team
//! mode the village team. The phone gets a token in a cookie for that contest only, so a dropped
//! connection or a reload resumes as the same contestant.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{self, Mode, SCORE_RULE};
use super::socket::{cookie_name, token_hash};
use super::store::{self, Joining};
use crate::auth::CurrentUser;
use crate::checkin::Guesser;
use crate::org::Scope;
use crate::people::model::{Phone, normalize_name};
use crate::people::store as member_store;
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::form::FieldErrors;
use crate::web::{AppError, AppResult, Shell};

/// The teams of a contest run by the unit at `unit_path`: its units one level down, in use.
pub async fn teams(state: &AppState, unit_id: i64, unit_path: &str) -> AppResult<Vec<(i64, String)>> {
    let units = crate::org::store::active_units_in_scope(&state.db, &Scope::of_unit(unit_path)).await?;
    Ok(units.into_iter().filter(|u| u.parent_id == Some(unit_id)).map(|u| (u.id, u.name)).collect())
}

/// The join form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct JoinInput {
    code: String,
    name: String,
    phone: String,
    team: String,
}

labels! {
    JoinInput { code: "竞赛码", name: "姓名", phone: "手机号码", team: "代表队" }
}

#[derive(Template)]
#[template(path = "contest/join.html")]
struct JoinPage {
    shell: Shell,
    input: JoinInput,
    errors: FieldErrors,
    member_name: Option<String>,
    teams: Vec<(i64, String)>,
    rule: &'static str,
}

async fn join_page(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    input: JoinInput,
    errors: FieldErrors,
    teams: Vec<(i64, String)>,
) -> AppResult<Response> {
    let member_name = match user.and_then(|u| u.member_id) {
        Some(id) => member_store::by_id_in_scope(&state.db, id, &Scope::whole_tree()).await?.map(|m| m.name),
        None => None,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let shell = Shell::for_visitor(user, "知识竞赛", "home", headers);
    let page = JoinPage { shell, input, errors, member_name, teams, rule: SCORE_RULE };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

/// `GET /contest`: the join form (the QR code fills the code in).
pub(super) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Query(input): Query<JoinInput>,
) -> AppResult<Response> {
    join_page(&state, &headers, user.as_ref(), input, FieldErrors::default(), Vec::new()).await
}

/// `POST /contest`: joins, sets the phone's token, and opens the answering page.
pub(super) async fn join(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    guesser: Guesser,
    Form(input): Form<JoinInput>,
) -> AppResult<Response> {
    state.guesses.spend(&guesser)?;
    let mut errors = FieldErrors::default();
    let code = input.code.trim();
    let contest = if model::is_join_code(code) { store::by_open_code(&state.db, code).await? } else { None };
    let Some(contest) = contest else {
        errors.add("code", "竞赛码不对或竞赛已结束，请核对大屏上的6位数字");
        return join_page(&state, &headers, user.as_ref(), input, errors, Vec::new()).await;
    };
    let teams = match contest.mode {
        Mode::Team => teams(&state, contest.unit_id, &contest.unit_path).await?,
        Mode::Individual => Vec::new(),
    };
    let team = teams.iter().find(|(id, _)| id.to_string() == input.team).cloned();
    if contest.mode == Mode::Team && team.is_none() {
        errors.add("team", "请选择您代表的队伍");
    }
    let member = user.as_ref().and_then(|u| u.member_id);
    let (name, member_id) = match member {
        Some(id) => {
            let found = member_store::by_id_in_scope(&state.db, id, &Scope::whole_tree()).await?;
            (found.map(|m| m.name).unwrap_or_default(), Some(id))
        }
        None => {
            let name = input.name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 20 {
                errors.add("name", "姓名：请填写1到20字");
            }
            match Phone::parse(&input.phone) {
                Ok(phone) if !name.is_empty() => {
                    let typed = normalize_name(&name);
                    let found = member_store::active_by_phone(&state.db, phone.as_str()).await?;
                    let matched: Vec<i64> = found
                        .into_iter()
                        .filter(|(_, n)| normalize_name(n) == typed)
                        .map(|(id, _)| id)
                        .collect();
                    (name, if let [one] = matched.as_slice() { Some(*one) } else { None })
                }
                Ok(_) => (name, None),
                Err(_) => {
                    errors.add("phone", "手机号码：请填写正确的11位手机号码");
                    (name, None)
                }
            }
        }
    };
    if !errors.is_empty() {
        return join_page(&state, &headers, user.as_ref(), input, errors, teams).await;
    }
    let token = crate::web::csrf::random_token();
    let joining = Joining { name, member_id, team, token_hash: token_hash(&token) };
    let mut tx = state.db.begin().await?;
    let (entrant_id, entrant_name) = store::join(&mut tx, contest.id, &joining).await?;
    tx.commit().await?;
    state.contest_rooms.room(&state.db, &contest).await?.enroll(entrant_id, &entrant_name);
    let cookie = format!(
        "{}={token}; Path=/contest/{}; HttpOnly; SameSite=Lax; Max-Age=86400",
        cookie_name(contest.id),
        contest.id
    );
    let cookie = HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?;
    let mut response = Redirect::to(&format!("/contest/{}/play", contest.id)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Template)]
#[template(path = "contest/play.html")]
struct PlayPage {
    shell: Shell,
    contest_id: i64,
    title: String,
    name: String,
    entrant: String,
    team_mode: bool,
    rule: &'static str,
}

/// `GET /contest/{id}/play`: the answering page; without this contest's token, the join form.
pub(super) async fn play(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let token = crate::web::csrf::cookie_value(&headers, &cookie_name(id));
    let device = match token {
        Some(token) => store::device(&state.db, id, &token_hash(&token)).await?,
        None => None,
    };
    let contest = store::in_scope(&state.db, id, &Scope::whole_tree()).await?;
    let (Some(device), Some(contest)) = (device, contest) else {
        return Ok(Redirect::to("/contest").into_response());
    };
    let page = PlayPage {
        shell: Shell::for_visitor(user.as_ref(), contest.title.clone(), "home", &headers),
        contest_id: id,
        title: contest.title,
        name: device.name,
        entrant: device.entrant_name,
        team_mode: contest.mode == Mode::Team,
        rule: SCORE_RULE,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}
