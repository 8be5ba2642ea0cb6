//! Reading an offline points sheet (线下学习积分表), pure: columns 姓名, 手机号码 or 身份证号码,
//! 事项, 积分, 日期, 备注 in any order under any title rows, read as the roster reads its file
//! (`roster::parse::cells`: the same header row, header names and cell rules). Every problem of
//! every row is collected, by Excel row number, column, value and reason.

use chrono::NaiveDate;

use super::{TEXT_MAX_CHARS, Window, refuse_points};
use crate::formats::table::{Cell, Table, TableRow};
use crate::people::dates::DatePrecision;
use crate::people::model::{IdCardNumber, Phone};
use crate::points::model::Rule;
use crate::roster::parse::RowError;
use crate::roster::parse::cells::{
    HEADER_SEARCH_ROWS, header_key, header_row, read_date, read_id_card, read_name, read_phone, text_of,
};

/// A column of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// 姓名.
    Name,
    /// 手机号码.
    Phone,
    /// 身份证号码.
    IdCard,
    /// 事项.
    Item,
    /// 积分.
    Points,
    /// 日期.
    Date,
    /// 备注.
    Note,
}

impl Column {
    const ALL: [Column; 7] = [
        Column::Name,
        Column::Phone,
        Column::IdCard,
        Column::Item,
        Column::Points,
        Column::Date,
        Column::Note,
    ];

    /// Header names meaning this column; the first is its standard name.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["姓名"],
            Column::Phone => &["手机号码", "手机号", "手机", "联系电话", "联系方式", "电话"],
            Column::IdCard => &["身份证号码", "身份证号", "公民身份号码", "身份证"],
            Column::Item => &["事项", "学习事项", "学习内容", "内容", "活动", "活动内容", "项目"],
            Column::Points => &["积分", "分值", "得分", "分数"],
            Column::Date => &["日期", "学习日期", "活动日期", "时间", "学习时间"],
            Column::Note => &["备注", "说明", "原因"],
        }
    }
}

/// Where each column sits, and its header as written.
#[derive(Debug, Default, Clone)]
pub struct Columns {
    found: [Option<(usize, String)>; 7],
}

impl Columns {
    /// The header of `column` as the file writes it, or its standard name.
    pub fn header(&self, column: Column) -> &str {
        match &self.found[column as usize] {
            Some((_, text)) => text,
            None => column.aliases()[0],
        }
    }

    fn cell<'a>(&self, row: &'a TableRow, column: Column) -> &'a Cell {
        match &self.found[column as usize] {
            Some((index, _)) => row.cell(*index),
            None => &Cell::Empty,
        }
    }

    fn has(&self, column: Column) -> bool {
        self.found[column as usize].is_some()
    }
}

/// One row, checked on its own (the member is found later, against the roster).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// Excel row number.
    pub row: usize,
    /// 姓名.
    pub name: String,
    /// 手机号码, if given.
    pub phone: Option<Phone>,
    /// 身份证号码, if given.
    pub id_card: Option<IdCardNumber>,
    /// 事项.
    pub item: String,
    /// 积分.
    pub points: i64,
    /// 日期.
    pub day: NaiveDate,
    /// 备注 (may be empty).
    pub note: String,
}

/// A sheet read in one pass: its good rows and every problem.
#[derive(Debug, Clone, Default)]
pub struct ParsedSheet {
    /// Rows without problems.
    pub rows: Vec<SheetRow>,
    /// Every problem, in row order.
    pub errors: Vec<RowError>,
    /// Where the columns are.
    pub columns: Columns,
}

