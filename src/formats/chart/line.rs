//! Line chart of a daily series (attendance per day) with gridlines and the latest value
//! called out.

use std::fmt::Write as _;

use super::{GRID, MUTED, RED, TICK_SIZE, VIEW_W, empty_svg, escape, format_value, n, open_svg, text_width};

/// Height of the whole chart.
const VIEW_H: f64 = 220.0;
/// The plot area, inside the axis labels.
const PLOT_TOP: f64 = 44.0;
const PLOT_BOTTOM: f64 = VIEW_H - 26.0;
const PLOT_RIGHT: f64 = VIEW_W - 14.0;
/// Roughly how many horizontal gridlines to draw.
const TARGET_TICKS: f64 = 4.0;

/// Renders a line chart of `points` (`(x label, value)`, e.g. `("12-07", 35.0)`) in order,
/// evenly spaced: horizontal gridlines with round-number values on the left, x labels thinned
/// so they never overlap, a Party-red line with a dot per point, and the last value with
/// `unit_suffix` written above the last dot. The y axis starts at zero (or below, for negative
/// values) so a small change does not look like a collapse. Non-finite values are skipped.
/// No data gives a "暂无数据" placeholder.
pub fn line_chart_svg(title: &str, points: &[(String, f64)], unit_suffix: &str) -> String {
    let finite: Vec<(usize, f64)> =
        points.iter().enumerate().filter(|(_, (_, v))| v.is_finite()).map(|(i, (_, v))| (i, *v)).collect();
    if finite.is_empty() {
        return empty_svg(title);
    }
    let (lo, hi, step) = axis_range(finite.iter().map(|(_, v)| *v));
    let ticks: Vec<f64> = (0..).map(|k| lo + k as f64 * step).take_while(|t| *t <= hi + step / 2.0).collect();
    let tick_labels: Vec<String> = ticks.iter().map(|t| format_value(*t)).collect();
    let plot_left = tick_labels.iter().map(|t| text_width(t, TICK_SIZE)).fold(0.0, f64::max) + 8.0;
    let plot_w = PLOT_RIGHT - plot_left;
    let x_of = |i: usize| {
        if points.len() == 1 {
            plot_left + plot_w / 2.0
        } else {
            plot_left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y_of = |v: f64| PLOT_BOTTOM - (v - lo) / (hi - lo) * (PLOT_BOTTOM - PLOT_TOP);

    let desc: Vec<String> =
        points.iter().map(|(label, v)| format!("{label} {}{unit_suffix}", format_value(*v))).collect();
    let mut out = String::new();
    open_svg(&mut out, VIEW_H, title, &desc.join("；"));

    // Gridlines and their values.
    for (tick, label) in ticks.iter().zip(&tick_labels) {
        let y = n(y_of(*tick));
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{PLOT_RIGHT}" y2="{y}" stroke="{GRID}" stroke-width="1"/><text x="{}" y="{}" font-size="{TICK_SIZE}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            n(plot_left),
            n(plot_left - 6.0),
            n(y + TICK_SIZE * 0.35),
            escape(label)
        );
    }
    // The x axis, darker than the gridlines.
    let _ = write!(
        out,
        r#"<line x1="{}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="{MUTED}" stroke-width="1"/>"#,
        n(plot_left)
    );
    for i in label_indices(points, plot_w) {
        let anchor = match i {
            0 if points.len() > 1 => "start",
            i if i + 1 == points.len() && points.len() > 1 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{TICK_SIZE}" text-anchor="{anchor}" fill="{MUTED}">{}</text>"#,
            n(x_of(i)),
            n(PLOT_BOTTOM + TICK_SIZE + 5.0),
            escape(&points[i].0)
        );
    }

    // The line, then the dots over it.
    let path: Vec<String> = finite.iter().map(|(i, v)| format!("{},{}", n(x_of(*i)), n(y_of(*v)))).collect();
    if path.len() > 1 {
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{RED}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>"#,
            path.join(" ")
        );
    }
    // Dots shrink as days accumulate, so a season's worth does not turn into a thick band.
    let radius = if finite.len() > 40 { 2.0 } else { 3.0 };
    for (i, v) in &finite {
        let _ = write!(
            out,
            r##"<circle cx="{}" cy="{}" r="{radius}" fill="{RED}" stroke="#fff" stroke-width="1"/>"##,
            n(x_of(*i)),
            n(y_of(*v))
        );
    }
    if let Some(&(i, v)) = finite.last() {
        let label = format!("{}{unit_suffix}", format_value(v));
        // Above the dot, unless the line comes down into it from above: then the label would
        // sit on the line, so it goes below. Kept inside the plot's right edge.
        let came_down = finite.len() > 1 && finite[finite.len() - 2].1 > v;
        let x = (x_of(i) + 4.0).min(VIEW_W - 2.0);
        let y = if came_down {
            (y_of(v) + 8.0 + TICK_SIZE).min(PLOT_BOTTOM - 3.0)
        } else {
            (y_of(v) - 8.0).max(PLOT_TOP - 10.0)
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="end" fill="{RED}">{}</text>"#,
            n(x),
            n(y),
            TICK_SIZE + 2.0,
            escape(&label)
        );
    }
    out.push_str("</svg>");
    out
}

/// The y axis: from zero (or the lowest value, if negative) to the highest, widened to whole
/// multiples of a round step (1, 2 or 5 × 10ⁿ) giving about four gridlines.
pub(super) fn axis_range(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let (mut lo, mut hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi - lo <= f64::EPSILON {
        hi = lo + 1.0;
    }
    let step = nice_step((hi - lo) / TARGET_TICKS);
    lo = (lo / step).floor() * step;
    hi = (hi / step).ceil() * step;
    (lo, hi, step)
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at least `raw`.
pub(super) fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Which x labels to print: every k-th so that they do not overlap, always including the first
/// and the last (the latest day matters most); a label too close to the last is dropped.
pub(super) fn label_indices(points: &[(String, f64)], plot_w: f64) -> Vec<usize> {
    let count = points.len();
    if count == 0 {
        return Vec::new();
    }
    let widest = points.iter().map(|(l, _)| text_width(l, TICK_SIZE)).fold(0.0, f64::max);
    let slot = widest + 8.0;
    let spacing = if count > 1 { plot_w / (count - 1) as f64 } else { plot_w };
    let every = (slot / spacing).ceil().max(1.0) as usize;
    let mut picked: Vec<usize> = (0..count).step_by(every).collect();
    let last = count - 1;
    if picked.last() != Some(&last) {
        if let Some(&before) = picked.last()
            && (last - before) < every
            && picked.len() > 1
        {
            picked.pop();
        }
        picked.push(last);
    }
    picked
}
