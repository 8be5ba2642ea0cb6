//! The landing page after login: for admins, today's sessions, the uncovered count, counts and
//! shortcuts; for volunteers and lecturers, the visits waiting for them; for a member, their own
//! study.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::day::{self, AdminDay, PendingVisit};
use crate::auth::{CurrentUser, Role};
use crate::campaign::store as campaigns;
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
    /// An admin's day: today's sessions, the uncovered count.
    day: Option<AdminDay>,
    /// A volunteer's or lecturer's door-to-door visits still to make (the first few).
    visits: Vec<PendingVisit>,
    /// How many visits are waiting in all.
    visits_total: usize,
    /// Volunteers and lecturers see the visits block (even when empty).
    visits_block: bool,
    /// A member's own study in the current campaign.
    study: Option<super::my_study::MyStudy>,
    /// A member's points and ranks (today … this campaign), from the rank index.
    mine: Vec<crate::rankings::MyLine>,
    /// A member's curated reading lists (本周学习) not yet due.
    lists: Vec<crate::library::MemberList>,
    /// The account is a member's: the daily quiz is linked.
    answers_quiz: bool,
}

/// The landing page after login.
pub(super) async fn home(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let scope = user.scope();
    let is_admin = user.role.is_admin();
    let campaign = campaigns::current(&state.db).await?;
    let (member_count, unit_count, account_count) = if is_admin {
        (
            crate::people::store::count_in_scope(&state.db, &scope).await?,
            org_store::count_in_scope(&state.db, &scope).await?,
            crate::accounts::store::count_in_scope(&state.db, &scope).await?,
        )
    } else {
        (0, 0, 0)
    };
    let day = if is_admin { Some(day::admin_day(&state, &user, campaign.as_ref()).await?) } else { None };
    let visits_block = matches!(user.role, Role::Volunteer | Role::Lecturer);
    let (visits, visits_total) = if visits_block {
        day::pending_visits(&state, &user, campaign.as_ref()).await?
    } else {
        (Vec::new(), 0)
    };
    let study = match user.member_id {
        Some(member_id) if !is_admin => super::my_study::for_member(&state.db, &user, member_id).await?,
        _ => None,
    };
    // One index look-up per period, never the ledger (as on 我的).
    let mine = match user.member_id {
        Some(member_id) if !is_admin => crate::rankings::my_lines(&state.ranks, &state.db, member_id).await?,
        _ => Vec::new(),
    };
    let lists = match user.member_id {
        Some(member_id) if !is_admin => crate::library::lists_for_member(&state.db, member_id).await?,
        _ => Vec::new(),
    };
    let page = HomePage {
        lists,
        shell: Shell::new(&user, "冬训", "home"),
        study,
        mine,
        answers_quiz: user.member_id.is_some(),
        is_admin,
        is_committee: user.role == Role::CommitteeAdmin,
        member_count,
        unit_count,
        account_count,
        day,
        visits,
        visits_total,
        visits_block,
    };
    Ok(Html(page.render()?))
}
