//! The audit log page (committee only).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

use std::collections::HashMap;

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
    // The members the entries mention by id ("党员#992"), named in one query.
    let ids: Vec<i64> =
        rows.iter().flat_map(|e| member_ids(&e.target).chain(member_ids(&e.detail))).collect();
    let names = crate::people::store::names_in_scope(&state.db, &ids, &user.scope()).await?;
    let rows: Vec<AuditEntry> = rows
        .into_iter()
        .map(|e| AuditEntry {
            target: name_members(&e.target, &names),
            detail: name_members(&e.detail, &names),
            ..e
        })
        .collect();
    let page = ListPage {
        shell: Shell::new(&user, "审计日志", "audit"),
        entries: rows.into_iter().map(EntryView::from).collect(),
        actions: Action::choices(),
        selected: action.map(Action::code).unwrap_or("").to_owned(),
        next_before,
    };
    Ok(Html(page.render()?))
}

/// How entries mention a member by id.
const MEMBER_MARK: &str = "党员#";

/// The member ids a text mentions as "党员#992".
fn member_ids(text: &str) -> impl Iterator<Item = i64> + '_ {
    text.match_indices(MEMBER_MARK).filter_map(|(at, mark)| {
        let digits: String = text[at + mark.len()..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// The text with each "党员#992" whose name is known shown as "党员张三（#992）".
fn name_members(text: &str, names: &HashMap<i64, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MEMBER_MARK) {
        let after = &rest[at + MEMBER_MARK.len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        out.push_str(&rest[..at]);
        match digits.parse::<i64>().ok().and_then(|id| names.get(&id)) {
            Some(name) => out.push_str(&format!("党员{name}（#{digits}）")),
            None => out.push_str(&format!("{MEMBER_MARK}{digits}")),
        }
        rest = &after[digits.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ids_become_names_and_unknown_ones_stay() {
        let names = HashMap::from([(992, "张三".to_owned())]);
        let text = "送学任务#5：党员#992；新增党员#7；党员#";
        assert_eq!(member_ids(text).collect::<Vec<_>>(), vec![992, 7]);
        assert_eq!(name_members(text, &names), "送学任务#5：党员张三（#992）；新增党员#7；党员#");
    }
}
