//! Volunteer hours: 我参加了 (anyone with an account, on an activity of their station), staff
//! adding someone without an account, and staff's review (approve, correct, reject) with the
//! member's 志愿服务 points in the same transaction.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::detail::{Typed, refused};
use super::{station_scope, visible};
use crate::activities::model::{HoursStatus, Review, hours_text, parse_hours};
use crate::activities::store;
use crate::activities::volunteers::{self, Hours, Reported, Reviewed, Volunteer};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::org::store as org_store;
use crate::people::phone::Phone;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// `POST /activities/{id}/hours`: 我参加了 — the user's own hours (e.g. 2.5 → 150 minutes),
/// waiting for review; a change before review replaces the report, after review it is refused.
pub(in crate::activities) async fn report_hours(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(typed): Form<Typed>,
) -> AppResult<Response> {
    let a = visible(&state, &user, id).await?;
    let minutes = match parse_hours(&typed.hours) {
        Ok(minutes) => minutes,
        Err(reason) => {
            let mut errors = FieldErrors::default();
            errors.add("hours", reason);
            return refused(&state, &user, a, typed, errors).await;
        }
    };
    let volunteer = Volunteer {
        identity: format!("user:{}", user.user_id),
        user_id: Some(user.user_id),
        member_id: user.member_id,
        name: user.name.clone(),
        unit_id: user.unit_id,
    };
    let mut tx = state.db.begin().await?;
    let here = format!("/activities/{id}");
    match volunteers::report(&mut tx, id, &volunteer, minutes, user.user_id).await? {
        Reported::Stored(_) => {
            tx.commit().await?;
            Ok(redirect_with_flash(&here, &format!("已提交{}小时，等待村社管理员审核", hours_text(minutes))))
        }
        Reported::AlreadyReviewed => {
            let mut errors = FieldErrors::default();
            errors.add("hours", "您的时长已审核，不能再修改；如有出入请联系村社管理员");
            refused(&state, &user, a, typed, errors).await
        }
    }
}

/// `POST /activities/{id}/volunteers`: staff add a volunteer without an account by name, phone
/// and unit (in their subtree), with hours waiting for review. A phone that logs in is that
/// account's report; a Party member in scope with that phone and name is linked. Audited.
pub(in crate::activities) async fn add_volunteer(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(typed): Form<Typed>,
) -> AppResult<Response> {
    let a = store::get(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let name = typed.name.trim().to_owned();
    if !(2..=20).contains(&name.chars().count()) {
        errors.add("name", "姓名应为2到20个字");
    }
    let phone = Phone::parse(&typed.phone).map_err(|e| errors.add("phone", format!("手机号码：{e}"))).ok();
    let unit = match crate::web::form::optional_id(&typed.unit_id) {
        Some(unit_id) => org_store::unit_in_scope(&state.db, unit_id, &user.scope()).await?,
        None => None,
    };
    if unit.is_none() {
        errors.add("unit_id", "请选择您管辖范围内的单位");
    }
    let minutes = parse_hours(&typed.hours).map_err(|e| errors.add("hours", e)).ok();
    let (true, Some(phone), Some(unit), Some(minutes)) = (errors.is_empty(), phone, unit, minutes) else {
        return refused(&state, &user, a, typed, errors).await;
    };
    // Someone with an account is one person whichever way their hours come in; a Party member
    // in scope found by phone and name earns points for them.
    let (user_id, member_id) = volunteers::identify(&state.db, phone.as_str(), &name, &user.scope()).await?;
    let volunteer = Volunteer {
        identity: user_id.map_or_else(|| format!("phone:{}", phone.as_str()), |id| format!("user:{id}")),
        user_id,
        member_id,
        name: name.clone(),
        unit_id: unit.id,
    };
    let mut tx = state.db.begin().await?;
    if let Reported::AlreadyReviewed =
        volunteers::report(&mut tx, id, &volunteer, minutes, user.user_id).await?
    {
        errors.add("name", "此人在本活动的时长已审核，请在下方名单中更正");
        return refused(&state, &user, a, typed, errors).await;
    }
    let detail =
        format!("{}：代报{name}（{}，{}）{}小时", a.title, phone.masked(), unit.name, hours_text(minutes));
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Activity,
        &format!("activity:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/activities/{id}"), &format!("已添加志愿者{name}，请审核其时长")))
}

