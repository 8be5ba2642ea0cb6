//! CSV uploads: encoding detection, delimiter sniffing and Excel-style row
//! numbering.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030};

use super::{Cell, MAX_COLUMNS, RowsBuilder, Table, TableError};

/// Most fields a CSV record may have, blanks included (Excel's own column
/// limit). The csv crate keeps one offset per field of a record before we
/// see it, so a line of millions of commas must be refused unread.
const MAX_FIELDS: usize = 16_384;

pub(super) fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let text = decode_csv_text(bytes);
    let delimiter = sniff_delimiter(&text);
    check_field_counts(&text, delimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut rows = RowsBuilder::default();
    let mut lines = CsvLineCounter::default();
    while reader.read_record(&mut record).map_err(|e| TableError::InvalidCsv { detail: e.to_string() })? {
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let row = lines.row_of_record_at(&text, start);
        for (column, field) in record.iter().enumerate() {
            let column = u32::try_from(column).unwrap_or(u32::MAX);
            lines.embedded += count_line_breaks(field);
            let cell = if field.trim().is_empty() { Cell::Empty } else { Cell::Text(field.to_owned()) };
            rows.push(row, column, cell)?;
        }
    }
    Ok(rows.finish())
}

/// Refuses a record with more than [`MAX_FIELDS`] fields, reading quotes
/// as the csv crate does (a doubled quote toggles twice, so it cancels).
fn check_field_counts(text: &str, delimiter: u8) -> Result<(), TableError> {
    let mut in_quotes = false;
    let mut fields = 1usize;
    for &byte in text.as_bytes() {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => fields = 1,
            _ if byte == delimiter && !in_quotes => {
                fields += 1;
                if fields > MAX_FIELDS {
                    return Err(TableError::TooManyColumns { limit: MAX_COLUMNS });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Text of a CSV file: UTF-8 (with or without BOM) or UTF-16 with a BOM
/// when that is what it is, else GB18030 — what Excel on Chinese Windows
/// writes, and a superset of GBK and GB2312.
fn decode_csv_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_length..]).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// Works out the row Excel would show for each CSV record. Excel shows a
/// blank line as an empty row and a quoted multi-line field as one row;
/// the csv crate skips blank lines, so rows are counted from line breaks
/// before the record, less those inside earlier quoted fields.
#[derive(Default)]
struct CsvLineCounter {
    scanned: usize,
    breaks: u64,
    embedded: u64,
}

impl CsvLineCounter {
    /// 0-based row of the record whose parse started at byte `start`.
    fn row_of_record_at(&mut self, text: &str, start: usize) -> u32 {
        // The reported start may sit on the terminators it skipped.
        let content = text
            .get(start..)
            .and_then(|rest| rest.find(|c| c != '\r' && c != '\n'))
            .map_or(text.len(), |offset| start + offset);
        if let Some(chunk) = text.get(self.scanned..content) {
            self.breaks += count_line_breaks(chunk);
            self.scanned = content;
        }
        u32::try_from(self.breaks.saturating_sub(self.embedded)).unwrap_or(u32::MAX)
    }
}

/// Counts line breaks, taking CRLF, LF and a lone CR as one each.
fn count_line_breaks(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let lone_cr =
        bytes.iter().enumerate().filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n')).count();
    (bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64
}

/// Comma unless the first line has none and uses tabs or semicolons
/// (Excel's "text" export and European-locale CSV).
fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.contains(',') {
        b','
    } else if first_line.contains('\t') {
        b'\t'
    } else if first_line.contains(';') {
        b';'
    } else {
        b','
    }
}
