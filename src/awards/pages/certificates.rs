//! Certificates (奖状) of a published month as PDF: an awardee's own (from 我的), any in a
//! staff member's subtree, and all of a unit's in one file for printing. Anyone else finds
//! nothing (404), as for every id outside one's subtree.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono_tz::Asia::Shanghai;

use crate::auth::{AdminUser, CurrentUser};
use crate::awards::model::RoundStatus;
use crate::awards::store::{self, Awardee, Round};
use crate::formats::pdf::{Certificate, certificates_pdf, shared_cjk_font};
use crate::org::Scope;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::{AppError, AppResult};

async fn published(state: &AppState, id: i64) -> AppResult<Round> {
    let round = store::round(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if round.status != RoundStatus::Published {
        return Err(AppError::NotFound);
    }
    Ok(round)
}

fn certificate(round: &Round, a: &Awardee) -> Certificate {
    let date = round.published_at.map(|at| at.with_timezone(&Shanghai).format("%Y年%-m月%-d日").to_string());
    Certificate {
        name: a.name.clone(),
        unit: a.unit_name.clone(),
        month: round.month().label(),
        reason: a.reason.clone(),
        issuer: round.issuer.clone(),
        date: date.unwrap_or_default(),
        citation: None,
    }
}

async fn pdf(state: &AppState, certificates: Vec<Certificate>, file_name: String) -> AppResult<Response> {
    let configured = state.config.font.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let font = shared_cjk_font(configured.as_deref())?;
        certificates_pdf(&certificates, &font).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|message| AppError::Internal(anyhow::anyhow!(message)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /awards/{id}/certificates/{member_id}`: the awardee themself, or staff over their unit.
pub(in crate::awards) async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let round = published(&state, id).await?;
    let scope = if user.role.is_admin() {
        user.scope()
    } else if user.member_id == Some(member_id) {
        Scope::whole_tree()
    } else {
        return Err(AppError::NotFound);
    };
    let awardees = store::awardees(&state.db, id, &scope).await?;
    let awardee = awardees.iter().find(|a| a.member_id == member_id).ok_or(AppError::NotFound)?;
    pdf(&state, vec![certificate(&round, awardee)], format!("award-{}-{member_id}.pdf", round.month)).await
}

/// `GET /awards/{id}/units/{unit_id}/certificates`: all of a unit's certificates, for printing.
pub(in crate::awards) async fn unit(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path((id, unit_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let round = published(&state, id).await?;
    let certificates: Vec<Certificate> = store::awardees(&state.db, id, &user.scope())
        .await?
        .iter()
        .filter(|a| a.unit_id == unit_id)
        .map(|a| certificate(&round, a))
        .collect();
    if certificates.is_empty() {
        return Err(AppError::NotFound);
    }
    pdf(&state, certificates, format!("awards-{}-unit-{unit_id}.pdf", round.month)).await
}
