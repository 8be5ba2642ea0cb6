//! Importing a member roster (花名册) from an uploaded spreadsheet.
//!
//! Every row and every column is checked and every problem is reported at
//! once, by Excel row number and column header, so a secretary can fix the
//! whole file in one pass instead of uploading it again for each mistake.

mod checks;
mod columns;
mod fields;

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;

use crate::formats::table::{Cell, Table, TableRow};

/// The roster's reading of a sheet's header and cells, for other rooms' sheets (the offline
/// points sheet): the same header row (姓名 among the first rows, titles allowed), the same
/// header names with notes in brackets dropped, and the same name, phone, ID-card and date rules.
pub mod cells {
    pub use super::columns::{HEADER_SEARCH_ROWS, header_key, header_row};
    pub use super::fields::{LooseDate, read_date, read_id_card, read_name, read_phone, text_of};
}
use crate::people::model::{
    FieldError, Gender, IdCardNumber, MemberCategories, MemberStatus, Phone, normalize_text,
};
use columns::{Columns, Field, find_header};

/// How many errors [`RosterRejection`]'s Display lists before summarising.
const ERRORS_SHOWN: usize = 200;

/// One member read from the roster, fully checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRecord {
    /// Excel row number the member came from.
    pub row: usize,
    /// Name with spaces between Chinese characters removed.
    pub name: String,
    /// From the file, or derived from the ID number.
    pub gender: Option<Gender>,
    /// From the ID number when there is one, else from the file.
    pub birth_date: Option<NaiveDate>,
    /// Mobile number, if given.
    pub phone: Option<Phone>,
    /// ID number, if given (at least one of phone and ID is present).
    pub id_card: Option<IdCardNumber>,
    /// The unit (branch) name as written, or the default unit.
    pub unit_name: String,
    /// Date of joining the Party; month-only dates are the 1st.
    pub joined_party_on: Option<NaiveDate>,
    /// Categories exactly as the file lists them.
    pub categories: MemberCategories,
    /// Status; blank means 正常.
    pub status: MemberStatus,
    /// 住址, if given (trimmed, at most 100 characters).
    pub address: Option<String>,
}

/// One problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Excel row number.
    pub row: usize,
    /// The column header as written in the file.
    pub column: String,
    /// The cell's raw value as text ("" for a blank cell).
    pub value: String,
    /// What is wrong, in Chinese.
    pub reason: String,
}

impl fmt::Display for RowError {
    /// "第37行 手机号码「1381234」：手机号应为11位数字，以13–19开头"
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行 {}", self.row, self.column)?;
        if !self.value.is_empty() {
            write!(f, "「{}」", self.value)?;
        }
        write!(f, "：{}", self.reason)
    }
}

/// Why a roster was not imported. Nothing is imported if anything is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterRejection {
    /// No usable header row (or a required column is missing).
    NoHeader {
        /// What is missing, in Chinese.
        reason: String,
    },
    /// No column is recognisably the unit, and no default unit was given: the person picks one.
    NoUnitColumn {
        /// The column the person named, when no header matches it.
        named: Option<String>,
        /// The headers of the columns no other field took, as written, to pick from.
        headers: Vec<String>,
    },
    /// Every problem found, in row order.
    Rows(Vec<RowError>),
}

impl fmt::Display for RosterRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RosterRejection::NoHeader { reason } => f.write_str(reason),
            RosterRejection::NoUnitColumn { named, headers } => {
                match named {
                    Some(name) => write!(f, "表头中没有名为“{name}”的列")?,
                    None => f.write_str("未能识别哪一列是所在单位（村、社区、党组织或支部）")?,
                }
                write!(f, "；文件中的其他列：{}", headers.join("、"))
            }
            RosterRejection::Rows(errors) => {
                for error in errors.iter().take(ERRORS_SHOWN) {
                    writeln!(f, "{error}")?;
                }
                let ellipsis = if errors.len() > ERRORS_SHOWN { "……" } else { "" };
                write!(f, "{ellipsis}共{}处错误", errors.len())
            }
        }
    }
}

impl std::error::Error for RosterRejection {}

/// What the person importing says about the file beyond its contents.
#[derive(Debug, Clone, Default)]
pub struct RosterOptions {
    /// The unit of rows that name none (and of every row when the file has no unit column).
    pub default_unit: Option<String>,
    /// The header of the column that holds the unit, when no header is recognisably it.
    pub unit_column: Option<String>,
}

/// A roster read in one pass: the good rows, every problem and every warning.
#[derive(Debug, Clone, Default)]
pub struct ParsedRoster {
    /// The rows without errors.
    pub records: Vec<RosterRecord>,
    /// Every problem, in row order; any one of them rejects the file.
    pub errors: Vec<RowError>,
    /// Implausible but possible values (数据存疑): shown, never blocking.
    pub warnings: Vec<RowError>,
    /// (row, unit) of the rows rejected for other reasons, so that an unknown unit on them is
    /// reported in the same pass.
    pub rejected_units: Vec<(usize, String)>,
    /// The unit column's header as written in the file.
    pub unit_header: String,
}

