//! Entries: a member (or staff for them) enters an open round; an entry's page plays the video
//! and shows the script; judges score it item by item from a phone (revisable until the round
//! closes); members vote for it (once, never for themselves, rate limited). All audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::contest::{EntryInput, page};
use super::{runs, visible};
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::org::Scope;
use crate::speech::model::{self, ContestStatus, MarkProblems, RoundStatus, RubricItem};
use crate::speech::store::{self, Contest, Entry, NewEntry, Round};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// `POST /speech/{id}/entries`: enters a member in an open round (themselves, or staff for a
/// member below the contest's unit by phone). A second entry in the same round is refused.
pub(in crate::speech) async fn enter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(input): Form<EntryInput>,
) -> AppResult<Response> {
    let contest = visible(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let round = match input.round_id.trim().parse::<i64>() {
        Ok(round_id) => store::round(&state.db, round_id).await?.filter(|r| r.contest_id == id),
        Err(_) => None,
    };
    let round = round.filter(|r| r.status == RoundStatus::Open && contest.status == ContestStatus::Running);
    if round.is_none() {
        errors.add("round_id", "轮次：请选择正在进行的一轮");
    }
    let phone = input.member_phone.trim();
    let member = if runs(&user, &contest) && !phone.is_empty() {
        let scope = Scope::of_unit(&contest.unit_path);
        let found = crate::people::store::id_by_phone_in_scope(&state.db, phone, &scope).await?;
        if found.is_none() {
            errors.add("member_phone", "党员手机号码：本比赛范围内没有用这个号码的党员");
        }
        found
    } else {
        match user.member_id {
            Some(m) if store::member_below(&state.db, m, &contest.unit_path).await? => Some(m),
            _ => {
                let message = if runs(&user, &contest) {
                    "党员手机号码：请填写参赛党员的手机号码"
                } else {
                    "党员手机号码：您的账号未关联本比赛范围内的党员，请工作人员代为报名"
                };
                errors.add("member_phone", message);
                None
            }
        }
    };
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 40 {
        errors.add("title", "演讲题目：请填写1到40字");
    }
    let script = input.script.trim().to_owned();
    if script.is_empty() || script.chars().count() > 5000 {
        errors.add("script", "演讲稿：请填写，不超过5000字");
    }
    let video_url = input.video_url.trim().to_owned();
    if !video_url.is_empty() && !model::video_url_ok(&video_url) {
        errors.add(
            "video_url",
            "视频链接：请填写以 http:// 或 https:// 开头的视频地址，或留空、报名后上传视频文件",
        );
    }
    let (Some(round), Some(member_id), true) = (round, member, errors.is_empty()) else {
        return refused(&state, &user, contest, input, errors).await;
    };
    let new = NewEntry { round_id: round.id, member_id, title, script, video_url };
    let mut tx = state.db.begin().await?;
    let Some(entry_id) = store::enter(&mut tx, &new, user.user_id).await? else {
        drop(tx);
        errors.add("round_id", format!("轮次：这位党员已报名{}，每轮只能报名一次", round.name));
        return refused(&state, &user, contest, input, errors).await;
    };
    let detail =
        format!("报名演讲比赛“{}”{}：《{}》（党员{member_id}）", contest.title, round.name, new.title);
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Speech,
        &format!("speech_entry:{entry_id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/speech/entries/{entry_id}"), "报名成功"))
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    contest: Contest,
    input: EntryInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let html = page(state, user, contest, input, errors).await?;
    Ok((StatusCode::BAD_REQUEST, Html(html)).into_response())
}

/// A judge's marks as typed, one field per rubric item (at most eight).
#[derive(Deserialize, Clone, Default)]
#[serde(default)]
pub(in crate::speech) struct MarksInput {
    m0: String,
    m1: String,
    m2: String,
    m3: String,
    m4: String,
    m5: String,
    m6: String,
    m7: String,
}

labels! {
    MarksInput { m0: "第1项", m1: "第2项", m2: "第3项", m3: "第4项", m4: "第5项", m5: "第6项", m6: "第7项", m7: "第8项" }
}

impl MarksInput {
    fn typed(&self) -> Vec<String> {
        [&self.m0, &self.m1, &self.m2, &self.m3, &self.m4, &self.m5, &self.m6, &self.m7]
            .into_iter()
            .cloned()
            .collect()
    }
}

/// One rubric item on the judge's form: its name, weight, field name, value and problem.
struct MarkField {
    item: RubricItem,
    field: String,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "speech/entry.html")]
struct EntryPage {
    shell: Shell,
    contest: Contest,
    round: Round,
    entry: Entry,
    inline: bool,
    votes: i64,
    open: bool,
    may_vote: bool,
    voted: bool,
    own: bool,
    judge: bool,
    marks: Vec<MarkField>,
    total: Option<i64>,
    failed: bool,
    may_upload: bool,
    max_video_mb: u64,
    upload_error: Option<String>,
}

pub(in crate::speech) struct Loaded {
    pub(in crate::speech) contest: Contest,
    pub(in crate::speech) round: Round,
    pub(in crate::speech) entry: Entry,
}

