//! Reads an uploaded spreadsheet (.xlsx, .xlsm, .xls or .csv) into rows of
//! plain values, numbered as Excel shows them, for importers to interpret.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Reader, Sheet, SheetType, SheetVisible, Xls, Xlsx};
use chrono::NaiveDate;

/// Most data rows an upload may have; beyond this we refuse rather than
/// tie up the server (a sub-district has a few thousand members).
pub const MAX_ROWS: usize = 200_000;
/// Most columns a row may use; a real roster or question bank has a dozen.
/// Bounding it keeps a tiny malicious file from claiming gigabytes.
pub const MAX_COLUMNS: usize = 256;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing, or only whitespace.
    Empty,
    /// Text exactly as stored (not normalised).
    Text(String),
    /// A number (Excel has no separate integer type).
    Number(f64),
    /// A cell Excel formats as a date; any time of day is dropped.
    Date(NaiveDate),
}

static EMPTY_CELL: Cell = Cell::Empty;

impl Cell {
    /// True for [`Cell::Empty`].
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The value as a person would read it in Excel: whole numbers without
    /// ".0" (so 13812345678.0 shows as "13812345678"), dates as yyyy-mm-dd.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Number(number) => Cow::Owned(format_number(*number)),
            Cell::Date(date) => Cow::Owned(date.format("%Y-%m-%d").to_string()),
        }
    }
}

/// Formats a number without a trailing ".0" when it is whole.
pub fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e16 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// One non-empty row of the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// 1-based row number as Excel shows it (CSV: the record number).
    pub number: usize,
    /// Cells by column, index 0 being column A; trailing empty cells may be
    /// missing, so prefer [`TableRow::cell`].
    pub cells: Vec<Cell>,
}

impl TableRow {
    /// The cell in column `index` (0 = A), or [`Cell::Empty`] past the end.
    pub fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&EMPTY_CELL)
    }
}

/// The non-empty rows of the first worksheet, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Rows that have at least one non-empty cell.
    pub rows: Vec<TableRow>,
}

/// Why an upload could not be read; the Display text is Chinese and meant
/// for the person who uploaded the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// Neither a spreadsheet nor a CSV file.
    #[error("无法识别的文件格式，请上传 .xlsx、.xls 或 .csv 文件")]
    UnknownFormat,
    /// Looks like a spreadsheet but cannot be parsed.
    #[error("文件已损坏或不是有效的 Excel 文件")]
    Corrupt {
        /// The parser's own message, for logs only.
        detail: String,
    },
    /// The CSV text could not be split into records.
    #[error("CSV 文件格式有误，请用 Excel 另存为 .xlsx 后再上传")]
    InvalidCsv {
        /// The parser's own message, for logs only.
        detail: String,
    },
    /// The workbook has no worksheet.
    #[error("文件中没有工作表")]
    NoWorksheet,
    /// More than [`MAX_ROWS`] non-empty rows.
    #[error("表格超过{limit}行，请拆分成几个文件分别上传")]
    TooManyRows {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A value beyond column [`MAX_COLUMNS`].
    #[error("表格超过{limit}列，请删除多余的列后重新上传")]
    TooManyColumns {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Reads the first visible worksheet of an uploaded file. The format is
/// taken from the file's signature when it has one (an .xlsx renamed to
/// .csv still reads), else from the extension.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let format = detect_format(file_name, bytes)?;
    // Spreadsheet parsers see hostile bytes here; a panic deep inside one
    // must become an error for this upload, not take the request down.
    catch_unwind(AssertUnwindSafe(|| match format {
        Format::Xlsx => read_xlsx(bytes),
        Format::Xls => read_xls(bytes),
        Format::Csv => csv_reader::read_csv(bytes),
    }))
    .unwrap_or_else(|_| Err(corrupt("parser panicked")))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Xlsx,
    Xls,
    Csv,
}

fn detect_format(file_name: &str, bytes: &[u8]) -> Result<Format, TableError> {
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Ok(Format::Xls);
    }
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "csv" => Ok(Format::Csv),
        "xlsx" | "xlsm" | "xls" => Err(corrupt("no spreadsheet signature")),
        _ => Err(TableError::UnknownFormat),
    }
}

