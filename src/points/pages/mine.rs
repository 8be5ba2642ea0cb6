//! 我的积分 (`/points/me`): a member's whole ledger — day, kind, points, 自报, reasons and
//! corrections — and today's points against each capped kind.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::auth::CurrentUser;
use crate::points::ledger::{self, Line, Progress};
use crate::state::AppState;
use crate::web::{AppError, AppResult, Shell};

/// Entries shown on one page.
pub(super) const SHOWN: i64 = 300;

#[derive(Template)]
#[template(path = "points/mine.html")]
struct MinePage {
    shell: Shell,
    total: i64,
    count: i64,
    today: Vec<Progress>,
    lines: Vec<Line>,
}

/// The member's own history; an account without a member record has none.
pub(in crate::points) async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    let member_id = user.member_id.ok_or(AppError::NotFound)?;
    let (total, count) = ledger::summary(&state.db, member_id).await?;
    let page = MinePage {
        shell: Shell::new(&user, "我的积分", "me"),
        total,
        count,
        today: ledger::today(&state.db, member_id, crate::time::today()).await?,
        lines: ledger::lines(&state.db, member_id, SHOWN).await?,
    };
    Ok(Html(page.render()?))
}