/// The entry, its round and contest, if `user` may see the contest (else 404).
pub(in crate::speech) async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Loaded> {
    let entry = store::entry(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let round = store::round(&state.db, entry.round_id).await?.ok_or(AppError::NotFound)?;
    let contest = visible(state, user, round.contest_id).await?;
    Ok(Loaded { contest, round, entry })
}

async fn is_judge(state: &AppState, contest_id: i64, user_id: i64) -> AppResult<bool> {
    Ok(store::judges(&state.db, contest_id).await?.iter().any(|(j, _)| *j == user_id))
}

async fn entry_page(
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    typed: Option<(Vec<String>, MarkProblems)>,
) -> AppResult<String> {
    entry_page_with(state, user, loaded, typed, None).await
}

/// The entry's page; `upload_error` says why a video upload was refused.
pub(in crate::speech) async fn entry_page_with(
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    typed: Option<(Vec<String>, MarkProblems)>,
    upload_error: Option<String>,
) -> AppResult<String> {
    let Loaded { contest, round, entry } = loaded;
    let open = round.status == RoundStatus::Open && contest.status == ContestStatus::Running;
    let judge = is_judge(state, contest.id, user.user_id).await?;
    let stored = store::score(&state.db, entry.id, user.user_id).await?;
    let rubric = model::parse_rubric(&contest.rubric).unwrap_or_default();
    let failed = typed.is_some();
    let (values, problems) = match typed {
        Some((values, problems)) => (values, problems),
        None => (stored.as_ref().map(|(m, _)| model::parse_marks(m)).unwrap_or_default(), Vec::new()),
    };
    let marks = rubric
        .into_iter()
        .enumerate()
        .map(|(i, item)| MarkField {
            item,
            field: format!("m{i}"),
            value: values.get(i).cloned().unwrap_or_default(),
            error: problems.iter().find(|(p, _)| *p == i).map(|(_, m)| m.clone()),
        })
        .collect();
    let tallies = store::tallies(&state.db, round.id).await?;
    let votes = tallies.iter().find(|t| t.entry_id == entry.id).map_or(0, |t| t.votes);
    let own = user.member_id == Some(entry.member_id);
    let (may_vote, voted) = match user.member_id {
        Some(m) => (
            store::member_below(&state.db, m, &contest.unit_path).await?,
            store::has_voted(&state.db, entry.id, m).await?,
        ),
        None => (false, false),
    };
    let may_upload = open && (own || runs(user, &contest));
    let page = EntryPage {
        shell: Shell::new(user, entry.title.clone(), "speech"),
        may_upload,
        max_video_mb: state.config.max_recording_bytes / (1024 * 1024),
        upload_error,
        inline: model::plays_inline(&entry.video_url),
        total: stored.map(|(_, t)| t),
        contest,
        round,
        entry,
        votes,
        open,
        may_vote,
        voted,
        own,
        judge,
        marks,
        failed,
    };
    Ok(page.render()?)
}

/// `GET /speech/entries/{id}`: the video, the script, the vote button, and a judge's form.
pub(in crate::speech) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let loaded = load(&state, &user, id).await?;
    Ok(Html(entry_page(&state, &user, loaded, None).await?))
}

/// `POST /speech/entries/{id}/score`: a judge's marks (each item 0 to its weight), stored or
/// revised while the round is open, audited with the weighted total.
pub(in crate::speech) async fn score(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(input): Form<MarksInput>,
) -> AppResult<Response> {
    let loaded = load(&state, &user, id).await?;
    if !is_judge(&state, loaded.contest.id, user.user_id).await? {
        return Err(AppError::Forbidden);
    }
    if loaded.round.status != RoundStatus::Open || loaded.contest.status != ContestStatus::Running {
        return Err(AppError::Conflict(format!("{}已结束或尚未开始，不能评分", loaded.round.name)));
    }
    let rubric = model::parse_rubric(&loaded.contest.rubric).unwrap_or_default();
    let typed = input.typed();
    let (marks, total) = match model::check_marks(&rubric, &typed) {
        Ok(checked) => checked,
        Err(problems) => {
            let html = entry_page(&state, &user, loaded, Some((typed, problems))).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let revised = store::put_score(&mut tx, id, user.user_id, &model::marks_text(&marks), total).await?;
    let verb = if revised { "修改评分" } else { "评分" };
    let detail = format!(
        "{verb}：《{}》（{}）加权总分{total}，各项 {}",
        loaded.entry.title,
        loaded.entry.name,
        model::marks_text(&marks)
    );
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Speech,
        &format!("speech_entry:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/speech/entries/{id}"), &format!("已保存评分：加权总分{total}分")))
}

/// `POST /speech/entries/{id}/vote`: one vote per member per entry, from an account linked to a
/// member below the contest's unit, never for oneself, only while the round is open. Every
/// attempt spends the account's and the address's voting budgets first.
pub(in crate::speech) async fn vote(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state.speech_votes.spend(user.user_id, &user.ip)?;
    let loaded = load(&state, &user, id).await?;
    let Some(member_id) = user.member_id else {
        return Err(AppError::Conflict("只有关联了党员信息的账号可以投票，请联系村社管理员".into()));
    };
    if !store::member_below(&state.db, member_id, &loaded.contest.unit_path).await? {
        return Err(AppError::Conflict("只有本比赛范围内的党员可以投票".into()));
    }
    if loaded.round.status != RoundStatus::Open || loaded.contest.status != ContestStatus::Running {
        return Err(AppError::Conflict(format!("{}已结束，不能再投票", loaded.round.name)));
    }
    if loaded.entry.member_id == member_id {
        return Err(AppError::Conflict("不能给自己投票".into()));
    }
    let mut tx = state.db.begin().await?;
    if !store::vote(&mut tx, id, member_id, user.user_id).await? {
        return Err(AppError::Conflict("您已为这位选手投过票，每人每轮只能给同一选手投一票".into()));
    }
    let detail = format!("投票：《{}》（{}）", loaded.entry.title, loaded.entry.name);
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Speech,
        &format!("speech_entry:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/speech/entries/{id}"), "投票成功，谢谢参与"))
}
