//! Printable A4 sign-in sheets (签到表) as PDF, for members who sign on paper rather than by
//! scanning a QR code; and certificates (奖状, `certificate.rs`) in the same font and shaping.
//!
//! The font is found on the machine ([`find_cjk_font`]) and subset into each PDF, so a sheet
//! stays a few kilobytes however large the font file is.

mod certificate;
mod draw;
mod fit;
mod font;
mod layout;
#[cfg(test)]
mod tests;

use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;

pub use certificate::{Certificate, MAX_CERTIFICATES, certificates_pdf};
pub use font::{FontError, FontSource, find_cjk_font, shared_cjk_font};

use draw::{Shaper, Weight, rule, shade};
use fit::{LINE_SPACING, fit_cell, fit_text, one_line};
use layout::{
    Align, CELL_PAD, COLUMNS, EM_CENTRE_ABOVE_BASELINE, FOOTER_BASELINE, HEADER_ROW_H, MARGIN_TOP, MARGIN_X,
    MIN_CELL_SIZE, MM, PAGE_H, PAGE_W, ROW_H, paginate, rows_that_fit,
};

/// What to print on a sign-in sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInSheet {
    /// The occasion, e.g. "2020–2021年度冬训 · 书记开讲第一课"; "签到表" is printed below it.
    pub title: String,
    /// Lines under the title, e.g. "时间：2020年12月7日 14:30", "地点：…", "宣讲人：…".
    pub lines: Vec<String>,
    /// The expected attendees, printed in this order and numbered from 1.
    pub rows: Vec<SignInRow>,
}

/// One expected attendee; the signature cell is left empty for the pen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInRow {
    /// The member's name.
    pub name: String,
    /// Their unit (village, community, branch).
    pub unit: String,
    /// A short note, e.g. "老党员", "流动党员".
    pub note: String,
}

/// Why a sign-in sheet could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// More rows than one print job should hold.
    #[error("签到名单太长：一次最多打印 {max} 人，请按村社或支部分开打印")]
    TooManyRows {
        /// The limit.
        max: usize,
    },
    /// More certificates than one file should hold.
    #[error("奖状太多：一次最多打印 {max} 张，请按单位分开打印")]
    TooManyCertificates {
        /// The limit.
        max: usize,
    },
    /// The PDF library failed (in practice: the font could not be embedded).
    #[error("生成 PDF 失败：{0}")]
    Render(String),
}

/// The most rows one sheet prints (about 84 pages): a session's roster is at most a few
/// hundred, and the limit keeps one request from tying up the server.
pub const MAX_ROWS: usize = 2000;

/// Renders `sheet` as an A4 PDF: title and "签到表" centred at the top of the first page, the
/// meta lines and expected head-count under it, then a ruled table 序号 | 姓名 | 所在单位 |
/// 备注 | 签名 with 10 mm rows. The table header repeats on every page, later pages carry a
/// one-line "（续）" heading, and every page is numbered "第 1 / 3 页". Empty rows fill the rest
/// of the last page so that walk-in attendees can sign too.
pub fn sign_in_sheet_pdf(sheet: &SignInSheet, font: &FontSource) -> Result<Vec<u8>, PdfError> {
    if sheet.rows.len() > MAX_ROWS {
        return Err(PdfError::TooManyRows { max: MAX_ROWS });
    }
    let shaper = Shaper::new(font).ok_or_else(|| PdfError::Render("字体无法解析".into()))?;
    let title = one_line(&sheet.title);
    let lines: Vec<String> = sheet.lines.iter().map(|l| one_line(l)).filter(|l| !l.is_empty()).collect();

    // Lay out the title blocks first: how many rows page 1 holds depends on the meta lines.
    let first_table_top = first_page_header_height(lines.len());
    let next_table_top = CONTINUED_TABLE_TOP;
    let pages = paginate(sheet.rows.len(), rows_that_fit(first_table_top), rows_that_fit(next_table_top));

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{title} 签到表").trim().to_owned())
            .language("zh-CN".into())
            .creator("dongxun".into()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Render("页面尺寸无效".into()))?;
    for (number, range) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let table_top = if number == 0 {
            draw_first_page_header(&mut surface, &shaper, &title, &lines, sheet.rows.len());
            first_table_top
        } else {
            draw_continued_header(&mut surface, &shaper, &title);
            next_table_top
        };
        let capacity =
            if number == 0 { rows_that_fit(first_table_top) } else { rows_that_fit(next_table_top) };
        // Only the last page is padded with blank rows; earlier ones are full already.
        let row_count = if number + 1 == pages.len() { capacity.max(range.len()) } else { range.len() };
        let rows: Vec<Option<(usize, &SignInRow)>> = (0..row_count)
            .map(|i| {
                let index = range.start + i;
                (i < range.len()).then(|| (index + 1, &sheet.rows[index]))
            })
            .collect();
        draw_table(&mut surface, &shaper, table_top, &rows);
        let footer = format!("第 {} / {} 页", number + 1, pages.len());
        shaper.draw_centred(&mut surface, PAGE_W / 2.0, FOOTER_BASELINE, 10.0, Weight::Regular, &footer);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Render(e.to_string()))
}

const TITLE_SIZE: f32 = 15.0;
const HEADING_SIZE: f32 = 22.0;
const META_SIZE: f32 = 11.5;
const META_LINE_H: f32 = 7.0 * MM;
/// Where the table starts on pages after the first, below the one-line "（续）" heading.
const CONTINUED_TABLE_TOP: f32 = MARGIN_TOP + 10.0 * MM;

