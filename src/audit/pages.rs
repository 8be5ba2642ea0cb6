//! The audit log page (committee only).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

use super::{Action, AuditEntry, recent};
use crate::auth::CommitteeUser;
use crate::state::AppState;
use crate::web::extract::{Query, labels};
use crate::web::{AppResult, Shell};

const PAGE_SIZE: i64 = 100;

#[derive(Deserialize)]
pub(super) struct Filter {
    action: Option<String>,
    before: Option<i64>,
}

labels! {
    Filter { action: "操作类型", before: "更早的记录" }
}

/// One entry as shown.
pub(super) struct EntryView {
    at: String,
    actor: String,
    ip: String,
    action: &'static str,
    target: String,
    detail: String,
    succeeded: bool,
}

impl From<AuditEntry> for EntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            at: crate::time::local_datetime(e.at),
            actor: e.actor,
            ip: e.ip,
            action: e.action.label(),
            target: e.target,
            detail: e.detail,
            succeeded: e.succeeded,
        }
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    shell: Shell,
    entries: Vec<EntryView>,
    actions: Vec<(&'static str, &'static str)>,
    selected: String,
    next_before: Option<i64>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Query(filter): Query<Filter>,
) -> AppResult<Html<String>> {
    let action = filter.action.as_deref().and_then(Action::from_code);
    let rows = recent(&state.db, action, filter.before, PAGE_SIZE).await?;
    let next_before = (rows.len() as i64 == PAGE_SIZE).then(|| rows.last().map(|r| r.id)).flatten();
    let page = ListPage {
        shell: Shell::new(&user, "审计日志", "audit"),
        entries: rows.into_iter().map(EntryView::from).collect(),
        actions: Action::choices(),
        selected: action.map(Action::code).unwrap_or("").to_owned(),
        next_before,
    };
    Ok(Html(page.render()?))
}