/// Reads and checks a roster. The header is the first row (among the first
/// ten) with a 姓名 cell; columns are found by their Chinese names in any
/// order. `today` anchors the age and date checks; `default_unit` fills a
/// missing or blank 所在单位. Returns every member, or every problem.
pub fn parse_roster(
    table: &Table,
    today: NaiveDate,
    default_unit: Option<&str>,
) -> Result<Vec<RosterRecord>, RosterRejection> {
    let options = RosterOptions { default_unit: default_unit.map(str::to_owned), unit_column: None };
    let parsed = read_roster(table, today, &options)?;
    if parsed.errors.is_empty() { Ok(parsed.records) } else { Err(RosterRejection::Rows(parsed.errors)) }
}

/// Reads a roster in one pass: every row is read, and every problem and warning is collected
/// (a header problem alone stops it). See [`parse_roster`].
pub fn read_roster(
    table: &Table,
    today: NaiveDate,
    options: &RosterOptions,
) -> Result<ParsedRoster, RosterRejection> {
    let default_unit = options.default_unit.as_deref().map(normalize_text).filter(|u| !u.is_empty());
    let (header_index, columns) = find_header(table, default_unit.is_some(), options.unit_column.as_deref())?;
    let mut parser = RowParser {
        columns,
        today,
        default_unit,
        parsed: ParsedRoster::default(),
        first_row_of_id: HashMap::new(),
        first_row_of_phone: HashMap::new(),
    };
    parser.parsed.unit_header = parser.columns.header(Field::Unit).to_owned();
    let data_rows = &table.rows[header_index + 1..];
    parser.parsed.records.reserve(data_rows.len());
    for row in data_rows {
        if parser.columns.row_is_blank(row) || parser.columns.is_repeated_header(row) {
            continue;
        }
        if let Some(record) = parser.parse_row(row) {
            parser.parsed.records.push(record);
        }
    }
    Ok(parser.parsed)
}

struct RowParser {
    columns: Columns,
    today: NaiveDate,
    default_unit: Option<String>,
    parsed: ParsedRoster,
    first_row_of_id: HashMap<String, usize>,
    /// Rows seen per phone, and whether that row had an ID card.
    first_row_of_phone: HashMap<String, (usize, bool)>,
}

impl RowParser {
    /// Reads one row, recording its errors; returns the record if it had none.
    fn parse_row(&mut self, row: &TableRow) -> Option<RosterRecord> {
        let errors_before = self.parsed.errors.len();
        let today = self.today;
        let name = self.read(row, Field::Name, fields::read_name);
        let unit_name = self.unit(row);
        let phone = self.read(row, Field::Phone, fields::read_phone);
        let id_card = self.read(row, Field::IdCard, |c| fields::read_id_card(c, today));
        let gender = self.read(row, Field::Gender, fields::read_gender);
        let birth = self.read(row, Field::BirthDate, fields::read_date);
        let joined = self.read(row, Field::JoinedParty, fields::read_date);
        let categories = self.read(row, Field::Categories, fields::read_categories);
        let status = self.read(row, Field::Status, fields::read_status);
        let address = self.read(row, Field::Address, fields::read_address);

        self.check_contact_given(row);
        let birth_date = self.check_birth(row, birth, id_card.as_ref());
        let gender = self.check_gender(row, gender, id_card.as_ref());
        let joined_party_on = self.check_joined(row, joined, birth_date);
        self.check_duplicates(row, phone.as_ref(), id_card.as_ref());

        if self.parsed.errors.len() != errors_before {
            if let Some(unit) = unit_name.filter(|u| !u.is_empty()) {
                self.parsed.rejected_units.push((row.number, unit));
            }
            return None;
        }
        Some(RosterRecord {
            row: row.number,
            name: name.unwrap_or_default(),
            gender,
            birth_date,
            phone,
            id_card,
            unit_name: unit_name.unwrap_or_default(),
            joined_party_on,
            categories: categories.unwrap_or_default(),
            status: status.unwrap_or_default(),
            address,
        })
    }

    /// Reads a field with `reader`, recording a failure against its cell.
    fn read<T>(
        &mut self,
        row: &TableRow,
        field: Field,
        reader: impl FnOnce(&Cell) -> Result<Option<T>, FieldError>,
    ) -> Option<T> {
        match reader(self.columns.cell(row, field)) {
            Ok(value) => value,
            Err(error) => {
                self.error(row, field, error.reason);
                None
            }
        }
    }

    fn unit(&mut self, row: &TableRow) -> Option<String> {
        let text = fields::text_of(self.columns.cell(row, Field::Unit));
        if !text.is_empty() {
            return Some(text);
        }
        if self.default_unit.is_none() {
            self.error(row, Field::Unit, "所在单位不能为空");
        }
        self.default_unit.clone()
    }

    fn check_contact_given(&mut self, row: &TableRow) {
        let blank = |field| self.columns.cell(row, field).is_empty();
        if blank(Field::Phone) && blank(Field::IdCard) {
            let field = match self.columns.position(Field::Phone) {
                Some(_) => Field::Phone,
                None => Field::IdCard,
            };
            self.error(row, field, "手机号码和身份证号至少填写一项");
        }
    }

    fn error(&mut self, row: &TableRow, field: Field, reason: impl Into<String>) {
        let error = self.finding(row, field, reason);
        self.parsed.errors.push(error);
    }

    fn finding(&self, row: &TableRow, field: Field, reason: impl Into<String>) -> RowError {
        RowError {
            row: row.number,
            column: self.columns.header(field).to_owned(),
            value: self.columns.cell(row, field).to_text().into_owned(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod unit_tests;
