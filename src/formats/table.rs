//! Reads an uploaded spreadsheet (.xlsx, .xlsm, .xls or .csv) into rows of
//! plain values, numbered as Excel shows them, for importers to interpret.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use calamine::{Data, Reader, Sheet, SheetType, SheetVisible, Xls, Xlsx};
use chrono::NaiveDate;

use super::gate::DecodeGate;

/// Most data rows an upload may have; beyond this we refuse rather than
/// tie up the server (a sub-district has a few thousand members).
pub const MAX_ROWS: usize = 200_000;
/// Most columns a row may use; a real roster or question bank has a dozen.
/// Bounding it keeps a tiny malicious file from claiming gigabytes.
pub const MAX_COLUMNS: usize = 256;
/// Longest cell, in characters: Excel's own limit, so no real file has more.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Most cells (counting the blanks before a row's last value) an upload
/// may fill: 200,000 members × 10 columns. At 32 bytes a cell this keeps
/// the table under 64 MB whatever the file claims.
pub const MAX_CELLS: usize = 2_000_000;
/// Most bytes of text all cells may hold together. One long shared string
/// referenced from every cell would otherwise be copied into each of them.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

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
    /// A cell longer than [`MAX_CELL_CHARS`].
    #[error("第{row}行{column}列的内容超过32767个字符（Excel 单元格的上限），请检查该单元格后重新上传")]
    CellTooLong {
        /// 1-based row number as Excel shows it.
        row: usize,
        /// Column letters as Excel shows them ("A", "AB").
        column: String,
    },
    /// More than [`MAX_CELLS`] cells or [`MAX_TEXT_BYTES`] of text, or too
    /// many shared strings.
    #[error("表格内容太多，请拆分成几个文件分别上传")]
    TooMuchContent,
    /// A part of the .xlsx archive expands beyond its limit.
    #[error(
        "文件解压后过大，可能已损坏或含有异常内容；请用 Excel 打开后另存为新文件，或拆分成几个文件分别上传"
    )]
    ExpandsTooMuch,
}

/// Spreadsheets read at once, process-wide. One read of a file up to the upload limit stays
/// within about 300 MB; two at once keep imports within the memory a small server has.
pub const MAX_CONCURRENT_READS: usize = 2;
/// Every spreadsheet read on behalf of a person passes this gate ([`DecodeGate::run`]); a read
/// that finds both slots taken for half a minute is answered "busy" (a large roster takes
/// seconds to read).
pub static TABLE_READS: DecodeGate = DecodeGate::new(MAX_CONCURRENT_READS, Duration::from_secs(30));

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
    // Before calamine, which loads parts such as the shared strings whole.
    zip_guard::check_xlsx_container(bytes)?;
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
    // Before calamine, which lays out every sheet as a dense grid on opening.
    xls_guard::check_xls(bytes)?;
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
    /// Cell slots allocated so far, blanks included.
    cells: usize,
    /// Text bytes stored so far.
    text_bytes: usize,
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
        self.check_size(number, column, &cell)?;
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
            self.cells += column + 1 - cells.len();
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = cell;
        Ok(())
    }

    /// Refuses a cell that is too long, or that would take the table past
    /// [`MAX_CELLS`] or [`MAX_TEXT_BYTES`]; checked before it is stored.
    fn check_size(&mut self, row: usize, column: usize, cell: &Cell) -> Result<(), TableError> {
        if let Cell::Text(text) = cell {
            // Bytes first: a string is never more characters than bytes.
            if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
                return Err(TableError::CellTooLong { row, column: column_name(column) });
            }
            self.text_bytes += text.len();
        }
        let row_cells = self.rows.last().filter(|r| r.number == row).map_or(0, |r| r.cells.len());
        let new_cells = (column + 1).saturating_sub(row_cells);
        if self.text_bytes > MAX_TEXT_BYTES || self.cells + new_cells > MAX_CELLS {
            return Err(TableError::TooMuchContent);
        }
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

/// Excel's letters for a 0-based column: 0 → "A", 27 → "AB".
fn column_name(index: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = index + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect()
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
mod xls_guard;
mod zip_guard;
