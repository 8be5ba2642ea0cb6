//! The tournaments' pages: the list (with the set-up form for staff) and one tournament with its
//! bracket drawn round by round.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::model::{self, Side};
use super::resolve::{self, NewInput};
use super::store::{self, Debate, Match};
use super::{bracket, viewer_scope};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::state::AppState;
use crate::web::extract::{Form, Path};
use crate::web::form::FieldErrors;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "debate/index.html")]
struct IndexPage {
    shell: Shell,
    debates: Vec<Debate>,
    may_create: bool,
    input: NewInput,
    errors: FieldErrors,
    rule: &'static str,
}

async fn index_page(
    state: &AppState,
    user: &CurrentUser,
    input: NewInput,
    errors: FieldErrors,
) -> AppResult<String> {
    let debates =
        store::list_visible(&state.db, viewer_scope(user).as_ref(), &user.unit_path, user.user_id).await?;
    let page = IndexPage {
        shell: Shell::new(user, "辩论赛", "debates"),
        debates,
        may_create: user.role.is_admin(),
        input,
        errors,
        rule: model::BRACKET_RULE,
    };
    Ok(page.render()?)
}

/// `GET /debates`: the tournaments the user may see; staff also get the set-up form.
pub(super) async fn index(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    Ok(Html(index_page(&state, &user, NewInput::default(), FieldErrors::default()).await?))
}

/// `POST /debates`: draws a tournament's bracket (audited), or the form again with its problems.
pub(super) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    Form(input): Form<NewInput>,
) -> AppResult<Response> {
    let new = match resolve::checked(&state.db, &user, &input).await? {
        Ok(new) => new,
        Err(errors) => {
            let html = index_page(&state, &user, input, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let id = bracket::create(&mut tx, &new, Some(user.user_id)).await?;
    let detail =
        format!("设立辩论赛“{}”（{}支队伍，{}位评委）", new.title, new.teams.len(), new.judges.len());
    audit::record_in(&mut tx, &Actor::user(&user), Action::Debate, &format!("debate:{id}"), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/debates/{id}")).into_response())
}

/// One team's seat in a match as the bracket shows it.
pub(super) struct Seat {
    /// The team's name, or 待定 / 轮空.
    pub name: String,
    /// Whether this seat won.
    pub won: bool,
    /// Whether no team sits here yet.
    pub empty: bool,
}

/// One match as the bracket shows it.
pub(super) struct MatchCard {
    pub id: i64,
    pub seats: [Seat; 2],
    pub bye: bool,
    pub closed: bool,
    pub when: String,
    pub online: bool,
}

/// A round's column of the bracket.
pub(super) struct RoundColumn {
    pub name: String,
    pub matches: Vec<MatchCard>,
}

/// The matches laid out by round, each seat named as a person reads it.
pub(super) fn columns(matches: &[Match], rounds: i64) -> Vec<RoundColumn> {
    (1..=rounds)
        .map(|round| RoundColumn {
            name: model::round_name(round, rounds),
            matches: matches.iter().filter(|m| m.round == round).map(card).collect(),
        })
        .collect()
}

fn card(m: &Match) -> MatchCard {
    let seat = |side: Side, name: &str| {
        let team = m.team_on(side);
        let name = match (team, m.bye) {
            (Some(_), _) => name.to_owned(),
            (None, true) => "轮空".to_owned(),
            (None, false) => "待定".to_owned(),
        };
        Seat { name, won: team.is_some() && team == m.winner_team_id, empty: team.is_none() }
    };
    MatchCard {
        id: m.id,
        seats: [seat(Side::Affirmative, &m.affirmative_name), seat(Side::Negative, &m.negative_name)],
        bye: m.bye,
        closed: m.closed(),
        when: m.when(),
        online: m.session_id.is_some() || !m.live_url.is_empty(),
    }
}

#[derive(Template)]
#[template(path = "debate/show.html")]
struct ShowPage {
    shell: Shell,
    debate: Debate,
    columns: Vec<RoundColumn>,
    teams: Vec<(store::Team, String)>,
    judges: Vec<String>,
    rule: &'static str,
}

/// `GET /debates/{id}`: the bracket, the teams with their debaters, the judges.
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let debate = store::visible(&state.db, id, viewer_scope(&user).as_ref(), &user.unit_path, user.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let matches = store::matches(&state.db, id).await?;
    let debaters = store::debaters(&state.db, id).await?;
    let teams = store::teams(&state.db, id)
        .await?
        .into_iter()
        .map(|t| {
            let names: Vec<&str> =
                debaters.iter().filter(|d| d.team_id == t.id).map(|d| d.name.as_str()).collect();
            let names = names.join("、");
            (t, names)
        })
        .collect();
    let judges = store::judges(&state.db, id).await?.into_iter().map(|j| j.1).collect();
    let page = ShowPage {
        shell: Shell::new(&user, debate.title.clone(), "debates"),
        columns: columns(&matches, debate.rounds),
        debate,
        teams,
        judges,
        rule: model::BRACKET_RULE,
    };
    Ok(Html(page.render()?))
}
