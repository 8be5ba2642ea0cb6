//! Rankings and the ledger as .xlsx: by member (排名, 姓名, 手机号码, 所在单位, 积分), by unit
//! (排名, 单位, 人均积分, 参与率), and the whole ledger. The web download and the CLI write the
//! same workbooks; each caller audits its export before the file leaves.

use axum::extract::State;
use axum::response::Response;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::board::{self, Asked, MemberRow, UnitRow};
use super::live::LiveRanks;
use super::model::ranking_unit;
use super::pages::asked;
use super::store::{self, LedgerLine};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, Role};
use crate::campaign::audience::masked_phone;
use crate::db::Db;
use crate::points::index::{Scope, UnitOrder};
use crate::state::AppState;
use crate::web::extract::Query;
use crate::web::extract::labels;
use crate::web::{AppError, AppResult};

/// Which ranking an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One row per member.
    Member,
    /// One row per unit.
    Unit,
}

fn header(sheet: &mut Worksheet, title: &str, columns: &[(&str, f64)]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_background_color("F3ECE3").set_align(FormatAlign::Center);
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (col, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *name, &head)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

/// Members ranked; `phone` says how each number appears (full or masked).
pub fn members_xlsx(
    title: &str,
    rows: &[MemberRow],
    phone: fn(Option<&str>) -> String,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("党员排名")?;
    header(
        sheet,
        title,
        &[("排名", 8.0), ("姓名", 12.0), ("手机号码", 16.0), ("所在单位", 28.0), ("积分", 10.0)],
    )?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_number(row, 0, f64::from(r.rank))?;
        sheet.write_string(row, 1, &r.named.name)?;
        sheet.write_string(row, 2, phone(r.named.phone.as_deref()))?;
        sheet.write_string(row, 3, &r.named.unit_name)?;
        sheet.write_number(row, 4, r.points as f64)?;
    }
    book.save_to_buffer()
}

/// Units ranked: 人均积分 a number with one decimal, 参与率 a fraction shown as a percentage.
pub fn units_xlsx(title: &str, rows: &[UnitRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("单位排名")?;
    header(sheet, title, &[("排名", 8.0), ("单位", 28.0), ("人均积分", 12.0), ("参与率", 10.0)])?;
    let one_decimal = Format::new().set_num_format("0.0");
    let percent = Format::new().set_num_format("0.0%");
    for (i, u) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_number(row, 0, f64::from(u.rank))?;
        sheet.write_string(row, 1, &u.name)?;
        sheet.write_number_with_format(row, 2, (u.per_member * 10.0).round() / 10.0, &one_decimal)?;
        sheet.write_number_with_format(row, 3, u.participation, &percent)?;
    }
    book.save_to_buffer()
}

/// The ledger, one row per entry.
pub fn ledger_xlsx(title: &str, lines: &[LedgerLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("积分记录")?;
    let columns = [
        ("编号", 8.0),
        ("姓名", 12.0),
        ("手机号码", 16.0),
        ("所在单位", 28.0),
        ("事项", 14.0),
        ("积分", 8.0),
        ("日期", 12.0),
        ("记录时间", 18.0),
        ("事由", 30.0),
        ("更正", 10.0),
        ("自报", 6.0),
    ];
    header(sheet, title, &columns)?;
    for (i, e) in lines.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_number(row, 0, e.id as f64)?;
        sheet.write_string(row, 1, &e.name)?;
        sheet.write_string(row, 2, e.phone.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 3, &e.unit_name)?;
        sheet.write_string(row, 4, e.kind.label())?;
        sheet.write_number(row, 5, e.points as f64)?;
        sheet.write_string(row, 6, e.earned_on.format("%Y-%m-%d").to_string())?;
        sheet.write_string(row, 7, crate::time::local_datetime(e.at))?;
        sheet.write_string(row, 8, &e.reason)?;
        let corrects = e.corrects_entry_id.map(|id| format!("更正 #{id}")).unwrap_or_default();
        sheet.write_string(row, 9, corrects)?;
        sheet.write_string(row, 10, if e.self_declared { "自报" } else { "" })?;
    }
    book.save_to_buffer()
}

/// The workbook of one ranking over the whole sub-district (the CLI's, and the committee's):
/// its bytes, its title and its row count; `Ok(Err(message))` when the period is no longer kept.
pub async fn ranking_workbook(
    live: &LiveRanks,
    db: &Db,
    asked: Asked,
    by: By,
    scope: Scope,
    phone: fn(Option<&str>) -> String,
) -> anyhow::Result<Result<(Vec<u8>, String, usize), String>> {
    let today = crate::time::today();
    let period = asked.kind.describe(asked.date, today);
    let period = if period == asked.kind.label() && asked.kind != super::model::PeriodKind::Campaign {
        format!("{period}（{}）", asked.date)
    } else {
        period
    };
    let gone = format!("{period}的排名已不再保留（只保留最近两天的日排名和最近两周的周排名）");
    match by {
        By::Member => {
            let Some(rows) = board::members(live, db, asked, scope, usize::MAX).await? else {
                return Ok(Err(gone));
            };
            let title = format!("积分排名（{period}，按党员）");
            let bytes = members_xlsx(&title, &rows, phone)?;
            Ok(Ok((bytes, title, rows.len())))
        }
        By::Unit => {
            let Some(rows) = board::units(live, db, asked, UnitOrder::PointsPerMember).await? else {
                return Ok(Err(gone));
            };
            let title = format!("积分排名（{period}，按单位）");
            let bytes = units_xlsx(&title, &rows)?;
            Ok(Ok((bytes, title, rows.len())))
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ExportQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    by: String,
}

labels! {
    ExportQuery { period: "排名周期", date: "日期", by: "排名对象" }
}

/// `GET /rankings/export.xlsx`: staff download a ranking; a station admin's member ranking is
/// their own unit's (ranked within it); phones as the role may see them; audited.
pub(super) async fn download(
    State(state): State<AppState>,
    State(live): State<LiveRanks>,
    AdminUser(user): AdminUser,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let asked = asked(&q.period, &q.date)?;
    let by = match q.by.as_str() {
        "" | "member" => By::Member,
        "unit" => By::Unit,
        _ => return Err(AppError::BadRequest("「排名对象」只能是党员或单位".into())),
    };
    let scope = if user.role == Role::CommitteeAdmin {
        Scope::All
    } else {
        Scope::Unit(ranking_unit(&user.unit_path).ok_or(AppError::NotFound)?)
    };
    let phone: fn(Option<&str>) -> String =
        if user.role.may_unmask() { |p| p.unwrap_or("").to_owned() } else { masked_phone };
    let (bytes, title, count) =
        ranking_workbook(&live, &state.db, asked, by, scope, phone).await?.map_err(AppError::BadRequest)?;
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Export,
        "积分排名",
        &format!("{title}：{count}行"),
        true,
    )
    .await?;
    Ok(crate::web::download::xlsx("rankings.xlsx", &format!("{title}.xlsx"), bytes))
}

/// The whole ledger as a workbook (the CLI's `export points`): bytes and entry count.
pub async fn ledger_workbook(db: &Db) -> anyhow::Result<(Vec<u8>, usize)> {
    let lines = store::ledger(db).await?;
    let bytes = ledger_xlsx("积分记录（全部）", &lines)?;
    Ok((bytes, lines.len()))
}
