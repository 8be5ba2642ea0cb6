//! The report workbooks: a title row, a bold header, one row per record, sensible widths.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// One report's content: sheet name, title, columns (name, width) and rows of cells.
struct Report<'a> {
    sheet: &'a str,
    title: &'a str,
    columns: &'a [(&'a str, f64)],
    rows: Vec<Vec<Cell>>,
}

/// A cell: text, or a number Excel can sum.
pub(super) enum Cell {
    Text(String),
    Number(f64),
}

fn write(report: Report<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name(report.sheet)?;
    sheet.write_string_with_format(0, 0, report.title, &Format::new().set_bold().set_font_size(14))?;
    let header = Format::new().set_bold().set_background_color("F3ECE3").set_align(FormatAlign::Center);
    for (col, (name, width)) in report.columns.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    for (r, row) in report.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 2, c as u16);
            match cell {
                Cell::Text(text) => sheet.write_string(r, c, text)?,
                Cell::Number(n) => sheet.write_number(r, c, *n)?,
            };
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save_to_buffer()
}

/// Attendance of one session: 序号, 姓名, 所在单位, 签到方式, 签到时间, 是否迟到.
pub fn attendance_xlsx(
    title: &str,
    rows: &[(String, String, String, String, bool)],
) -> Result<Vec<u8>, XlsxError> {
    let columns = [
        ("序号", 6.0),
        ("姓名", 12.0),
        ("所在单位", 24.0),
        ("签到方式", 12.0),
        ("签到时间", 18.0),
        ("迟到", 6.0),
    ];
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, (name, unit, channel, at, late))| {
            vec![
                Cell::Number((i + 1) as f64),
                Cell::Text(name.clone()),
                Cell::Text(unit.clone()),
                Cell::Text(channel.clone()),
                Cell::Text(at.clone()),
                Cell::Text(if *late { "是" } else { "" }.into()),
            ]
        })
        .collect();
    write(Report { sheet: "签到名单", title, columns: &columns, rows })
}

/// Lecturers' workload: 宣讲员, 类别, 已讲场次, 待讲场次, 听众人次.
pub fn lecturers_xlsx(title: &str, rows: &[(String, String, i64, i64, i64)]) -> Result<Vec<u8>, XlsxError> {
    let columns =
        [("宣讲员", 16.0), ("类别", 18.0), ("已讲场次", 10.0), ("待讲场次", 10.0), ("听众人次", 10.0)];
    let rows = rows
        .iter()
        .map(|(name, kind, held, upcoming, heard)| {
            vec![
                Cell::Text(name.clone()),
                Cell::Text(kind.clone()),
                Cell::Number(*held as f64),
                Cell::Number(*upcoming as f64),
                Cell::Number(*heard as f64),
            ]
        })
        .collect();
    write(Report { sheet: "宣讲员工作量", title, columns: &columns, rows })
}

/// Door-to-door visits: 党员, 所在单位, 走访人, 日期, 时长（分钟）, 学习内容, 送达书籍, 确认人, 党员的话.
pub fn visits_xlsx(title: &str, rows: &[[String; 9]]) -> Result<Vec<u8>, XlsxError> {
    let columns = [
        ("党员", 10.0),
        ("所在单位", 22.0),
        ("走访人", 12.0),
        ("日期", 12.0),
        ("时长（分钟）", 12.0),
        ("学习内容", 30.0),
        ("送达书籍", 26.0),
        ("确认人", 16.0),
        ("党员的话", 30.0),
    ];
    let rows = rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(
                    |(i, v)| {
                        if i == 4 { Cell::Number(v.parse().unwrap_or(0.0)) } else { Cell::Text(v.clone()) }
                    },
                )
                .collect()
        })
        .collect();
    write(Report { sheet: "送学上门", title, columns: &columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::table::{Cell as TableCell, read_table};

    #[test]
    fn workbooks_read_back_with_title_header_and_rows() {
        let bytes = attendance_xlsx(
            "书记开讲第一课 签到名单",
            &[("张三".into(), "甲村第一支部".into(), "扫码签到".into(), "2021-01-10 09:01".into(), true)],
        )
        .unwrap();
        let table = read_table("a.xlsx", &bytes).unwrap();
        assert_eq!(table.rows[1].cells[1], TableCell::Text("姓名".into()));
        assert_eq!(table.rows[2].cells[1], TableCell::Text("张三".into()));
        assert_eq!(table.rows[2].cells[5], TableCell::Text("是".into()));
        let bytes = lecturers_xlsx("工作量", &[("周老师".into(), "党校教师".into(), 3, 2, 120)]).unwrap();
        let table = read_table("l.xlsx", &bytes).unwrap();
        assert_eq!(table.rows[2].cells[4], TableCell::Number(120.0));
    }
}
