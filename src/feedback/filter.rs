//! Narrowing the organisers' feedback page by session, station and date, and paging its list, so
//! a season's feedback is read a screen at a time instead of one 12,000-pixel page.

use chrono::NaiveDate;
use serde::Deserialize;

use super::store::FeedbackRow;
use crate::org::store::Unit;
use crate::web::AppError;
use crate::web::extract::labels;
use crate::web::form::{optional_id, parse_date};

/// Feedback listed per page.
pub const PAGE_SIZE: usize = 20;

/// The filter as the form sends it (every field may be empty).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct FeedbackQuery {
    session: String,
    unit: String,
    from: String,
    to: String,
    page: String,
}

labels! {
    FeedbackQuery { session: "场次", unit: "村社", from: "起始日期", to: "截止日期", page: "页码" }
}

/// The filter, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Chosen {
    /// Only this session's feedback.
    pub session: Option<i64>,
    /// Only from members under this unit (one of the viewer's child units), by its path.
    pub unit: Option<(i64, String)>,
    /// Given on or after this day (Shanghai).
    pub from: Option<NaiveDate>,
    /// Given on or before this day (Shanghai).
    pub to: Option<NaiveDate>,
    /// 1-based page of the list.
    pub page: usize,
}

impl Chosen {
    /// Reads the query; a unit outside `units` is ignored, a bad date refused in Chinese.
    pub fn read(q: &FeedbackQuery, units: &[Unit]) -> Result<Self, AppError> {
        let date = |text: &str, field: &str| -> Result<Option<NaiveDate>, AppError> {
            if text.trim().is_empty() { Ok(None) } else { parse_date(text.trim(), field).map(Some) }
        };
        let unit = optional_id(&q.unit)
            .and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| (u.id, u.path.clone()));
        Ok(Self {
            session: optional_id(&q.session),
            unit,
            from: date(&q.from, "起始日期")?,
            to: date(&q.to, "截止日期")?,
            page: q.page.trim().parse::<usize>().ok().filter(|p| *p > 0).unwrap_or(1),
        })
    }

    /// Whether a feedback passes the filter.
    pub fn admits(&self, row: &FeedbackRow) -> bool {
        let day = row.created_at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        self.session.is_none_or(|s| s == row.session_id)
            && self.unit.as_ref().is_none_or(|(_, path)| row.unit_path.starts_with(path.as_str()))
            && self.from.is_none_or(|d| day >= d)
            && self.to.is_none_or(|d| day <= d)
    }

    /// The query string of this filter at another page ("" parts left out).
    pub fn query_at(&self, page: usize) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.session {
            parts.push(format!("session={s}"));
        }
        if let Some((id, _)) = &self.unit {
            parts.push(format!("unit={id}"));
        }
        if let Some(d) = self.from {
            parts.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            parts.push(format!("to={d}"));
        }
        parts.push(format!("page={page}"));
        parts.join("&")
    }

    /// Whether anything narrows the page.
    pub fn narrows(&self) -> bool {
        self.session.is_some() || self.unit.is_some() || self.from.is_some() || self.to.is_some()
    }
}

/// The form's choices and values as the template shows them.
pub(super) struct FilterView {
    /// Sessions that have feedback in scope: (id, title).
    pub sessions: Vec<(i64, String)>,
    /// The viewer's child units: (id, name).
    pub units: Vec<(i64, String)>,
    pub session: i64,
    pub unit: i64,
    pub from: String,
    pub to: String,
    pub narrows: bool,
    /// Page, pages, and the links to the previous and next pages ('' for none).
    pub page: usize,
    pub pages: usize,
    pub prev: String,
    pub next: String,
    /// Feedback matching the filter.
    pub matching: usize,
}

impl FilterView {
    /// The view of `chosen` over all feedback in scope (`rows`) of which `matching` pass.
    pub fn new(chosen: &Chosen, rows: &[FeedbackRow], units: &[Unit], matching: usize) -> Self {
        let mut sessions: Vec<(i64, String)> = Vec::new();
        for r in rows {
            if !sessions.iter().any(|(id, _)| *id == r.session_id) {
                sessions.push((r.session_id, r.session_title.clone()));
            }
        }
        let pages = matching.div_ceil(PAGE_SIZE).max(1);
        let page = chosen.page.min(pages);
        Self {
            sessions,
            units: units.iter().map(|u| (u.id, u.name.clone())).collect(),
            session: chosen.session.unwrap_or(0),
            unit: chosen.unit.as_ref().map(|(id, _)| *id).unwrap_or(0),
            from: chosen.from.map(|d| d.to_string()).unwrap_or_default(),
            to: chosen.to.map(|d| d.to_string()).unwrap_or_default(),
            narrows: chosen.narrows(),
            prev: if page > 1 { format!("/feedback?{}", chosen.query_at(page - 1)) } else { String::new() },
            next: if page < pages {
                format!("/feedback?{}", chosen.query_at(page + 1))
            } else {
                String::new()
            },
            page,
            pages,
            matching,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_keeps_the_filter_across_pages() {
        let chosen = Chosen {
            session: Some(3),
            unit: Some((7, "/1/7/".into())),
            from: NaiveDate::from_ymd_opt(2026, 12, 1),
            to: None,
            page: 2,
        };
        assert_eq!(chosen.query_at(3), "session=3&unit=7&from=2026-12-01&page=3");
        assert_eq!(Chosen::default().query_at(1), "page=1");
    }
}
