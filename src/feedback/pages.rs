//! Feedback pages: the attendee's short phone form, and the organisers' view of needs by unit and
//! topic with the adjustments made in answer.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::filter::{Chosen, FeedbackQuery, FilterView, PAGE_SIZE};
use super::store::{self, NewFeedback};
use super::{WANT_TAGS, member_of_ticket, tag_label};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::checkin::store as attendance;
use crate::org::store as org_store;
use crate::schedule::store::sessions::{self, TrainingSession};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Deserialize)]
pub(super) struct TicketQuery {
    #[serde(default)]
    k: String,
}

/// A member's feedback on a session.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct FeedbackForm {
    k: String,
    rating: String,
    helped: String,
    /// The ticked wants (a check box list).
    tag: Vec<String>,
    wants_text: String,
}

/// A programme adjustment and the feedback that caused it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AdjustForm {
    description: String,
    feedback_id: Vec<i64>,
}

labels! {
    TicketQuery { k: "签到凭证" }
    FeedbackForm { k: "签到凭证", rating: "打分", helped: "最有收获的是什么", tag: "还想学什么", wants_text: "还想学的内容" }
    AdjustForm { description: "做了什么调整", feedback_id: "促成调整的反馈" }
}

/// The attendee: a logged-in member, or the member a check-in ticket names; they must have
/// attended the session.
async fn attendee(
    state: &AppState,
    user: Option<&CurrentUser>,
    session: &TrainingSession,
    ticket: &str,
) -> AppResult<i64> {
    let member_id = user
        .and_then(|u| u.member_id)
        .or_else(|| member_of_ticket(&session.secret, ticket))
        .ok_or_else(|| AppError::BadRequest("请从签到成功页面进入评价，或登录后再评价".into()))?;
    let attended =
        attendance::for_session(&state.db, session.id).await?.iter().any(|a| a.member_id == member_id);
    if !attended {
        return Err(AppError::BadRequest("签到后才能评价本场".into()));
    }
    Ok(member_id)
}

#[derive(Template)]
#[template(path = "feedback/form.html")]
struct FormPage {
    shell: Shell,
    session: TrainingSession,
    ticket: String,
    /// The lecture is still to come or under way: suggest coming back after it.
    early: bool,
    tags: Vec<(&'static str, &'static str)>,
    stars: Vec<(i64, String)>,
}

pub(super) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<TicketQuery>,
) -> AppResult<Html<String>> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    attendee(&state, user.as_ref(), &session, &q.k).await?;
    let page = FormPage {
        shell: Shell::for_visitor(user.as_ref(), "课后评一评", "home", &headers),
        early: chrono::Utc::now() < session.ends_at,
        session,
        ticket: q.k,
        tags: WANT_TAGS.to_vec(),
        stars: (1..=5).rev().map(|n| (n, "★".repeat(n as usize))).collect(),
    };
    Ok(Html(page.render()?))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<FeedbackForm>,
) -> AppResult<Response> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let member_id = attendee(&state, user.as_ref(), &session, form.k.trim()).await?;
    let rating: i64 = form
        .rating
        .trim()
        .parse()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| AppError::BadRequest("请为本场打分（1到5颗星）".into()))?;
    let tags: Vec<&str> = form.tag.iter().map(String::as_str).filter(|t| tag_label(t).is_some()).collect();
    let limit = |text: String, label: &str| -> AppResult<String> {
        if text.chars().count() > 500 {
            return Err(AppError::BadRequest(format!("{label}不能超过500字")));
        }
        Ok(text)
    };
    let feedback = NewFeedback {
        session_id: session.id,
        member_id,
        rating,
        helped: limit(form.helped.trim().to_owned(), "收获")?,
        wants_tags: tags.join(","),
        wants_text: limit(form.wants_text.trim().to_owned(), "希望学习的内容")?,
    };
    let mut tx = state.db.begin().await?;
    let stored = store::submit(&mut tx, &feedback).await?;
    tx.commit().await?;
    let page = ThanksPage {
        shell: Shell::for_visitor(user.as_ref(), "谢谢您的评价", "home", &headers),
        message: if stored {
            "谢谢您的评价！我们会据此调整冬训安排。"
        } else {
            "您已评价过本场，谢谢！"
        },
    };
    let status = if stored { StatusCode::OK } else { StatusCode::CONFLICT };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "feedback/thanks.html")]
struct ThanksPage {
    shell: Shell,
    message: &'static str,
}