/// The review form.
#[derive(Deserialize, Default)]
pub(in crate::activities) struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    note: String,
}

labels! {
    ReviewForm { decision: "审核结果", hours: "更正时长", note: "说明" }
}

/// `POST /activities/hours/{id}/review`: approve, correct (with a note) or reject a volunteer's
/// hours on an activity in the admin's subtree, with the member's points, audited — all in one
/// transaction. Approved hours may be corrected or rejected later: the points follow.
pub(in crate::activities) async fn review(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let (hours, held_on, campaign_id) =
        volunteers::get(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let here = format!("/activities/{}", hours.activity_id);
    let decision = match Review::read(&form.decision, &form.hours, &form.note) {
        Ok(decision) => decision,
        Err(reason) => {
            let a =
                store::get(&state.db, hours.activity_id, &user.scope()).await?.ok_or(AppError::NotFound)?;
            let mut errors = FieldErrors::default();
            errors.add(format!("review_{id}"), format!("{}：{reason}", hours.name));
            return refused(&state, &user, a, Typed::default(), errors).await;
        }
    };
    let actor = Actor::user(&user);
    let mut tx = state.db.begin().await?;
    if volunteers::review(&mut tx, (&hours, held_on, campaign_id), decision, &form.note, &actor).await?
        == Reviewed::Unchanged
    {
        return Ok(redirect_with_flash(&here, &format!("{}的时长已是这个结果，未重复处理", hours.name)));
    }
    let (status, approved) = decision.outcome(hours.minutes_reported);
    let result = match approved {
        Some(m) => format!("{}{}小时", status.label(), hours_text(m)),
        None => status.label().to_owned(),
    };
    let detail = format!(
        "志愿时长#{id} {}：报{}小时 → {result}{}",
        hours.name,
        hours.reported_text(),
        if form.note.trim().is_empty() { String::new() } else { format!("（{}）", form.note.trim()) }
    );
    audit::record_in(
        &mut tx,
        &actor,
        Action::Activity,
        &format!("activity:{}", hours.activity_id),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&here, &format!("{}：{result}", hours.name)))
}

/// One activity the user may report on.
struct Open {
    id: i64,
    title: String,
    unit: String,
    held_on: NaiveDate,
}

#[derive(Template)]
#[template(path = "activities/mine.html")]
struct MinePage {
    shell: Shell,
    open: Vec<Open>,
    reports: Vec<(Hours, String, NaiveDate)>,
    total: String,
}

impl MinePage {
    fn status_class(&self, status: &HoursStatus) -> &'static str {
        match status {
            HoursStatus::Reported => "warn",
            HoursStatus::Approved => "ok",
            HoursStatus::Rejected => "bad",
        }
    }
}

/// `GET /activities/mine` (报志愿时长): the station's activities of the last 30 days to report
/// hours on, and the user's own reports with their status.
pub(in crate::activities) async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    let today = crate::time::today();
    let recent =
        store::list(&state.db, &station_scope(&user), None, (today - Duration::days(30), today)).await?;
    let reports = volunteers::of_user(&state.db, user.user_id).await?;
    let approved: i64 = reports
        .iter()
        .filter_map(|(h, _, _)| h.minutes_approved.filter(|_| h.status == HoursStatus::Approved))
        .sum();
    let page = MinePage {
        shell: Shell::new(&user, "报志愿时长", "home"),
        open: recent
            .into_iter()
            .map(|a| Open { id: a.id, title: a.title, unit: a.unit_name, held_on: a.held_on })
            .collect(),
        reports,
        total: hours_text(approved),
    };
    Ok(Html(page.render()?))
}