/// Reads the sheet; `Err` says what is wrong with its header. Points are checked against the
/// Offline rule of each row's day, days against `window`.
pub fn read_sheet(
    table: &Table,
    rules: &[Rule],
    window: &Window,
    today: NaiveDate,
) -> Result<ParsedSheet, String> {
    let Some(header_index) = header_row(table) else {
        return Err(format!("未找到表头：表格前{HEADER_SEARCH_ROWS}行中没有“姓名”列"));
    };
    let mut columns = Columns::default();
    for (index, cell) in table.rows[header_index].cells.iter().enumerate() {
        let Cell::Text(text) = cell else { continue };
        let key = header_key(text);
        if let Some(column) = Column::ALL.into_iter().find(|c| c.aliases().contains(&key.as_str()))
            && columns.found[column as usize].is_none()
        {
            columns.found[column as usize] =
                Some((index, text.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    let mut missing: Vec<&str> = [Column::Item, Column::Points, Column::Date]
        .into_iter()
        .filter(|c| !columns.has(*c))
        .map(|c| c.aliases()[0])
        .collect();
    if !columns.has(Column::Phone) && !columns.has(Column::IdCard) {
        missing.insert(0, "手机号码或身份证号码");
    }
    if !missing.is_empty() {
        return Err(format!("表头缺少以下列：{}", missing.join("、")));
    }
    let mut parsed = ParsedSheet { columns, ..ParsedSheet::default() };
    for row in &table.rows[header_index + 1..] {
        let blank = Column::ALL.iter().all(|c| parsed.columns.cell(row, *c).is_empty());
        let repeated =
            matches!(parsed.columns.cell(row, Column::Name), Cell::Text(t) if header_key(t) == "姓名");
        if blank || repeated {
            continue;
        }
        let mut reader = RowReader { row, columns: &parsed.columns, errors: Vec::new() };
        if let Some(good) = reader.read(rules, window, today) {
            parsed.rows.push(good);
        }
        parsed.errors.append(&mut reader.errors);
    }
    Ok(parsed)
}

struct RowReader<'a> {
    row: &'a TableRow,
    columns: &'a Columns,
    errors: Vec<RowError>,
}

impl RowReader<'_> {
    fn error(&mut self, column: Column, reason: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row.number,
            column: self.columns.header(column).to_owned(),
            value: self.columns.cell(self.row, column).to_text().into_owned(),
            reason: reason.into(),
        });
    }

    fn cell(&self, column: Column) -> &Cell {
        self.columns.cell(self.row, column)
    }

    fn text(&mut self, column: Column, required: bool) -> Option<String> {
        let text = text_of(self.cell(column)).trim().to_owned();
        let label = column.aliases()[0];
        if required && text.is_empty() {
            self.error(column, format!("{label}不能为空"));
            None
        } else if text.chars().count() > TEXT_MAX_CHARS {
            self.error(column, format!("{label}不能超过{TEXT_MAX_CHARS}个字"));
            None
        } else {
            Some(text)
        }
    }

    fn read(&mut self, rules: &[Rule], window: &Window, today: NaiveDate) -> Option<SheetRow> {
        let name =
            read_name(self.cell(Column::Name)).map_err(|e| self.error(Column::Name, e.reason)).ok().flatten();
        let phone =
            read_phone(self.cell(Column::Phone)).map_err(|e| self.error(Column::Phone, e.reason)).ok();
        let id_card = read_id_card(self.cell(Column::IdCard), today)
            .map_err(|e| self.error(Column::IdCard, e.reason))
            .ok();
        if self.cell(Column::Phone).is_empty() && self.cell(Column::IdCard).is_empty() {
            let column = if self.columns.has(Column::Phone) { Column::Phone } else { Column::IdCard };
            self.error(column, "手机号码和身份证号码至少填写一项");
        }
        let item = self.text(Column::Item, true);
        let note = self.text(Column::Note, false);
        let day = match read_date(self.cell(Column::Date)) {
            Ok(Some((day, DatePrecision::Day))) => match window.refuse(day) {
                None => Some(day),
                Some(reason) => {
                    self.error(Column::Date, reason);
                    None
                }
            },
            Ok(Some((_, DatePrecision::Month))) => {
                self.error(Column::Date, "请填写完整日期，如 2026-12-03");
                None
            }
            Ok(None) => {
                self.error(Column::Date, "日期不能为空");
                None
            }
            Err(e) => {
                self.error(Column::Date, e.reason);
                None
            }
        };
        let points = match whole_points(self.cell(Column::Points)) {
            Ok(points) => Some(points),
            Err(reason) => {
                self.error(Column::Points, reason);
                None
            }
        };
        if let (Some(points), Some(day)) = (points, day)
            && let Some(reason) = refuse_points(rules, day, points, 0)
        {
            self.error(Column::Points, reason);
        }
        if !self.errors.is_empty() {
            return None;
        }
        Some(SheetRow {
            row: self.row.number,
            name: name?,
            phone: phone.flatten(),
            id_card: id_card.flatten(),
            item: item?,
            points: points?,
            day: day?,
            note: note?,
        })
    }
}

/// 积分: a whole number of at least 1, typed as a number or as text.
fn whole_points(cell: &Cell) -> Result<i64, &'static str> {
    const NOT_WHOLE: &str = "积分应为正整数";
    match cell {
        Cell::Empty => Err("积分不能为空"),
        Cell::Number(n) if n.fract() == 0.0 && *n >= 1.0 && *n <= 1e6 => Ok(*n as i64),
        Cell::Text(text) => text.trim().parse::<i64>().ok().filter(|n| *n >= 1).ok_or(NOT_WHOLE),
        _ => Err(NOT_WHOLE),
    }
}

#[cfg(test)]
mod tests;
