//! Coverage as an .xlsx workbook: sheet 按单位 (rate per unit) and sheet 按党员 (every audience
//! member's progress and, for those not covered, the reason and what is missing). Phone and ID
//! numbers are not written.

use axum::extract::State;
use axum::response::Response;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::pages::children_of;
use super::{CoverageReport, Reason, UnitRate};
use crate::audit::{self, Action, Actor};
use crate::auth::AdminUser;
use crate::campaign::CurrentCampaign;
use crate::state::AppState;
use crate::web::{AppError, AppResult};

const UNIT_COLUMNS: [(&str, f64); 5] =
    [("单位", 28.0), ("应参训人数", 12.0), ("已完成", 10.0), ("未完成", 10.0), ("覆盖率", 10.0)];

const MEMBER_COLUMNS: [(&str, f64); 10] = [
    ("序号", 6.0),
    ("单位", 24.0),
    ("姓名", 10.0),
    ("人员类别", 20.0),
    ("场次", 6.0),
    ("学时（小时）", 12.0),
    ("必修专题", 28.0),
    ("是否完成", 10.0),
    ("未完成原因", 12.0),
    ("还差", 40.0),
];

/// Writes the workbook: a title row, then the header, then one row per unit / member. `units`
/// is the per-unit rollup to show (with a 合计 row appended).
pub fn coverage_xlsx(title: &str, report: &CoverageReport, units: &[UnitRate]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title_format = Format::new().set_bold().set_font_size(14);
    let header = Format::new().set_bold().set_background_color("F3ECE3").set_align(FormatAlign::Center);

    let sheet = book.add_worksheet().set_name("按单位")?;
    sheet.write_string_with_format(0, 0, format!("{title} · 按单位"), &title_format)?;
    for (col, (name, width)) in UNIT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    // Numbers Excel can sum and sort: the rate a fraction shown as a percentage, hours a number.
    let percent = Format::new().set_num_format("0.0%");
    let mut row = 2;
    for u in units {
        sheet.write_string(row, 0, &u.unit_name)?;
        sheet.write_number(row, 1, u.audience as f64)?;
        sheet.write_number(row, 2, u.covered as f64)?;
        sheet.write_number(row, 3, (u.audience - u.covered) as f64)?;
        write_rate(sheet, row, u.covered, u.audience, &percent)?;
        row += 1;
    }
    let (audience, covered) = (report.audience(), report.covered());
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(row, 0, "合计", &bold)?;
    sheet.write_number_with_format(row, 1, audience as f64, &bold)?;
    sheet.write_number_with_format(row, 2, covered as f64, &bold)?;
    sheet.write_number_with_format(row, 3, (audience - covered) as f64, &bold)?;
    write_rate(sheet, row, covered, audience, &bold.clone().set_num_format("0.0%"))?;
    sheet.set_freeze_panes(2, 0)?;

    let sheet = book.add_worksheet().set_name("按党员")?;
    sheet.write_string_with_format(
        0,
        0,
        format!("{title} · 按党员（{}）", report.rule.describe()),
        &title_format,
    )?;
    for (col, (name, width)) in MEMBER_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    let hours = Format::new().set_num_format("0.0#");
    let compulsory: Vec<i64> = report.rule.compulsory_topics.clone();
    for (i, m) in report.members.iter().enumerate() {
        let row = i as u32 + 2;
        let topics = compulsory
            .iter()
            .map(|t| {
                let mark = if m.progress.topics.binary_search(t).is_ok() { "✓" } else { "✗" };
                format!("{}{mark}", report.topic_name(*t))
            })
            .collect::<Vec<_>>()
            .join("、");
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string(row, 1, &m.member.unit_name)?;
        sheet.write_string(row, 2, &m.member.name)?;
        sheet.write_string(row, 3, m.member.categories.to_string())?;
        sheet.write_number(row, 4, m.progress.sessions as f64)?;
        sheet.write_number_with_format(row, 5, m.progress.minutes as f64 / 60.0, &hours)?;
        sheet.write_string(row, 6, topics)?;
        sheet.write_string(row, 7, if m.covered { "已完成" } else { "未完成" })?;
        sheet.write_string(row, 8, Reason::labels(&m.reasons()))?;
        sheet.write_string(row, 9, report.missing(m))?;
    }
    sheet.set_freeze_panes(2, 3)?;
    book.save_to_buffer()
}

/// A rate cell: covered / audience as a number formatted "0.0%" (rounded down to per mille, as
/// the pages show it), or "—" when nobody is expected.
fn write_rate(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    covered: i64,
    audience: i64,
    format: &Format,
) -> Result<(), XlsxError> {
    if audience <= 0 {
        sheet.write_string(row, 4, "—")?;
    } else {
        sheet.write_number_with_format(
            row,
            4,
            super::rollup::permille(covered, audience) as f64 / 1000.0,
            format,
        )?;
    }
    Ok(())
}

/// `GET /coverage/export.xlsx`: the viewer's coverage as a workbook; audited.
pub(super) async fn download(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
) -> AppResult<Response> {
    let report = super::compute(&state.db, &campaign, &user.scope()).await?;
    let children = children_of(&state, user.unit_id, &user.unit_path).await?;
    let rates = report.by_unit((user.unit_id, &user.unit_name, &user.unit_path), &children);
    let title = format!("{}覆盖情况（{}）", campaign.name, user.unit_name);
    let count = report.members.len();
    let bytes = {
        let title = title.clone();
        tokio::task::spawn_blocking(move || coverage_xlsx(&title, &report, &rates))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(e.into()))?
    };
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Export,
        "冬训覆盖率",
        &format!("{}：{count}人", campaign.name),
        true,
    )
    .await?;
    Ok(crate::web::download::xlsx("coverage.xlsx", &format!("{title}.xlsx"), bytes))
}