fn corrupt(detail: impl ToString) -> TableError {
    TableError::Corrupt { detail: detail.to_string() }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let name = first_sheet_name(book.sheets_metadata()).ok_or(TableError::NoWorksheet)?;
    // The streaming reader avoids calamine's dense grid, whose size a file
    // controls by placing a single cell far away.
    let mut reader = book.worksheet_cells_reader(&name).map_err(corrupt)?;
    let mut rows = RowsBuilder::default();
    while let Some(cell) = reader.next_cell().map_err(corrupt)? {
        let (row, column) = cell.get_position();
        rows.push(row, column, cell_from_data(Data::from(cell.get_value().clone())))?;
    }
    Ok(rows.finish())
}

fn read_xls(bytes: &[u8]) -> Result<Table, TableError> {
    let mut book = Xls::new(Cursor::new(bytes)).map_err(corrupt)?;
    let name = first_sheet_name(book.sheets_metadata()).ok_or(TableError::NoWorksheet)?;
    let range = book.worksheet_range(&name).map_err(corrupt)?;
    // The range starts at its first used cell, not at A1.
    let (row_offset, column_offset) = range.start().unwrap_or((0, 0));
    let mut rows = RowsBuilder::default();
    for (row, column, value) in range.used_cells() {
        let row = row_offset + row as u32;
        let column = column_offset + column as u32;
        rows.push(row, column, cell_from_data(value.clone()))?;
    }
    Ok(rows.finish())
}

/// The first visible worksheet, else the first worksheet: templates often
/// start with a hidden sheet of drop-down lists.
fn first_sheet_name(sheets: &[Sheet]) -> Option<String> {
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
}

fn cell_from_data(value: Data) -> Cell {
    match value {
        Data::Empty => Cell::Empty,
        Data::String(text) => text_cell(text),
        Data::Int(number) => Cell::Number(number as f64),
        Data::Float(number) => Cell::Number(number),
        Data::Bool(flag) => Cell::Text(if flag { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(datetime) => {
            let serial = datetime.as_f64();
            // Durations and bare times (serial < 1) are not calendar dates.
            if datetime.is_duration() || serial < 1.0 {
                return Cell::Number(serial);
            }
            let (year, month, day, ..) = datetime.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(year.into(), month.into(), day.into())
                .map_or(Cell::Number(serial), Cell::Date)
        }
        Data::DateTimeIso(text) => text
            .get(..10)
            .and_then(|head| NaiveDate::parse_from_str(head, "%Y-%m-%d").ok())
            .map_or_else(|| text_cell(text.clone()), Cell::Date),
        Data::DurationIso(text) => text_cell(text),
        Data::Error(error) => Cell::Text(error.to_string()),
    }
}

fn text_cell(text: String) -> Cell {
    if text.trim().is_empty() { Cell::Empty } else { Cell::Text(text) }
}

/// Gathers cells (0-based positions) into numbered rows, dropping empty
/// cells and rows and enforcing the size limits.
#[derive(Default)]
pub(super) struct RowsBuilder {
    rows: Vec<TableRow>,
    out_of_order: bool,
}

impl RowsBuilder {
    pub(super) fn push(&mut self, row: u32, column: u32, cell: Cell) -> Result<(), TableError> {
        if cell.is_empty() {
            return Ok(());
        }
        let column = column as usize;
        if column >= MAX_COLUMNS {
            return Err(TableError::TooManyColumns { limit: MAX_COLUMNS });
        }
        let number = row as usize + 1;
        let last_number = self.rows.last().map(|r| r.number);
        if last_number != Some(number) {
            if self.rows.len() >= MAX_ROWS {
                return Err(TableError::TooManyRows { limit: MAX_ROWS });
            }
            self.out_of_order |= last_number.is_some_and(|last| last > number);
            self.rows.push(TableRow { number, cells: Vec::new() });
        }
        let cells = &mut self.rows.last_mut().expect("a row was just ensured").cells;
        if cells.len() <= column {
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = cell;
        Ok(())
    }

    pub(super) fn finish(mut self) -> Table {
        // Excel writes rows in order; other producers may not. Sort and merge
        // pieces of the same row so numbering is still right.
        if self.out_of_order {
            self.rows.sort_by_key(|r| r.number);
            self.rows.dedup_by(|later, earlier| {
                if later.number != earlier.number {
                    return false;
                }
                merge_cells(&mut earlier.cells, std::mem::take(&mut later.cells));
                true
            });
        }
        Table { rows: self.rows }
    }
}

fn merge_cells(into: &mut Vec<Cell>, from: Vec<Cell>) {
    if into.len() < from.len() {
        into.resize(from.len(), Cell::Empty);
    }
    for (index, cell) in from.into_iter().enumerate() {
        if !cell.is_empty() {
            into[index] = cell;
        }
    }
}

mod csv_reader;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
