//! Finding the header row of a roster and mapping its columns.

use crate::formats::table::{Cell, Table, TableRow};
use crate::people::text::normalize_text;
use crate::roster::parse::RosterRejection;

/// How many non-empty rows may precede and include the header (a title,
/// a subtitle, a "填表说明" line or two).
const HEADER_SEARCH_ROWS: usize = 10;

/// A roster field that a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Name,
    Gender,
    BirthDate,
    Phone,
    IdCard,
    Unit,
    JoinedParty,
    Categories,
    Status,
}

impl Field {
    const ALL: [Field; 9] = [
        Field::Name,
        Field::Gender,
        Field::BirthDate,
        Field::Phone,
        Field::IdCard,
        Field::Unit,
        Field::JoinedParty,
        Field::Categories,
        Field::Status,
    ];

    /// Header texts (as [`header_key`] leaves them) that mean this field;
    /// the first is the name used when the file has no such column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["姓名"],
            Field::Gender => &["性别"],
            Field::BirthDate => &["出生日期", "出生年月", "出生年月日"],
            Field::Phone => &["手机号码", "手机号", "手机", "联系电话", "联系方式", "电话"],
            Field::IdCard => &["身份证号", "身份证号码", "公民身份号码", "身份证"],
            Field::Unit => &["所在单位", "所在支部", "所在党支部", "单位", "支部", "党支部"],
            Field::JoinedParty => &["入党时间", "入党日期", "入党年月"],
            Field::Categories => &["人员类别", "类别", "党员类别"],
            Field::Status => &["状态", "党员状态"],
        }
    }

    fn from_header(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.aliases().contains(&key))
    }
}

/// Where each field sits in the file and how its header is written there.
#[derive(Debug, Default)]
pub(super) struct Columns {
    found: [Option<(usize, String)>; Field::ALL.len()],
}

impl Columns {
    /// The column index of `field`, if the file has it.
    pub(super) fn position(&self, field: Field) -> Option<usize> {
        self.found[field as usize].as_ref().map(|(index, _)| *index)
    }

    /// The header as written in the file, or the standard name.
    pub(super) fn header(&self, field: Field) -> &str {
        match &self.found[field as usize] {
            Some((_, text)) => text,
            None => field.aliases()[0],
        }
    }

    /// The cell of `field` in `row` (empty when the column is missing).
    pub(super) fn cell<'a>(&self, row: &'a TableRow, field: Field) -> &'a Cell {
        match self.position(field) {
            Some(index) => row.cell(index),
            None => &Cell::Empty,
        }
    }

    /// True when every mapped column is empty in `row`: pre-numbered
    /// template rows and notes in unmapped columns are not members.
    pub(super) fn row_is_blank(&self, row: &TableRow) -> bool {
        Field::ALL.iter().all(|&f| self.cell(row, f).is_empty())
    }

    /// True when `row` repeats the header (printed rosters repeat it on
    /// every page, and people paste such pages together).
    pub(super) fn is_repeated_header(&self, row: &TableRow) -> bool {
        matches!(self.cell(row, Field::Name), Cell::Text(text) if header_key(text) == "姓名")
    }

    fn record(&mut self, field: Field, index: usize, raw: &str) {
        // The first column wins when two mean the same thing.
        let slot = &mut self.found[field as usize];
        if slot.is_none() {
            let shown = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            *slot = Some((index, shown));
        }
    }
}

/// Finds the header row: the first of the first few rows with a 姓名 cell.
/// Returns its index in `table.rows` and the column map.
pub(super) fn find_header(
    table: &Table,
    has_default_unit: bool,
) -> Result<(usize, Columns), RosterRejection> {
    let position = table
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| row.cells.iter().any(|c| cell_header_key(c) == "姓名"));
    let Some(position) = position else {
        return Err(no_header(format!("未找到表头：表格前{HEADER_SEARCH_ROWS}行中没有“姓名”列")));
    };
    let columns = map_columns(&table.rows[position]);
    if columns.position(Field::Phone).is_none() && columns.position(Field::IdCard).is_none() {
        return Err(no_header("缺少“手机号码”或“身份证号”列，至少需要其中一列"));
    }
    if columns.position(Field::Unit).is_none() && !has_default_unit {
        return Err(no_header("缺少“所在单位”列：请在表中加上该列，或在导入时选择所在单位"));
    }
    Ok((position, columns))
}

fn map_columns(header: &TableRow) -> Columns {
    let mut columns = Columns::default();
    for (index, cell) in header.cells.iter().enumerate() {
        if let Some(field) = Field::from_header(&cell_header_key(cell)) {
            columns.record(field, index, &cell.to_text());
        }
    }
    columns
}

fn cell_header_key(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => header_key(text),
        _ => String::new(),
    }
}

/// Reduces a header cell to its bare name: normalised, without spaces or
/// asterisks, and without parenthesised notes such as "（必填）" or
/// "(格式：2021-03-02)".
pub(super) fn header_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    let mut depth = 0usize;
    for ch in normalize_text(text).chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ' ' | '*' => {}
            _ if depth == 0 => key.push(ch),
            _ => {}
        }
    }
    key
}

fn no_header(reason: impl Into<String>) -> RosterRejection {
    RosterRejection::NoHeader { reason: reason.into() }
}
