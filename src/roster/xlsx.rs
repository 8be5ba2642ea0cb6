//! Writing a member roster (花名册) as an .xlsx file that reads back in
//! through [`crate::roster::parse::parse_roster`].

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::people::model::{Gender, MemberCategories, MemberStatus};
use crate::roster::parse::RosterRecord;

/// Column headers and widths (in characters), in sheet order.
pub(super) const COLUMNS: [(&str, f64); 11] = [
    ("序号", 6.0),
    ("姓名", 10.0),
    ("性别", 6.0),
    ("出生日期", 12.0),
    ("手机号码", 14.0),
    ("身份证号", 21.0),
    ("所在单位", 24.0),
    ("入党时间", 12.0),
    ("人员类别", 24.0),
    ("状态", 8.0),
    ("住址", 28.0),
];
const TITLE_ROW: u32 = 0;
const HEADER_ROW: u32 = 1;
const FIRST_DATA_ROW: u32 = 2;

/// One member as the export shows them. Phone and ID are plain strings so
/// the caller decides whether this export shows them in full or masked.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterExportRow {
    /// Name.
    pub name: String,
    /// Gender, blank if unknown.
    pub gender: Option<Gender>,
    /// Birth date, blank if unknown.
    pub birth_date: Option<NaiveDate>,
    /// Phone number as it should appear (full or masked).
    pub phone: Option<String>,
    /// ID number as it should appear (full or masked).
    pub id_card: Option<String>,
    /// Unit (branch) name.
    pub unit_name: String,
    /// Date of joining the Party.
    pub joined_party_on: Option<NaiveDate>,
    /// Categories, written joined with 、.
    pub categories: MemberCategories,
    /// Status, written as its Chinese label.
    pub status: MemberStatus,
    /// 住址, blank if unknown.
    pub address: Option<String>,
}

impl From<&RosterRecord> for RosterExportRow {
    /// Shows phone and ID in full; mask them afterwards if needed.
    fn from(record: &RosterRecord) -> Self {
        RosterExportRow {
            name: record.name.clone(),
            gender: record.gender,
            birth_date: record.birth_date,
            phone: record.phone.as_ref().map(|p| p.as_str().to_owned()),
            id_card: record.id_card.as_ref().map(|id| id.as_str().to_owned()),
            unit_name: record.unit_name.clone(),
            joined_party_on: record.joined_party_on,
            categories: record.categories,
            status: record.status,
            address: record.address.clone(),
        }
    }
}

