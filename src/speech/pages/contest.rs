//! One speech contest's page: its rubric, judges and rounds — each round's entries in the order
//! of the results (with the tie-break stated), the entry form while a round is open, and staff's
//! controls (open or close a round, finish the contest).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Redirect};
use serde::Deserialize;

use super::{runs, visible};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::speech::model::{self, ContestStatus, Placed, RoundStatus, RubricItem, TIE_BREAK};
use crate::speech::store::{self, Contest, Round};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::{AppError, AppResult, Shell};

/// The entry form as typed.
#[derive(Deserialize, Clone, Default)]
#[serde(default)]
pub(in crate::speech) struct EntryInput {
    pub round_id: String,
    pub member_phone: String,
    pub title: String,
    pub script: String,
    pub video_url: String,
}

labels! {
    EntryInput { round_id: "轮次", member_phone: "党员手机号码", title: "演讲题目", script: "演讲稿", video_url: "视频链接" }
    RoundInput { to: "轮次状态" }
}

/// A round as the page shows it.
pub(in crate::speech) struct RoundView {
    round: Round,
    results: Vec<Placed>,
    show_scores: bool,
    /// The last round with entries: its order decides the placings.
    decides: bool,
}

#[derive(Template)]
#[template(path = "speech/show.html")]
struct ShowPage {
    shell: Shell,
    contest: Contest,
    rubric: Vec<RubricItem>,
    judges: Vec<String>,
    rounds: Vec<RoundView>,
    open_rounds: Vec<(i64, String)>,
    staff: bool,
    can_enter: bool,
    finished: bool,
    /// The viewer's member id (0: none).
    me: i64,
    tie_break: &'static str,
    input: EntryInput,
    errors: FieldErrors,
}

/// Renders the contest page for `user`, keeping an entry form as typed with its problems.
pub(in crate::speech) async fn page(
    state: &AppState,
    user: &CurrentUser,
    contest: Contest,
    input: EntryInput,
    errors: FieldErrors,
) -> AppResult<String> {
    let staff = runs(user, &contest);
    let finished = contest.status == ContestStatus::Finished;
    let mut rounds = Vec::new();
    for round in store::rounds(&state.db, contest.id).await? {
        let results = model::results(store::tallies(&state.db, round.id).await?);
        let show_scores = staff || round.status == RoundStatus::Closed;
        rounds.push(RoundView { round, results, show_scores, decides: false });
    }
    if let Some(last) = rounds.iter_mut().rev().find(|r| !r.results.is_empty()) {
        last.decides = true;
    }
    let open_rounds: Vec<(i64, String)> = rounds
        .iter()
        .filter(|r| r.round.status == RoundStatus::Open && !finished)
        .map(|r| (r.round.id, r.round.name.clone()))
        .collect();
    let member_below = match user.member_id {
        Some(member) => store::member_below(&state.db, member, &contest.unit_path).await?,
        None => false,
    };
    let page = ShowPage {
        shell: Shell::new(user, contest.title.clone(), "speech"),
        rubric: model::parse_rubric(&contest.rubric).unwrap_or_default(),
        judges: store::judges(&state.db, contest.id).await?.into_iter().map(|(_, name)| name).collect(),
        can_enter: !open_rounds.is_empty() && (staff || member_below),
        open_rounds,
        rounds,
        staff,
        finished,
        me: user.member_id.unwrap_or(0),
        tie_break: TIE_BREAK,
        contest,
        input,
        errors,
    };
    Ok(page.render()?)
}

/// `GET /speech/{id}`: the contest, for staff over it, people below its unit and its judges.
pub(in crate::speech) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let contest = visible(&state, &user, id).await?;
    Ok(Html(page(&state, &user, contest, EntryInput::default(), FieldErrors::default()).await?))
}

/// Opening or closing a round.
#[derive(Deserialize)]
pub(in crate::speech) struct RoundInput {
    to: String,
}

/// `POST /speech/{id}/rounds/{round_id}`: opens a pending round or closes an open one (audited).
/// A closed round stays closed: its scores and votes are final.
pub(in crate::speech) async fn set_round(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path((id, round_id)): Path<(i64, i64)>,
    Form(input): Form<RoundInput>,
) -> AppResult<Redirect> {
    let contest = visible(&state, &user, id).await?;
    if !runs(&user, &contest) {
        return Err(AppError::NotFound);
    }
    let round =
        store::round(&state.db, round_id).await?.filter(|r| r.contest_id == id).ok_or(AppError::NotFound)?;
    let to = RoundStatus::from_code(&input.to).ok_or_else(|| AppError::BadRequest("轮次状态无效".into()))?;
    let allowed = matches!(
        (round.status, to),
        (RoundStatus::Pending, RoundStatus::Open) | (RoundStatus::Open, RoundStatus::Closed)
    );
    if contest.status == ContestStatus::Finished || !allowed {
        return Err(AppError::Conflict(format!(
            "“{}”现在{}，不能改为{}",
            round.name,
            round.status.label(),
            to.label()
        )));
    }
    let mut tx = state.db.begin().await?;
    store::set_round_status(&mut tx, round.id, to).await?;
    let verb = if to == RoundStatus::Open { "开始" } else { "结束" };
    let detail = format!("{verb}演讲比赛“{}”的{}", contest.title, round.name);
    audit::record_in(&mut tx, &Actor::user(&user), Action::Speech, &format!("speech:{id}"), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/speech/{id}")))
}
