//! The landing page after login: counts and shortcuts for admins; for a member, their own study.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::auth::{CurrentUser, Role};
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::{AppResult, Shell};

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    shell: Shell,
    is_admin: bool,
    is_committee: bool,
    member_count: i64,
    unit_count: i64,
    account_count: i64,
    /// A member's own study in the current campaign.
    study: Option<super::my_study::MyStudy>,
}

/// The landing page after login: counts and shortcuts for admins; for a member, their own study.
pub(super) async fn home(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let scope = user.scope();
    let is_admin = user.role.is_admin();
    let (member_count, unit_count, account_count) = if is_admin {
        (
            crate::people::store::count_in_scope(&state.db, &scope).await?,
            org_store::count_in_scope(&state.db, &scope).await?,
            crate::accounts::store::count_in_scope(&state.db, &scope).await?,
        )
    } else {
        (0, 0, 0)
    };
    let study = match user.member_id {
        Some(member_id) if !is_admin => super::my_study::for_member(&state.db, &user, member_id).await?,
        _ => None,
    };
    let page = HomePage {
        shell: Shell::new(&user, "冬训", "home"),
        study,
        is_admin,
        is_committee: user.role == Role::CommitteeAdmin,
        member_count,
        unit_count,
        account_count,
    };
    Ok(Html(page.render()?))
}
