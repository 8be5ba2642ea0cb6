//! Horizontal bar chart: one row per village, label on the left, value at the bar's end.

use std::fmt::Write as _;

use super::{
    INK, LABEL_SIZE, RED, VIEW_W, empty_svg, escape, format_value, n, open_svg, text_width, truncate_to_width,
};

/// Distance between rows.
const ROW_PITCH: f64 = 28.0;
/// Thickness of a bar.
const BAR_H: f64 = 18.0;
/// Top of the first row, below the title.
const FIRST_ROW_TOP: f64 = 34.0;
/// Gap between a label's end and its bar, and between a bar's end and its value.
const GAP: f64 = 6.0;
/// Labels take at most this share of the width; longer ones are cut with "…".
const MAX_LABEL_SHARE: f64 = 0.36;

/// Renders a horizontal bar chart: one row per `(label, value)` in the given order, the label
/// right-aligned on the left, a Party-red bar, and the value with
/// `unit_suffix` (e.g. "%") just past the bar's end.
///
/// Bars scale to `max` (e.g. `Some(100.0)` for percentages), or to the largest value when
/// `None`. Values beyond the scale fill the track; negative and non-finite values draw no bar
/// (a non-finite value is labelled "—"). Rows are horizontal because fourteen Chinese village
/// names do not fit under vertical bars on a phone. Labels too long for the label column are
/// cut with "…" and keep their full text in a tooltip. No data gives a "暂无数据" placeholder.
pub fn bar_chart_svg(title: &str, bars: &[(String, f64)], max: Option<f64>, unit_suffix: &str) -> String {
    if bars.is_empty() {
        return empty_svg(title);
    }
    let scale = scale_max(bars, max);
    let values: Vec<String> =
        bars.iter().map(|(_, v)| format!("{}{unit_suffix}", format_value(*v))).collect();

    let widest_label = bars.iter().map(|(label, _)| text_width(label, LABEL_SIZE)).fold(0.0, f64::max);
    let label_w = widest_label.min(VIEW_W * MAX_LABEL_SHARE);
    let widest_value = values.iter().map(|v| text_width(v, LABEL_SIZE)).fold(0.0, f64::max);
    // The bars' area: from the labels to where a full bar ends, leaving room after a full bar
    // for its value so even the largest value stays inside the chart.
    let track_x = label_w + GAP;
    let track_w = (VIEW_W - track_x - GAP - widest_value).max(VIEW_W * 0.25);

    let height = FIRST_ROW_TOP + bars.len() as f64 * ROW_PITCH;
    let desc: Vec<String> =
        bars.iter().zip(&values).map(|((label, _), value)| format!("{label} {value}")).collect();
    let mut out = String::new();
    open_svg(&mut out, height, title, &desc.join("；"));

    for (i, ((label, value), value_text)) in bars.iter().zip(&values).enumerate() {
        let top = FIRST_ROW_TOP + i as f64 * ROW_PITCH + (ROW_PITCH - BAR_H) / 2.0;
        let baseline = top + BAR_H / 2.0 + LABEL_SIZE * 0.35;
        let fraction = if value.is_finite() && scale > 0.0 { (value / scale).clamp(0.0, 1.0) } else { 0.0 };
        let bar_w = track_w * fraction;
        let shown = truncate_to_width(label, label_w, LABEL_SIZE);
        let _ = write!(out, "<g>");
        if shown != *label {
            // The cut label's full text, shown on hover and read by assistive technology.
            let _ = write!(out, "<title>{}</title>", escape(label));
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{LABEL_SIZE}" text-anchor="end" fill="{INK}">{}</text>"#,
            n(label_w),
            n(baseline),
            escape(&shown)
        );
        if bar_w > 0.0 {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{BAR_H}" rx="2" fill="{RED}"/>"#,
                n(track_x),
                n(top),
                n(bar_w)
            );
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{LABEL_SIZE}" fill="{INK}">{}</text></g>"#,
            n(track_x + bar_w + GAP),
            n(baseline),
            escape(value_text)
        );
    }
    out.push_str("</svg>");
    out
}

/// The value a full bar stands for: the given maximum if it is a positive number, else the
/// largest value, else 1 (all zero: every bar empty rather than a division by zero).
fn scale_max(bars: &[(String, f64)], max: Option<f64>) -> f64 {
    match max {
        Some(m) if m.is_finite() && m > 0.0 => m,
        _ => {
            let largest = bars.iter().map(|(_, v)| *v).filter(|v| v.is_finite()).fold(0.0, f64::max);
            if largest > 0.0 { largest } else { 1.0 }
        }
    }
}
