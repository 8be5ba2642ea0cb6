//! Finishing a contest: the last round with entries decides the placings (first three judged
//! entries, by the stated tie-break); each placed member earns 竞赛一等/二等/三等 points once
//! (key `speech:{contest}:{member}`), in the transaction that marks the contest finished, audited.
//! Each placed member's certificate (奖状) is a PDF made as the monthly awards make theirs.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use chrono_tz::Asia::Shanghai;

use super::{runs, visible};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::db::Db;
use crate::formats::pdf::{Certificate, certificates_pdf, shared_cjk_font};
use crate::points::{self, Award};
use crate::speech::model::{self, ContestStatus, Placed, RoundStatus};
use crate::speech::store::{self, Contest};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult};

/// The contest's final results: the last round that has entries, in order.
pub async fn final_results(db: &Db, contest_id: i64) -> Result<Vec<Placed>, sqlx::Error> {
    for round in store::rounds(db, contest_id).await?.iter().rev() {
        let tallies = store::tallies(db, round.id).await?;
        if !tallies.is_empty() {
            return Ok(model::results(tallies));
        }
    }
    Ok(Vec::new())
}

/// Finishes `contest` and pays its placings in one audited transaction; a contest already
/// finished changes nothing and pays nothing (and the keys would refuse a second payment
/// anyway). Returns how many placings were paid.
pub async fn pay_placings(db: &Db, actor: &Actor, contest: &Contest) -> Result<usize, sqlx::Error> {
    let placed = final_results(db, contest.id).await?;
    let campaign_id = crate::campaign::store::current(db).await?.map(|c| c.id);
    let mut tx = db.begin().await?;
    if store::finish(&mut tx, contest.id).await? == 0 {
        return Ok(0);
    }
    let mut paid = 0;
    for p in &placed {
        let Some(kind) = p.placing else { continue };
        let member_id = p.tally.member_id;
        let award = Award {
            member_id,
            kind,
            item_key: format!("speech:{}", contest.id),
            idempotency_key: format!("speech:{}:{member_id}", contest.id),
            at: Utc::now(),
            quantity: 1,
            reason: format!("{}（{}）", contest.title, model::placing_label(kind)),
            recorded_by: actor.user_id,
            campaign_id,
        };
        points::award(&mut tx, &award).await?;
        paid += 1;
    }
    let detail = format!("结束演讲比赛“{}”：{}名参赛，{paid}人获名次积分", contest.title, placed.len());
    audit::record_in(&mut tx, actor, Action::Speech, &format!("speech:{}", contest.id), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(paid)
}

/// `POST /speech/{id}/finish`: staff finish a contest whose rounds are all closed.
pub(in crate::speech) async fn finish(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let contest = visible(&state, &user, id).await?;
    if !runs(&user, &contest) {
        return Err(AppError::NotFound);
    }
    if contest.status == ContestStatus::Finished {
        return Err(AppError::Conflict("比赛已经结束，名次积分已发放".into()));
    }
    if store::rounds(&state.db, id).await?.iter().any(|r| r.status != RoundStatus::Closed) {
        return Err(AppError::Conflict("还有轮次未结束，请先结束所有轮次".into()));
    }
    let paid = pay_placings(&state.db, &Actor::user(&user), &contest).await?;
    Ok(redirect_with_flash(&format!("/speech/{id}"), &format!("比赛已结束，{paid}人获得名次积分")))
}

/// `GET /speech/{id}/certificates/{member_id}`: a placed member's certificate, for themself or
/// staff over the contest; anyone else, or anyone not placed, finds nothing.
pub(in crate::speech) async fn certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let contest = visible(&state, &user, id).await?;
    if contest.status != ContestStatus::Finished
        || !(runs(&user, &contest) || user.member_id == Some(member_id))
    {
        return Err(AppError::NotFound);
    }
    let placed = final_results(&state.db, id).await?;
    let (p, kind) = placed
        .iter()
        .find_map(|p| p.placing.filter(|_| p.tally.member_id == member_id).map(|k| (p, k)))
        .ok_or(AppError::NotFound)?;
    let date = contest.finished_at.unwrap_or_else(Utc::now).with_timezone(&Shanghai);
    let certificate = Certificate {
        name: p.tally.name.clone(),
        unit: p.tally.unit_name.clone(),
        month: String::new(),
        reason: p.tally.title.clone(),
        issuer: crate::awards::default_issuer(&state.db).await?,
        date: date.format("%Y年%-m月%-d日").to_string(),
        citation: Some(format!(
            "在{}中，以演讲《{}》荣获{}。",
            contest.title,
            p.tally.title,
            model::placing_label(kind)
        )),
    };
    let configured = state.config.font.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let font = shared_cjk_font(configured.as_deref())?;
        certificates_pdf(&[certificate], &font).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|message| AppError::Internal(anyhow::anyhow!(message)))?;
    let file_name = format!("speech-{id}-{member_id}.pdf");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}