/// Needs of one unit: how often each tag was asked for, and the average rating.
struct UnitNeeds {
    unit: String,
    responses: usize,
    average: String,
    tags: Vec<(&'static str, usize)>,
}

/// One feedback as listed for organisers.
struct FeedbackItem {
    id: i64,
    session: String,
    unit: String,
    rating: i64,
    tags: String,
    text: String,
    helped: String,
}

#[derive(Template)]
#[template(path = "feedback/overview.html")]
struct OverviewPage {
    shell: Shell,
    needs: Vec<UnitNeeds>,
    top_tags: Vec<(&'static str, usize)>,
    items: Vec<FeedbackItem>,
    adjustments: Vec<(String, String, Vec<String>)>,
    filter: FilterView,
}

/// The station (or the viewer's child unit) a member's unit path rolls up to.
fn rollup_key(unit_path: &str, viewer_path: &str) -> String {
    let rest = unit_path.strip_prefix(viewer_path).unwrap_or(unit_path);
    match rest.split('/').next() {
        Some(first) if !first.is_empty() => format!("{viewer_path}{first}/"),
        _ => viewer_path.to_owned(),
    }
}

pub(super) async fn overview(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Query(q): Query<FeedbackQuery>,
) -> AppResult<Html<String>> {
    let in_scope = store::in_scope(&state.db, campaign.id, &user.scope()).await?;
    let units = org_store::units_in_scope(&state.db, &user.scope()).await?;
    let children: Vec<_> = units.iter().filter(|u| u.parent_id == Some(user.unit_id)).cloned().collect();
    let chosen = Chosen::read(&q, &children)?;
    let rows: Vec<store::FeedbackRow> = in_scope.iter().filter(|r| chosen.admits(r)).cloned().collect();
    let filter = FilterView::new(&chosen, &in_scope, &children, rows.len());
    let name_of = |path: &str| {
        units
            .iter()
            .find(|u| u.path == path)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| user.unit_name.clone())
    };
    let mut by_unit: BTreeMap<String, Vec<&store::FeedbackRow>> = BTreeMap::new();
    for row in &rows {
        by_unit.entry(rollup_key(&row.unit_path, &user.unit_path)).or_default().push(row);
    }
    let count_tags = |rows: &[&store::FeedbackRow]| -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = WANT_TAGS
            .iter()
            .map(|(code, label)| {
                (*label, rows.iter().filter(|r| r.wants_tags.split(',').any(|t| t == *code)).count())
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        counts
    };
    let needs = by_unit
        .iter()
        .map(|(path, rows)| UnitNeeds {
            unit: name_of(path),
            responses: rows.len(),
            average: format!("{:.1}", rows.iter().map(|r| r.rating as f64).sum::<f64>() / rows.len() as f64),
            tags: count_tags(rows),
        })
        .collect();
    let all: Vec<&store::FeedbackRow> = rows.iter().collect();
    let labels = |tags: &str| tags.split(',').filter_map(tag_label).collect::<Vec<_>>().join("、");
    let items = rows
        .iter()
        .skip((filter.page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|r| FeedbackItem {
            id: r.id,
            session: r.session_title.clone(),
            unit: r.unit_name.clone(),
            rating: r.rating,
            tags: labels(&r.wants_tags),
            text: r.wants_text.clone(),
            helped: r.helped.clone(),
        })
        .collect();
    // The viewer's scope: an adjustment is shown only when every feedback it answers is the
    // viewer's to see (an adjustment always answers some), so one village does not read what
    // another changed, nor about another's feedback.
    let adjustments = store::adjustments(&state.db, campaign.id)
        .await?
        .into_iter()
        .filter(|a| {
            !a.feedback_ids.is_empty() && a.feedback_ids.iter().all(|id| in_scope.iter().any(|r| r.id == *id))
        })
        .map(|a| {
            let because = a
                .feedback_ids
                .iter()
                .filter_map(|id| in_scope.iter().find(|r| r.id == *id))
                .map(|r| {
                    format!(
                        "{}：{}{}",
                        r.unit_name,
                        labels(&r.wants_tags),
                        if r.wants_text.is_empty() {
                            String::new()
                        } else {
                            format!(" “{}”", r.wants_text)
                        }
                    )
                })
                .collect();
            (crate::time::local_datetime(a.created_at), a.description, because)
        })
        .collect();
    let page = OverviewPage {
        shell: Shell::new(&user, "课后反馈", "feedback"),
        needs,
        top_tags: count_tags(&all),
        items,
        adjustments,
        filter,
    };
    Ok(Html(page.render()?))
}

/// Records a programme adjustment linked to the feedback that caused it.
pub(super) async fn adjust(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Form(form): Form<AdjustForm>,
) -> AppResult<Response> {
    let description = form.description.trim().to_owned();
    if !(4..=500).contains(&description.chars().count()) {
        return Err(AppError::BadRequest("请写明做了什么调整（4到500字）".into()));
    }
    let visible: Vec<i64> =
        store::in_scope(&state.db, campaign.id, &user.scope()).await?.into_iter().map(|r| r.id).collect();
    let linked = form.feedback_id;
    if linked.is_empty() {
        return Err(AppError::BadRequest("请勾选促成这项调整的反馈".into()));
    }
    if linked.iter().any(|id| !visible.contains(id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    store::adjust(&mut tx, campaign.id, &description, &linked, user.user_id).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::CampaignEdit,
        &campaign.name,
        &format!("调整：{description}"),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/feedback", "调整已记录"))
}

#[cfg(test)]
mod tests {
    use super::rollup_key;

    #[test]
    fn feedback_rolls_up_to_the_viewers_child_units() {
        assert_eq!(rollup_key("/1/3/17/", "/1/"), "/1/3/");
        assert_eq!(rollup_key("/1/3/", "/1/"), "/1/3/");
        assert_eq!(rollup_key("/1/3/17/", "/1/3/"), "/1/3/17/");
        assert_eq!(rollup_key("/1/", "/1/"), "/1/");
    }
}
