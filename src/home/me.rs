//! 我的 (`/me`): a page of the user's own — for a member, their study this season and the
//! visits planned for them and their points (积分); for everyone, their account, with the password change one tap away.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::auth::{CurrentUser, Role};
use crate::state::AppState;
use crate::web::{AppResult, Shell};

#[derive(Template)]
#[template(path = "home/me.html")]
struct MePage {
    shell: Shell,
    phone_tail: String,
    is_member: bool,
    study: Option<super::my_study::MyStudy>,
    points: Option<crate::points::mine::MyPoints>,
    /// Published monthly awards (荣誉), each with its certificate.
    awards: Vec<crate::awards::MyAward>,
    member_id: i64,
    mine: Vec<crate::rankings::MyLine>,
}

/// `GET /me`.
pub(super) async fn page(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let study = match user.member_id {
        Some(member_id) => super::my_study::for_member(&state.db, &user, member_id).await?,
        None => None,
    };
    let points = match user.member_id {
        Some(member_id) => Some(crate::points::mine::for_member(&state.db, member_id).await?),
        None => None,
    };
    let awards = match user.member_id {
        Some(member_id) => crate::awards::for_member(&state.db, member_id).await?,
        None => Vec::new(),
    };
    // Points and ranks from the rank index: one lookup per period, never the ledger.
    let mine = match user.member_id {
        Some(member_id) => crate::rankings::my_lines(&state.ranks, &state.db, member_id).await?,
        None => Vec::new(),
    };
    let tail: String = user.phone.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let page = MePage {
        shell: Shell::new(&user, "我的", "me"),
        phone_tail: tail,
        is_member: user.role == Role::Member,
        study,
        points,
        awards,
        member_id: user.member_id.unwrap_or(0),
        mine,
    };
    Ok(Html(page.render()?))
}
