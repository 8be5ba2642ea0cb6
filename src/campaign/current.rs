//! [`CurrentCampaign`]: the campaign the pages work on, as an extractor, so every handler that
//! needs one refuses with the same message when there is none. Pages that show a friendly empty
//! state instead take `Option<CurrentCampaign>`.

use std::ops::Deref;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::store::{self, Campaign};
use crate::db::Db;
use crate::web::AppError;

/// What a user reads when a page needs the current campaign and there is none.
const NO_CURRENT_CAMPAIGN: &str = "还没有正在进行的冬训计划：请街道管理员在「冬训计划」中创建并设为当前。";

/// The current campaign (the one marked current). Put it after the user extractor in a
/// handler's signature, so a visitor is sent to log in and a refused role is told so first.
#[derive(Debug, Clone)]
pub struct CurrentCampaign(pub Campaign);

impl Deref for CurrentCampaign {
    type Target = Campaign;

    fn deref(&self) -> &Campaign {
        &self.0
    }
}

impl<S> FromRequestParts<S> for CurrentCampaign
where
    S: Send + Sync,
    Db: FromRef<S>,
{
    type Rejection = AppError;

    /// Refuses with [`NO_CURRENT_CAMPAIGN`] as a conflict: the request is fine, the data is not
    /// ready for it yet.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        <Self as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
            .await?
            .ok_or_else(|| AppError::Conflict(NO_CURRENT_CAMPAIGN.into()))
    }
}

impl<S> OptionalFromRequestParts<S> for CurrentCampaign
where
    S: Send + Sync,
    Db: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<Option<Self>, AppError> {
        Ok(store::current(&Db::from_ref(state)).await?.map(CurrentCampaign))
    }
}
