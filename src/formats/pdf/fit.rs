//! Setting user text in a fixed width: shrink a little, wrap onto two lines, or cut with "…".
//! Independent of the font (widths come from a `measure` function), so it is tested with a
//! stand-in font.

/// Text fitted into a width: possibly at a smaller size, possibly cut short with "…".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fitted {
    pub text: String,
    pub size: f32,
}

/// Fits `text` into `max_width` points: at `size` if it fits, else shrunk (not below
/// `min_size`), else at `min_size` cut at the end with "…". `measure(text, size)` gives a
/// string's advance width in points.
pub(crate) fn fit_text(
    text: &str,
    max_width: f32,
    size: f32,
    min_size: f32,
    measure: impl Fn(&str, f32) -> f32,
) -> Fitted {
    let width = measure(text, size);
    if width <= max_width {
        return Fitted { text: text.to_owned(), size };
    }
    let shrunk = size * max_width / width;
    if shrunk >= min_size {
        return Fitted { text: text.to_owned(), size: shrunk };
    }
    // Drop characters from the end until the rest plus the ellipsis fits. Cells hold names and
    // unit names, a few dozen characters, so re-measuring each shorter prefix costs nothing.
    let mut end = text.len();
    while end > 0 {
        end = text[..end].char_indices().next_back().map_or(0, |(i, _)| i);
        let candidate = format!("{}…", text[..end].trim_end());
        if measure(&candidate, min_size) <= max_width {
            return Fitted { text: candidate, size: min_size };
        }
    }
    Fitted { text: String::new(), size: min_size }
}

/// Text set in a table cell: one line, or two when one would have to be too small.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FittedCell {
    pub lines: Vec<String>,
    pub size: f32,
}

/// Below this size a single line is given up for two larger lines: 9 pt is about the smallest
/// an elderly reader finds their own name at on paper.
const SINGLE_LINE_MIN_SIZE: f32 = 9.0;
/// Two lines of text at most this size fit in a 10 mm row with air above and below.
pub(crate) const TWO_LINE_MAX_SIZE: f32 = 10.5;
/// Distance between the two lines' baselines, as a fraction of the size.
pub(crate) const LINE_SPACING: f32 = 1.15;

/// Characters a Chinese line must not start with (a simple form of the 禁则 rules).
const NO_LINE_START: &str = "·、，。：；！？）》」』…,.;:!?)";
/// Characters after which a line may well break: separators inside transliterated names and
/// lists.
const BREAK_AFTER: &str = "·、，/ ";

/// Fits `text` into a cell `max_width` wide: one line at `size` or slightly shrunk; else two
/// lines, as large as possible up to [`TWO_LINE_MAX_SIZE`]; else two lines at `min_size` with
/// the second cut with "…". Long names ("阿卜杜热合曼·买买提") and notes stay readable instead of
/// shrinking to nothing.
pub(crate) fn fit_cell(
    text: &str,
    max_width: f32,
    size: f32,
    min_size: f32,
    measure: impl Fn(&str, f32) -> f32,
) -> FittedCell {
    let single = fit_text(text, max_width, size, SINGLE_LINE_MIN_SIZE.min(size), &measure);
    if !single.text.ends_with('…') || text.ends_with('…') {
        return FittedCell { lines: vec![single.text], size: single.size };
    }
    // Try two lines from the largest size down in half-point steps.
    let mut two_size = size.min(TWO_LINE_MAX_SIZE);
    while two_size >= min_size {
        if let Some((first, rest)) = split_line(text, max_width, two_size, &measure)
            && measure(rest, two_size) <= max_width
        {
            return FittedCell { lines: vec![first.to_owned(), rest.to_owned()], size: two_size };
        }
        two_size -= 0.5;
    }
    let Some((first, rest)) = split_line(text, max_width, min_size, &measure) else {
        return FittedCell { lines: vec![String::new()], size: min_size };
    };
    let rest = fit_text(rest, max_width, min_size, min_size, &measure);
    FittedCell { lines: vec![first.to_owned(), rest.text], size: min_size }
}

/// Splits `text` into a first line that fits `max_width` at `size` and the rest (trimmed).
/// Prefers the latest break after a separator that lets the rest fit on one line too;
/// otherwise breaks as late as possible, but never leaves a closing punctuation mark at the
/// start of the second line. `None` if not even one character fits.
fn split_line<'t>(
    text: &'t str,
    max_width: f32,
    size: f32,
    measure: &impl Fn(&str, f32) -> f32,
) -> Option<(&'t str, &'t str)> {
    let ends: Vec<usize> = text.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
    // The longest prefix that fits; prefixes only grow wider, so stop at the first miss.
    let fitting = ends.iter().take_while(|&&end| measure(&text[..end], size) <= max_width).count();
    if fitting == 0 {
        return None;
    }
    let split = |cut: usize| (text[..cut].trim_end(), text[cut..].trim_start());
    let at_separator = ends[..fitting].iter().rev().find(|&&end| {
        let last = text[..end].chars().next_back();
        last.is_some_and(|c| BREAK_AFTER.contains(c))
            && end < text.len()
            && measure(split(end).1, size) <= max_width
    });
    if let Some(&cut) = at_separator {
        return Some(split(cut));
    }
    let mut cut = ends[fitting - 1];
    // 禁则: move the break left until the second line does not open with punctuation.
    while cut < text.len() && text[cut..].starts_with(|c: char| NO_LINE_START.contains(c)) {
        match text[..cut].char_indices().next_back() {
            Some((prev, _)) if prev > 0 => cut = prev,
            _ => break,
        }
    }
    Some(split(cut))
}

