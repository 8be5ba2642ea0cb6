//! Finding the header row of a roster and mapping its columns.

use crate::formats::table::{Cell, Table, TableRow};
use crate::people::text::normalize_text;
use crate::roster::parse::RosterRejection;

/// How many non-empty rows may precede and include the header (a title,
/// a subtitle, a "填表说明" line or two).
pub const HEADER_SEARCH_ROWS: usize = 10;

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
    Address,
}

impl Field {
    const ALL: [Field; 10] = [
        Field::Name,
        Field::Gender,
        Field::BirthDate,
        Field::Phone,
        Field::IdCard,
        Field::Unit,
        Field::JoinedParty,
        Field::Categories,
        Field::Status,
        Field::Address,
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
            Field::Address => {
                &["住址", "家庭住址", "现住址", "居住地址", "家庭地址", "联系地址", "地址", "现居住地址"]
            }
        }
    }

    fn from_header(key: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&key))
            .or_else(|| is_unit_header(key).then_some(Field::Unit))
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

/// Where a place is named in a unit header: 村, 社区 and their combinations.
const UNIT_PLACES: [&str; 8] = ["村社区", "村/社区", "村、社区", "村居", "村社", "社区", "村", "居委会"];
/// Where an organisation is named in a unit header.
const UNIT_ORGS: [&str; 8] = ["基层党组织", "党组织", "党总支", "党支部", "支部", "党委", "组织", "单位"];

/// True for the many ways village rosters name the unit column: 村, 社区, 村社, 党组织, 支部
/// and their combinations, with 所属/所在 before and 名称/全称/名 after ("所在村社",
/// "党组织名称", "所属支部", "村党支部名称"). "村(社区)" arrives here as "村": notes in
/// brackets are dropped by [`header_key`].
pub(super) fn is_unit_header(key: &str) -> bool {
    let key = key.strip_prefix("所属").or_else(|| key.strip_prefix("所在")).unwrap_or(key);
    let key = ["名称", "全称", "名"].iter().find_map(|s| key.strip_suffix(s)).unwrap_or(key);
    let (place, rest) = match UNIT_PLACES.iter().find(|p| key.starts_with(**p)) {
        Some(place) => (true, &key[place.len()..]),
        None => (false, key),
    };
    match rest {
        "" => place,
        // "组织" and "单位" alone are too vague without a place ("所在单位" is an alias).
        _ => UNIT_ORGS.contains(&rest) && (place || !matches!(rest, "组织" | "单位")),
    }
}

/// The header row's index in `table.rows`: the first of the first few rows (titles and notes may
/// come before it) with a 姓名 cell.
pub fn header_row(table: &Table) -> Option<usize> {
    table
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| row.cells.iter().any(|c| cell_header_key(c) == "姓名"))
}

/// Finds the header row: the first of the first few rows with a 姓名 cell.
/// Returns its index in `table.rows` and the column map. `unit_column` names the unit's column
/// when no header is recognisably it.
pub(super) fn find_header(
    table: &Table,
    has_default_unit: bool,
    unit_column: Option<&str>,
) -> Result<(usize, Columns), RosterRejection> {
    let Some(position) = header_row(table) else {
        return Err(no_header(format!("未找到表头：表格前{HEADER_SEARCH_ROWS}行中没有“姓名”列")));
    };
    let header = &table.rows[position];
    let mut columns = map_columns(header);
    let named = unit_column.map(header_key).filter(|k| !k.is_empty());
    if columns.position(Field::Phone).is_none() && columns.position(Field::IdCard).is_none() {
        return Err(no_header("缺少“手机号码”或“身份证号”列，至少需要其中一列"));
    }
    if let Some(named) = &named {
        match header.cells.iter().position(|c| cell_header_key(c) == *named) {
            Some(index) => {
                columns.found[Field::Unit as usize] = None;
                columns.record(Field::Unit, index, &header.cell(index).to_text());
            }
            None => return Err(unit_column_missing(header, &columns, unit_column)),
        }
    }
    if columns.position(Field::Unit).is_none() && !has_default_unit {
        return Err(unit_column_missing(header, &columns, None));
    }
    Ok((position, columns))
}

/// The rejection that lists the headers no field took, for the person to pick the unit's column.
fn unit_column_missing(header: &TableRow, columns: &Columns, named: Option<&str>) -> RosterRejection {
    let taken: Vec<usize> = Field::ALL.iter().filter_map(|&f| columns.position(f)).collect();
    let headers = header
        .cells
        .iter()
        .enumerate()
        .filter(|(index, cell)| !taken.contains(index) && !cell_header_key(cell).is_empty())
        .map(|(_, cell)| cell.to_text().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    RosterRejection::NoUnitColumn { named: named.map(str::to_owned), headers }
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
pub fn header_key(text: &str) -> String {
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
