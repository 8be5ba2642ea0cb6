//! The villages side by side for the committee's 对标找差 meetings: a month's sessions held,
//! coverage so far, 冬训+ activities, volunteer hours, people served, column articles and points
//! per member, each with its movement against the month before (↑/↓ and the difference), sorted
//! by any column; and the same as .xlsx. Committee and station admins: only aggregate numbers,
//! the same kind every public brand page shows, so a station sees where it stands.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use serde::Deserialize;

use super::model::{self, Metric, Movement, Village};
use super::store;
use crate::audit::{self, Action, Actor};
use crate::auth::AdminUser;
use crate::awards::Month;
use crate::org::model::UnitKind;
use crate::state::AppState;
use crate::web::extract::{Query, labels};
use crate::web::{AppError, AppResult, Shell};

#[derive(Deserialize, Default)]
pub(super) struct CompareQuery {
    #[serde(default)]
    month: Option<String>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    order: Option<String>,
}

labels! {
    CompareQuery { month: "月份", sort: "排序", order: "顺序" }
}

/// The month asked for (this Shanghai month when none), the sort column and whether ascending.
fn read(query: &CompareQuery) -> AppResult<(Month, Option<Metric>, bool)> {
    let month = match query.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => Month::of(crate::time::today()),
        Some(text) => Month::parse(text)
            .ok_or_else(|| AppError::BadRequest(format!("月份“{text}”看不懂，请写成 2021-01 这样")))?,
    };
    let sort = match query.sort.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => {
            Some(Metric::from_code(code).ok_or_else(|| AppError::BadRequest("没有这一列可排序".into()))?)
        }
    };
    Ok((month, sort, query.order.as_deref() == Some("asc")))
}

/// The stations with their month, the month before and coverage, sorted as asked.
async fn villages(
    state: &AppState,
    month: Month,
    sort: Option<Metric>,
    ascending: bool,
) -> AppResult<Vec<Village>> {
    let db = &state.db;
    let mut now = super::figures_between(db, month.first_day(), month.last_day()).await?;
    let previous = month.previous();
    let mut before = super::figures_between(db, previous.first_day(), previous.last_day()).await?;
    let coverage = super::coverage_at_end_of(db, month).await?;
    let coverage_before = super::coverage_at_end_of(db, previous).await?;
    let mut villages: Vec<Village> = store::villages(db)
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Station)
        .map(|u| Village {
            unit_id: u.id,
            coverage: coverage.get(&u.id).copied(),
            coverage_before: coverage_before.get(&u.id).copied(),
            now: now.remove(&u.id).unwrap_or_default(),
            before: before.remove(&u.id).unwrap_or_default(),
            name: u.name,
        })
        .collect();
    if let Some(metric) = sort {
        model::sort(&mut villages, metric, ascending);
    }
    Ok(villages)
}

/// A column's header: its metric, the link that sorts by it, and the arrow when sorted by it.
struct Column {
    label: &'static str,
    href: String,
    arrow: &'static str,
}

struct Row {
    unit_id: i64,
    name: String,
    cells: Vec<(String, Movement)>,
}

#[derive(Template)]
#[template(path = "brands/compare.html")]
struct ComparePage {
    shell: Shell,
    month: String,
    month_label: String,
    previous_label: String,
    query: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
}

/// `GET /brands/compare?month=YYYY-MM&sort=…&order=asc|desc`.
pub(super) async fn page(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Query(query): Query<CompareQuery>,
) -> AppResult<Html<String>> {
    let (month, sort, ascending) = read(&query)?;
    let villages = villages(&state, month, sort, ascending).await?;
    let columns = Metric::ALL
        .iter()
        .map(|m| {
            let this = sort == Some(*m);
            // A second click on the sorted column turns the order round; a first sorts largest first.
            let order = if this && !ascending { "asc" } else { "desc" };
            Column {
                label: m.label(),
                href: format!("/brands/compare?month={month}&sort={}&order={order}", m.code()),
                arrow: match (this, ascending) {
                    (false, _) => "",
                    (true, true) => " ▲",
                    (true, false) => " ▼",
                },
            }
        })
        .collect();
    let rows = villages
        .iter()
        .map(|v| Row {
            unit_id: v.unit_id,
            name: v.name.clone(),
            cells: Metric::ALL.iter().map(|m| v.cell(*m)).collect(),
        })
        .collect();
    let query = match sort {
        Some(m) => {
            format!("month={month}&sort={}&order={}", m.code(), if ascending { "asc" } else { "desc" })
        }
        None => format!("month={month}"),
    };
    let page = ComparePage {
        shell: Shell::new(&user, "村社对标找差", "org"),
        month: month.to_string(),
        month_label: month.label(),
        previous_label: month.previous().label(),
        query,
        columns,
        rows,
    };
    Ok(Html(page.render()?))
}

/// `GET /brands/compare.xlsx`: the same table, numbers as numbers, each with 较上月.
pub(super) async fn download(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Query(query): Query<CompareQuery>,
) -> AppResult<Response> {
    let (month, sort, ascending) = read(&query)?;
    let villages = villages(&state, month, sort, ascending).await?;
    let bytes = workbook(month, &villages).map_err(|e| AppError::Internal(e.into()))?;
    let detail = format!("村社对标找差 {month}");
    audit::record(&state.db, &Actor::user(&user), Action::Export, "村社对标找差", &detail, true).await?;
    Ok(crate::web::download::xlsx("villages.xlsx", &format!("村社对标找差{month}.xlsx"), bytes))
}

/// The comparison as a workbook: 村社, then per column its value and 较上月 (coverage as a
/// fraction, its movement in the same unit).
fn workbook(month: Month, villages: &[Village]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("对标找差")?;
    let title = format!("村社对标找差 · {}（较{}）", month.label(), month.previous().label());
    sheet.write_string_with_format(0, 0, &title, &Format::new().set_bold().set_font_size(14))?;
    let header = Format::new().set_bold().set_background_color("F3ECE3").set_align(FormatAlign::Center);
    sheet.write_string_with_format(1, 0, "村社", &header)?;
    sheet.set_column_width(0, 14)?;
    let mut col = 1u16;
    for &m in Metric::ALL {
        sheet.write_string_with_format(1, col, m.label(), &header)?;
        sheet.set_column_width(col, 12)?;
        sheet.write_string_with_format(1, col + 1, "较上月", &header)?;
        col += 2;
    }
    for (r, v) in villages.iter().enumerate() {
        let r = r as u32 + 2;
        sheet.write_string(r, 0, &v.name)?;
        let mut col = 1u16;
        for &m in Metric::ALL {
            let (now, before) = v.value(m);
            // Coverage as a fraction (0.875), its movement too; hours and points in tenths.
            let scale = match m {
                Metric::Coverage => 1000.0,
                Metric::Hours | Metric::Points => 10.0,
                _ => 1.0,
            };
            match m {
                Metric::Coverage if now < 0 => sheet.write_string(r, col, "—")?,
                _ => sheet.write_number(r, col, now as f64 / scale)?,
            };
            if let Some(before) = before {
                sheet.write_number(r, col + 1, (now - before) as f64 / scale)?;
            }
            col += 2;
        }
    }
    sheet.set_freeze_panes(2, 1)?;
    book.save_to_buffer()
}