/// Makes user text safe to set on one line: control characters (newlines and tabs from a
/// pasted spreadsheet cell) become spaces, runs of whitespace collapse, ends are trimmed.
pub(crate) fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::pdf::layout::ROW_H;

    /// A stand-in font: every character is one em wide.
    fn monospace(text: &str, size: f32) -> f32 {
        text.chars().count() as f32 * size
    }

    #[test]
    fn text_that_fits_is_untouched() {
        let fitted = fit_text("张三", 100.0, 12.0, 8.0, monospace);
        assert_eq!(fitted, Fitted { text: "张三".into(), size: 12.0 });
    }

    #[test]
    fn text_slightly_too_wide_shrinks() {
        // 10 chars × 12 pt = 120 pt into 100 pt → 10 pt.
        let fitted = fit_text("石湫街道蟹塘社区党委", 100.0, 12.0, 8.0, monospace);
        assert_eq!(fitted.text, "石湫街道蟹塘社区党委");
        assert!((fitted.size - 10.0).abs() < 1e-4);
    }

    #[test]
    fn text_far_too_wide_is_cut_with_an_ellipsis() {
        // At 8 pt, 100 pt holds 12 characters: 11 plus "…".
        let long = "石湫街道新时代文明实践所理论宣讲志愿服务队第一分队";
        let fitted = fit_text(long, 100.0, 12.0, 8.0, monospace);
        assert_eq!(fitted.size, 8.0);
        assert_eq!(fitted.text, "石湫街道新时代文明实践…");
        assert!(monospace(&fitted.text, 8.0) <= 100.0);
    }

    #[test]
    fn nothing_fits_gives_empty_text() {
        let fitted = fit_text("张三", 1.0, 12.0, 8.0, monospace);
        assert_eq!(fitted.text, "");
    }

    #[test]
    fn one_line_flattens_pasted_text() {
        assert_eq!(one_line("  张三\n"), "张三");
        assert_eq!(one_line("蟹塘\r\n社区\t一组"), "蟹塘 社区 一组");
        assert_eq!(one_line("a\u{7}b"), "a b");
        assert_eq!(one_line(""), "");
    }

    #[test]
    fn a_cell_that_fits_is_one_line() {
        let cell = fit_cell("张三", 66.0, 13.0, 7.5, monospace);
        assert_eq!(cell.lines, vec!["张三"]);
        assert_eq!(cell.size, 13.0);
    }

    #[test]
    fn a_slightly_long_cell_shrinks_on_one_line() {
        // 6 × 13 = 78 pt into 66 pt → 11 pt, above the single-line minimum.
        let cell = fit_cell("诸葛孔明先生", 66.0, 13.0, 7.5, monospace);
        assert_eq!(cell.lines.len(), 1);
        assert!((cell.size - 11.0).abs() < 1e-4);
    }

    #[test]
    fn a_long_name_wraps_onto_two_lines() {
        // One line would need 66/10 = 6.6 pt; two lines fit at 10.5 pt (6 characters each),
        // and "·" may not open the second line.
        let cell = fit_cell("阿卜杜热合曼·买买提", 66.0, 13.0, 7.5, monospace);
        assert_eq!(cell.size, TWO_LINE_MAX_SIZE);
        assert_eq!(cell.lines, vec!["阿卜杜热合", "曼·买买提"]);
    }

    #[test]
    fn a_list_wraps_after_a_separator_when_it_can() {
        let cell = fit_cell("张三、李四、王五", 60.0, 10.5, 7.5, monospace);
        assert_eq!(cell.lines, vec!["张三、", "李四、王五"]);
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        let cell = fit_cell("老党员、困难党员、送学上门", 60.0, 10.5, 7.5, monospace);
        assert_eq!(cell.lines.len(), 2);
        for line in &cell.lines {
            assert!(!line.starts_with('、'), "{cell:?}");
            assert!(monospace(line, cell.size) <= 60.0, "{cell:?}");
        }
        assert_eq!(cell.lines.concat(), "老党员、困难党员、送学上门");
    }

    #[test]
    fn a_cell_too_long_for_two_lines_is_cut() {
        let text = "石湫街道新时代文明实践所理论宣讲志愿服务队第一分队第三小组联络员";
        let cell = fit_cell(text, 60.0, 11.0, 7.5, monospace);
        assert_eq!(cell.size, 7.5);
        assert_eq!(cell.lines.len(), 2);
        assert!(cell.lines[1].ends_with('…'));
        assert!(text.starts_with(&cell.lines[0]));
        for line in &cell.lines {
            assert!(monospace(line, 7.5) <= 60.0);
        }
    }

    #[test]
    fn two_lines_fit_in_a_row() {
        let height = (1.0 + LINE_SPACING) * TWO_LINE_MAX_SIZE;
        assert!(height < ROW_H - 2.0, "{height} vs {ROW_H}");
    }
}