/// Writes the roster as a one-sheet workbook named 花名册: a merged title
/// row, a bold frozen header row, then one row per member. Phone and ID
/// numbers are text cells (a number would lose the ID's last digits) and
/// dates are real Excel dates shown as yyyy-mm-dd.
pub fn write_roster_xlsx(title: &str, rows: &[RosterExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册")?;
    write_title_and_header(sheet, title)?;
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (index, row) in (FIRST_DATA_ROW..).zip(rows) {
        write_member(sheet, index, row, &date_format)?;
    }
    workbook.save_to_buffer()
}

pub(super) fn write_title_and_header(sheet: &mut Worksheet, title: &str) -> Result<(), XlsxError> {
    let title_format = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let last_column = (COLUMNS.len() - 1) as u16;
    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, last_column, title, &title_format)?;
    sheet.set_row_height(TITLE_ROW, 30)?;
    let header_format = Format::new().set_bold().set_align(FormatAlign::Center);
    for (column, (header, width)) in (0u16..).zip(COLUMNS) {
        sheet.write_string_with_format(HEADER_ROW, column, header, &header_format)?;
        sheet.set_column_width(column, width)?;
    }
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

pub(super) fn write_member(
    sheet: &mut Worksheet,
    row: u32,
    member: &RosterExportRow,
    date_format: &Format,
) -> Result<(), XlsxError> {
    sheet.write_number(row, 0, row - HEADER_ROW)?;
    sheet.write_string(row, 1, &member.name)?;
    write_optional_text(sheet, row, 2, member.gender.map(Gender::label))?;
    write_optional_date(sheet, row, 3, member.birth_date, date_format)?;
    write_optional_text(sheet, row, 4, member.phone.as_deref())?;
    write_optional_text(sheet, row, 5, member.id_card.as_deref())?;
    sheet.write_string(row, 6, &member.unit_name)?;
    write_optional_date(sheet, row, 7, member.joined_party_on, date_format)?;
    write_optional_text(sheet, row, 8, Some(&member.categories.to_string()))?;
    sheet.write_string(row, 9, member.status.label())?;
    write_optional_text(sheet, row, 10, member.address.as_deref())?;
    Ok(())
}

fn write_optional_text(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    text: Option<&str>,
) -> Result<(), XlsxError> {
    match text {
        Some(text) if !text.is_empty() => sheet.write_string(row, column, text).map(|_| ()),
        _ => Ok(()),
    }
}

fn write_optional_date(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    date: Option<NaiveDate>,
    format: &Format,
) -> Result<(), XlsxError> {
    let Some(date) = date else { return Ok(()) };
    // Excel dates cannot be before 1900; such a value was never accepted
    // on import, but if one is stored anyway it is written as text.
    let (Ok(year), Ok(month), Ok(day)) =
        (u16::try_from(date.year()), u8::try_from(date.month()), u8::try_from(date.day()))
    else {
        return sheet.write_string(row, column, date.to_string()).map(|_| ());
    };
    match ExcelDateTime::from_ymd(year, month, day) {
        Ok(excel_date) => sheet.write_date_with_format(row, column, &excel_date, format),
        Err(_) => sheet.write_string(row, column, date.to_string()),
    }
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::table::{Cell, read_table};
    use crate::people::id_card::make_id;
    use crate::people::model::{IdCardNumber, Phone};
    use crate::roster::parse::parse_roster;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        ymd(2021, 3, 1)
    }

    fn sample_records() -> Vec<RosterRecord> {
        let id =
            |birth: &str, seq: &str| IdCardNumber::parse_on(&make_id("320117", birth, seq), today()).ok();
        let full = RosterRecord {
            row: 3,
            name: "张三".into(),
            gender: Some(Gender::Male),
            birth_date: Some(ymd(1950, 3, 12)),
            phone: Phone::parse("13812345678").ok(),
            id_card: id("19500312", "011"),
            unit_name: "蟹塘社区党支部".into(),
            joined_party_on: Some(ymd(1975, 7, 1)),
            categories: MemberCategories::ELDERLY | MemberCategories::NO_SMARTPHONE,
            status: MemberStatus::Active,
            address: Some("蟹塘社区3组12号".into()),
        };
        let sparse = RosterRecord {
            row: 4,
            name: "王小明".into(),
            gender: None,
            birth_date: None,
            phone: Phone::parse("15012345678").ok(),
            id_card: None,
            unit_name: "石湫村党总支".into(),
            joined_party_on: None,
            categories: MemberCategories::NONE,
            status: MemberStatus::Transferred,
            address: None,
        };
        let with_x = RosterRecord {
            row: 5,
            name: "阿依古丽·买买提".into(),
            gender: Some(Gender::Female),
            birth_date: Some(ymd(1949, 12, 31)),
            phone: None,
            id_card: IdCardNumber::parse_on("11010519491231002X", today()).ok(),
            unit_name: "蟹塘社区党支部".into(),
            joined_party_on: Some(ymd(1972, 2, 29)),
            categories: MemberCategories::SICK,
            status: MemberStatus::Other,
            address: None,
        };
        vec![full, sparse, with_x]
    }

    #[test]
    fn export_reads_back_as_the_same_records() {
        let records = sample_records();
        let rows: Vec<RosterExportRow> = records.iter().map(RosterExportRow::from).collect();
        let bytes = write_roster_xlsx("石湫街道蟹塘社区党员花名册", &rows).unwrap();
        let table = read_table("导出.xlsx", &bytes).unwrap();
        let read_back = parse_roster(&table, today(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_back, records);
    }

    #[test]
    fn layout_has_title_header_text_ids_and_real_dates() {
        let rows: Vec<RosterExportRow> = sample_records().iter().map(RosterExportRow::from).collect();
        let bytes = write_roster_xlsx("花名册标题", &rows).unwrap();
        let table = read_table("a.xlsx", &bytes).unwrap();
        assert_eq!(table.rows[0].number, 1);
        assert_eq!(table.rows[0].cell(0), &Cell::Text("花名册标题".into()));
        let headers: Vec<String> = table.rows[1].cells.iter().map(|c| c.to_text().into_owned()).collect();
        let expected: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
        assert_eq!(headers, expected);
        let first = &table.rows[2];
        assert_eq!(first.cell(0), &Cell::Number(1.0));
        assert_eq!(first.cell(3), &Cell::Date(ymd(1950, 3, 12)));
        assert_eq!(first.cell(4), &Cell::Text("13812345678".into()));
        assert!(matches!(first.cell(5), Cell::Text(id) if id.len() == 18));
        assert_eq!(first.cell(8), &Cell::Text("老党员、无智能手机".into()));
        assert_eq!(table.rows[3].cell(2), &Cell::Empty);
        assert_eq!(table.rows[3].cell(9), &Cell::Text("已转出".into()));
    }

    #[test]
    fn masked_values_and_an_empty_roster_still_export() {
        let mut row = RosterExportRow::from(&sample_records()[0]);
        row.phone = Some("138****5678".into());
        row.birth_date = Some(ymd(1899, 1, 1));
        let bytes = write_roster_xlsx("标题", &[row]).unwrap();
        let table = read_table("a.xlsx", &bytes).unwrap();
        assert_eq!(table.rows[2].cell(4), &Cell::Text("138****5678".into()));
        assert_eq!(table.rows[2].cell(3), &Cell::Text("1899-01-01".into()));
        let empty = write_roster_xlsx("标题", &[]).unwrap();
        assert_eq!(read_table("a.xlsx", &empty).unwrap().rows.len(), 2);
    }
}
