//! Server-rendered SVG charts for the committee's overview page: no JavaScript, no fonts or
//! scripts from other hosts, readable on a phone.
//!
//! Each chart is one `<svg>` with `width="100%"` and a `viewBox` about a phone's width in CSS
//! pixels, so it fills its container and its text stays near the page's own size on a phone.
//! All user text (titles, labels) is XML-escaped.

mod bar;
mod line;
#[cfg(test)]
mod tests;

pub use bar::bar_chart_svg;
pub use line::line_chart_svg;

use std::fmt::Write as _;

/// Party red, for bars and lines.
const RED: &str = "#c8161d";
/// Main text.
const INK: &str = "#333";
/// Axis labels, placeholders.
const MUTED: &str = "#888";
/// Gridlines.
const GRID: &str = "#e5e5e5";
/// The fonts the page itself uses; Debian's fonts-noto-cjk provides the first.
const FONT_FAMILY: &str = "Noto Sans CJK SC, sans-serif";

/// Width of every chart in viewBox units: about a phone's CSS width, so 13-unit text renders
/// near 13 px there and scales with the container elsewhere.
const VIEW_W: f64 = 360.0;
/// Size of the visible title.
const TITLE_SIZE: f64 = 15.0;
/// Baseline of the visible title.
const TITLE_BASELINE: f64 = 20.0;
/// Size of labels and values.
const LABEL_SIZE: f64 = 13.0;
/// Size of axis tick labels.
const TICK_SIZE: f64 = 11.0;

/// Escapes text for use in SVG character data and in double- or single-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newlines are not allowed in XML at all;
            // a stray one from a pasted spreadsheet cell must not make the page unparseable.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A value as people write it: whole numbers without decimals, others with one ("87.5").
/// Non-finite values (a division by zero upstream) show as a dash.
fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        // `+ 0.0` turns a negative zero into "0" rather than "-0".
        format!("{:.0}", rounded + 0.0)
    } else {
        format!("{rounded:.1}")
    }
}

/// Estimated advance width of `text` at `size`, without font metrics: CJK and full-width
/// characters are one em, others (digits, Latin, punctuation) about 0.6 em. Used only to
/// reserve room and to decide where to cut a label, so erring wide is safe.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if is_wide(c) { 1.0 } else { 0.6 }).sum::<f64>() * size
}

fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// Cuts `text` with "…" so its estimated width fits `max_width`; returns it unchanged if it fits.
fn truncate_to_width(text: &str, max_width: f64, size: f64) -> String {
    if text_width(text, size) <= max_width {
        return text.to_owned();
    }
    let budget = max_width - text_width("…", size);
    let mut width = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        width += text_width(c.encode_utf8(&mut [0; 4]), size);
        if width > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Opens an `<svg>` of height `height` with the accessible name `title` and the long
/// description `desc`, and draws the visible title.
fn open_svg(out: &mut String, height: f64, title: &str, desc: &str) {
    let title = escape(title);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEW_W} {height}" width="100%" role="img" font-family="{FONT_FAMILY}"><title>{title}</title>"#
    );
    if !desc.is_empty() {
        let _ = write!(out, "<desc>{}</desc>", escape(desc));
    }
    let _ = write!(
        out,
        r##"<rect width="{VIEW_W}" height="{height}" fill="#fff"/><text x="0" y="{TITLE_BASELINE}" font-size="{TITLE_SIZE}" font-weight="bold" fill="{INK}">{title}</text>"##
    );
}

/// The chart for no data: the title and a centred "暂无数据".
fn empty_svg(title: &str) -> String {
    let height = 120.0;
    let mut out = String::new();
    open_svg(&mut out, height, title, "暂无数据");
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{LABEL_SIZE}" text-anchor="middle" fill="{MUTED}">暂无数据</text></svg>"#,
        VIEW_W / 2.0,
        (height + TITLE_BASELINE) / 2.0 + LABEL_SIZE * 0.35
    );
    out
}

/// Rounds a number to 2 decimals for SVG coordinates: exact enough for any screen, and keeps
/// the markup short.
fn n(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
