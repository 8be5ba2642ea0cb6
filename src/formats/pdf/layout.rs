//! Page geometry of the sign-in sheet and the font-independent layout rules (pagination, fitting
//! text into a cell), kept apart from drawing so they can be tested without a font.

use std::ops::Range;

/// PDF points per millimetre (a point is 1/72 inch).
pub(crate) const MM: f32 = 72.0 / 25.4;

/// A4 portrait, in points.
pub(crate) const PAGE_W: f32 = 210.0 * MM;
/// A4 portrait, in points.
pub(crate) const PAGE_H: f32 = 297.0 * MM;

/// Left and right margin. 15 mm leaves room for a binder's holes and every office printer's
/// unprintable edge.
pub(crate) const MARGIN_X: f32 = 15.0 * MM;
/// Top margin.
pub(crate) const MARGIN_TOP: f32 = 14.0 * MM;
/// The table never runs below this line, leaving room for the page number.
pub(crate) const TABLE_BOTTOM_LIMIT: f32 = PAGE_H - 18.0 * MM;
/// Baseline of the page number.
pub(crate) const FOOTER_BASELINE: f32 = PAGE_H - 10.0 * MM;

/// Height of every table row: 10 mm gives an elderly member room to sign without
/// writing over the neighbouring line.
pub(crate) const ROW_H: f32 = 10.0 * MM;
/// Height of the column-header row.
pub(crate) const HEADER_ROW_H: f32 = 10.0 * MM;
/// Inner padding of a cell, left and right.
pub(crate) const CELL_PAD: f32 = 1.8 * MM;

/// Where the ideographic em box's centre sits above the baseline, as a fraction of the font
/// size (CJK glyphs span 0.88 em above to 0.12 em below the baseline), used to centre text
/// vertically in a row.
pub(crate) const EM_CENTRE_ABOVE_BASELINE: f32 = 0.38;

/// How a cell's text is placed horizontally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Centre,
}

/// A table column: header label, width, and how its cells are set.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub label: &'static str,
    pub width: f32,
    pub align: Align,
    /// Preferred font size of the cells; text shrinks from here to fit.
    pub size: f32,
}

/// The five columns, widths adding up to the 180 mm between the margins. The signature column
/// is the widest because a handwritten name is far wider than a printed one.
pub(crate) const COLUMNS: [Column; 5] = [
    Column { label: "序号", width: 13.0 * MM, align: Align::Centre, size: 11.0 },
    Column {
        label: "姓名",
        width: 27.0 * MM,
        align: Align::Centre,
        // Larger than the rest: members look for their own name.
        size: 13.0,
    },
    Column { label: "所在单位", width: 50.0 * MM, align: Align::Left, size: 11.0 },
    Column { label: "备注", width: 25.0 * MM, align: Align::Centre, size: 10.5 },
    Column { label: "签名", width: 65.0 * MM, align: Align::Centre, size: 11.0 },
];

/// Smallest size text is shrunk to before it is cut with "…": still legible when printed.
pub(crate) const MIN_CELL_SIZE: f32 = 7.5;

/// Splits `rows` table rows into pages: the first page holds `first` rows (it also carries the
/// title block), later pages `next`. There is always at least one page, so an empty list still
/// prints a blank sheet.
pub(crate) fn paginate(rows: usize, first: usize, next: usize) -> Vec<Range<usize>> {
    // A page that holds no row would loop forever; a caller's geometry bug must not hang a request.
    let first = first.max(1);
    let next = next.max(1);
    let mut pages = Vec::with_capacity(1 + rows.saturating_sub(first).div_ceil(next));
    pages.push(0..rows.min(first));
    let mut start = first;
    while start < rows {
        let end = (start + next).min(rows);
        pages.push(start..end);
        start = end;
    }
    pages
}

/// How many rows fit between `table_top` (where the header row starts) and the bottom limit.
pub(crate) fn rows_that_fit(table_top: f32) -> usize {
    let space = TABLE_BOTTOM_LIMIT - table_top - HEADER_ROW_H;
    // Truncation is the point: a partial row is not a row. Negative space means none fit.
    (space / ROW_H).floor().max(0.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_between_margins() {
        let total: f32 = COLUMNS.iter().map(|c| c.width).sum();
        assert!((total - (PAGE_W - 2.0 * MARGIN_X)).abs() < 0.01, "{total}");
        let widest = COLUMNS.iter().max_by(|a, b| a.width.total_cmp(&b.width));
        assert_eq!(widest.map(|c| c.label), Some("签名"));
    }

    #[test]
    fn rows_are_about_ten_millimetres() {
        assert!((ROW_H / MM - 10.0).abs() < 0.01);
    }

    #[test]
    fn pagination_splits_rows_over_pages() {
        assert_eq!(paginate(45, 21, 24), vec![0..21, 21..45]);
        assert_eq!(paginate(46, 21, 24), vec![0..21, 21..45, 45..46]);
        assert_eq!(paginate(21, 21, 24), vec![0..21]);
        assert_eq!(paginate(3, 21, 24), vec![0..3]);
    }

    #[test]
    fn an_empty_list_still_has_one_page() {
        assert_eq!(paginate(0, 21, 24), vec![0..0]);
    }

    #[test]
    fn zero_capacity_cannot_hang() {
        assert_eq!(paginate(3, 0, 0), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn rows_that_fit_counts_whole_rows() {
        let top = TABLE_BOTTOM_LIMIT - HEADER_ROW_H - 2.5 * ROW_H;
        assert_eq!(rows_that_fit(top), 2);
        assert_eq!(rows_that_fit(TABLE_BOTTOM_LIMIT), 0);
        assert!(rows_that_fit(MARGIN_TOP) >= 24);
    }
}