/// Baselines of the first page's title block, top to bottom.
fn title_baseline() -> f32 {
    MARGIN_TOP + TITLE_SIZE * 0.88
}
fn heading_baseline() -> f32 {
    title_baseline() + 11.0 * MM
}
fn meta_baseline(i: usize) -> f32 {
    heading_baseline() + 10.0 * MM + i as f32 * META_LINE_H
}

/// Where the table starts on the first page, below the title, heading and meta lines. The
/// head-count shares the last meta line, or takes a line of its own when there are none.
fn first_page_header_height(meta_lines: usize) -> f32 {
    meta_baseline(meta_lines.max(1) - 1) + 5.0 * MM
}

fn draw_first_page_header(
    surface: &mut Surface<'_>,
    shaper: &Shaper<'_>,
    title: &str,
    lines: &[String],
    expected: usize,
) {
    let centre = PAGE_W / 2.0;
    let width = PAGE_W - 2.0 * MARGIN_X;
    let fitted = fit_text(title, width, TITLE_SIZE, 10.0, |t, s| shaper.measure(t, s));
    shaper.draw_centred(surface, centre, title_baseline(), fitted.size, Weight::Bold, &fitted.text);
    shaper.draw_centred(surface, centre, heading_baseline(), HEADING_SIZE, Weight::Bold, "签到表");

    // The head-count goes at the right end of the last meta line, or on a line of its own.
    let count = format!("应到 {expected} 人　实到 ______ 人");
    let count_width = shaper.measure(&count, META_SIZE);
    let right = PAGE_W - MARGIN_X;
    for (i, line) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        let room = if last { width - count_width - 6.0 * MM } else { width };
        let fitted = fit_text(line, room, META_SIZE, 8.0, |t, s| shaper.measure(t, s));
        let baseline = meta_baseline(i);
        shaper.draw(surface, MARGIN_X, baseline, fitted.size, Weight::Regular, &fitted.text);
    }
    let count_baseline = meta_baseline(lines.len().saturating_sub(1));
    shaper.draw(surface, right - count_width, count_baseline, META_SIZE, Weight::Regular, &count);
}

fn draw_continued_header(surface: &mut Surface<'_>, shaper: &Shaper<'_>, title: &str) {
    let heading = format!("{title} 签到表（续）");
    let fitted = fit_text(heading.trim(), PAGE_W - 2.0 * MARGIN_X, 12.0, 8.0, |t, s| shaper.measure(t, s));
    shaper.draw_centred(
        surface,
        PAGE_W / 2.0,
        MARGIN_TOP + 12.0 * 0.88,
        fitted.size,
        Weight::Bold,
        &fitted.text,
    );
}

/// Draws the header row and `rows` (a number and a member, or `None` for a blank row) from
/// `top` down, then rules the grid.
fn draw_table(
    surface: &mut Surface<'_>,
    shaper: &Shaper<'_>,
    top: f32,
    rows: &[Option<(usize, &SignInRow)>],
) {
    let left = MARGIN_X;
    let right = PAGE_W - MARGIN_X;
    let body_top = top + HEADER_ROW_H;
    let bottom = body_top + rows.len() as f32 * ROW_H;

    shade(surface, left, top, right - left, HEADER_ROW_H, 232);
    let mut x = left;
    for column in &COLUMNS {
        let baseline = top + HEADER_ROW_H / 2.0 + EM_CENTRE_ABOVE_BASELINE * 12.0;
        shaper.draw_centred(surface, x + column.width / 2.0, baseline, 12.0, Weight::Bold, column.label);
        x += column.width;
    }

    for (i, row) in rows.iter().enumerate() {
        let Some((number, member)) = row else {
            continue;
        };
        let row_top = body_top + i as f32 * ROW_H;
        let number = number.to_string();
        let cells =
            [number.as_str(), &one_line(&member.name), &one_line(&member.unit), &one_line(&member.note)];
        let mut x = left;
        for (column, text) in COLUMNS.iter().zip(cells) {
            let room = column.width - 2.0 * CELL_PAD;
            let cell = fit_cell(text, room, column.size, MIN_CELL_SIZE, |t, s| shaper.measure(t, s));
            // Centre the block of one or two lines on the row's middle.
            let step = LINE_SPACING * cell.size;
            let first_centre = row_top + ROW_H / 2.0 - step * (cell.lines.len() as f32 - 1.0) / 2.0;
            for (n, line) in cell.lines.iter().enumerate() {
                let baseline = first_centre + n as f32 * step + EM_CENTRE_ABOVE_BASELINE * cell.size;
                match column.align {
                    Align::Left => {
                        shaper.draw(surface, x + CELL_PAD, baseline, cell.size, Weight::Regular, line)
                    }
                    Align::Centre => shaper.draw_centred(
                        surface,
                        x + column.width / 2.0,
                        baseline,
                        cell.size,
                        Weight::Regular,
                        line,
                    ),
                }
            }
            x += column.width;
        }
    }

    // Inner rules thin, the frame and the line under the header heavier, as on printed forms.
    let mut inner = Vec::new();
    for i in 1..rows.len() {
        let y = body_top + i as f32 * ROW_H;
        inner.push((left, y, right, y));
    }
    let mut x = left;
    for column in &COLUMNS[..COLUMNS.len() - 1] {
        x += column.width;
        inner.push((x, top, x, bottom));
    }
    rule(surface, 0.5, &inner);
    rule(
        surface,
        1.0,
        &[
            (left, top, right, top),
            (left, body_top, right, body_top),
            (left, bottom, right, bottom),
            (left, top, left, bottom),
            (right, top, right, bottom),
        ],
    );
}
