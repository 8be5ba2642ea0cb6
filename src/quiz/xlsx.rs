//! The bank as .xlsx in the import's header shape, so an export re-imports unchanged.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::model::Question;
use super::parse::header::HEADER;

/// Writes `questions` under the template's header, every value as text.
pub fn write_questions_xlsx(questions: &[Question]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("题库")?;
    let bold = Format::new().set_bold();
    for (col, title) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    sheet.set_column_width(1, 50)?;
    for (i, q) in questions.iter().enumerate() {
        let row = i as u32 + 1;
        let mut cells: Vec<&str> = vec![q.kind().label(), &q.stem];
        cells.extend((0..6).map(|o| q.options.get(o).map_or("", String::as_str)));
        cells.extend([q.answer.as_str(), &q.explanation, &q.category, &q.difficulty, &q.source]);
        for (col, value) in cells.into_iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(row, col as u16, value)?;
            }
        }
    }
    workbook.save_to_buffer()
}
