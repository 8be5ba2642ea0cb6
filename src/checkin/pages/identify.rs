//! Who is checking in or studying online: the logged-in member, or a visitor's name and phone
//! matched to one member of the session's audience — answered alike for every kind of stranger.

use crate::auth::CurrentUser;
use crate::campaign::store as campaigns;
use crate::people::model::{Phone, normalize_name};
use crate::people::store as member_store;
use crate::schedule::store::sessions::TrainingSession;
use crate::state::AppState;
use crate::web::{AppError, AppResult};

/// What a stranger is told whatever the reason (no such member, a member of another audience, a
/// name that does not go with the phone): the answer must not tell who is a member.
const NOT_RECOGNISED: &str = "没有找到与姓名和手机号都相符的本场参学党员，请核对后重试，或请工作人员代为签到";

/// Finds who is studying `session`: the logged-in member, or the one member of the session's
/// audience with this name and phone. Someone not recognised is an [`AppError::BadRequest`] for
/// the page to show above the form, the same for every reason. Guessing budgets are the
/// caller's: spend one ([`crate::checkin::limits::GuessLimiter::spend`]) before calling this
/// for a visitor who is not a logged-in member.
pub async fn identify(
    state: &AppState,
    user: Option<&CurrentUser>,
    session: &TrainingSession,
    name: &str,
    phone: &str,
) -> AppResult<i64> {
    if let Some(member_id) = user.and_then(|u| u.member_id) {
        return Ok(member_id);
    }
    let Ok(phone) = Phone::parse(phone) else {
        return Err(AppError::BadRequest("请填写正确的11位手机号码".into()));
    };
    // By the phone index, then the name compared here: a family sharing one phone is told apart
    // by name, and nothing scans the members table.
    let name = normalize_name(name);
    let found = member_store::active_by_phone(&state.db, phone.as_str()).await?;
    let matches: Vec<i64> =
        found.into_iter().filter(|(_, n)| normalize_name(n) == name).map(|(id, _)| id).collect();
    let [member_id] = matches.as_slice() else {
        return Err(AppError::BadRequest(NOT_RECOGNISED.into()));
    };
    let campaign = campaigns::by_id(&state.db, session.campaign_id).await?.ok_or(AppError::NotFound)?;
    if !crate::campaign::audience::session_admits(&state.db, &campaign, &session.audience_path, *member_id)
        .await?
    {
        return Err(AppError::BadRequest(NOT_RECOGNISED.into()));
    }
    Ok(*member_id)
}
