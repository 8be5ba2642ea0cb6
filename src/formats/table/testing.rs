//! Helpers for tests that need real spreadsheet bytes, built in memory.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Builds a one-sheet workbook with `build` and returns the .xlsx bytes.
pub(crate) fn xlsx_bytes(build: impl FnOnce(&mut Worksheet) -> Result<(), XlsxError>) -> Vec<u8> {
    let mut workbook = Workbook::new();
    build(workbook.add_worksheet()).expect("test sheet builds");
    workbook.save_to_buffer().expect("test workbook saves")
}

/// Writes strings into consecutive cells of a row, leaving "" cells blank.
pub(crate) fn write_texts(
    sheet: &mut Worksheet,
    row: u32,
    first_column: u16,
    texts: &[&str],
) -> Result<(), XlsxError> {
    for (offset, text) in (0u16..).zip(texts) {
        if !text.is_empty() {
            sheet.write_string(row, first_column + offset, *text)?;
        }
    }
    Ok(())
}

/// Writes a real Excel date (a number with a date format).
pub(crate) fn write_date(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    (year, month, day): (u16, u8, u8),
) -> Result<(), XlsxError> {
    let format = Format::new().set_num_format("yyyy-mm-dd");
    let date = ExcelDateTime::from_ymd(year, month, day)?;
    sheet.write_date_with_format(row, column, &date, &format)?;
    Ok(())
}
