//! Chart tests: every SVG is parsed as XML, then its structure and numbers are checked.

use roxmltree::{Document, Node};

use super::line::{axis_range, label_indices, nice_step};
use super::*;

fn villages() -> Vec<(String, f64)> {
    [("蟹塘社区", 92.5), ("石湫社区", 88.0), ("九塘行政村", 100.0), ("向阳村", 47.25), ("明觉村", 0.0)]
        .into_iter()
        .map(|(l, v)| (l.to_owned(), v))
        .collect()
}

fn days(values: &[f64]) -> Vec<(String, f64)> {
    values.iter().enumerate().map(|(i, v)| (format!("12-{:02}", i + 7), *v)).collect()
}

/// Parses the SVG (panicking with the text if it is not well-formed XML).
fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("not XML ({e}):\n{svg}"))
}

fn elements<'a, 'i>(doc: &'a Document<'i>, name: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| n.is_element() && n.tag_name().name() == name).collect()
}

fn num(node: &Node<'_, '_>, attr: &str) -> f64 {
    node.attribute(attr).unwrap().parse().unwrap()
}

fn texts(doc: &Document<'_>) -> Vec<String> {
    elements(doc, "text").iter().map(|t| t.text().unwrap_or("").to_owned()).collect()
}

/// The checks every chart must pass: a standalone, accessible, responsive SVG.
fn assert_chart_shell(doc: &Document<'_>, title: &str) {
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("width"), Some("100%"));
    assert!(root.attribute("viewBox").unwrap().starts_with("0 0 360 "));
    assert_eq!(root.attribute("font-family"), Some("Noto Sans CJK SC, sans-serif"));
    let first = root.first_element_child().unwrap();
    assert_eq!(first.tag_name().name(), "title", "<title> comes first");
    assert_eq!(first.text(), Some(title));
    // Nothing that could load from elsewhere or run.
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(!matches!(node.tag_name().name(), "script" | "image" | "use" | "foreignObject"));
        for attr in node.attributes() {
            assert!(!attr.name().contains("href"), "{}", attr.name());
            assert!(!attr.value().contains("url("), "{}", attr.value());
        }
    }
}

#[test]
fn bar_chart_structure() {
    let svg = bar_chart_svg("各村社覆盖率", &villages(), Some(100.0), "%");
    let doc = parse(&svg);
    assert_chart_shell(&doc, "各村社覆盖率");
    let texts = texts(&doc);
    for label in ["各村社覆盖率", "蟹塘社区", "九塘行政村", "92.5%", "100%", "47.3%", "0%"] {
        assert!(texts.iter().any(|t| t == label), "{label} missing: {texts:?}");
    }
    let red = elements(&doc, "rect").into_iter().filter(|r| r.attribute("fill") == Some("#c8161d")).count();
    assert_eq!(red, 4, "the zero value draws no bar");
    let desc = elements(&doc, "desc")[0].text().unwrap();
    assert!(desc.contains("蟹塘社区 92.5%"), "{desc}");
}

/// Width of each row's red bar (0 if none) as a share of `full`, the width of a full bar.
fn bar_fractions(svg: &str, full: f64) -> Vec<f64> {
    let doc = parse(svg);
    elements(&doc, "g")
        .iter()
        .map(|group| {
            group.children().find(|n| n.tag_name().name() == "rect").map_or(0.0, |r| num(&r, "width") / full)
        })
        .collect()
}

/// The widest red bar's width.
fn widest_bar(svg: &str) -> f64 {
    let doc = parse(svg);
    elements(&doc, "rect")
        .iter()
        .filter(|r| r.attribute("fill") == Some("#c8161d"))
        .map(|r| num(r, "width"))
        .fold(0.0, f64::max)
}

/// All bars start at the same x, right of every label.
fn assert_bars_aligned(svg: &str) {
    let doc = parse(svg);
    let xs: Vec<f64> = elements(&doc, "rect")
        .iter()
        .filter(|r| r.attribute("fill") == Some("#c8161d"))
        .map(|r| num(r, "x"))
        .collect();
    assert!(xs.windows(2).all(|w| w[0] == w[1]), "{xs:?}");
}

#[test]
fn bars_scale_to_the_given_max() {
    let svg = bar_chart_svg("覆盖率", &villages(), Some(100.0), "%");
    assert_bars_aligned(&svg);
    // 九塘行政村 is at 100 %, a full bar.
    let fractions = bar_fractions(&svg, widest_bar(&svg));
    let expected = [0.925, 0.88, 1.0, 0.4725, 0.0];
    for (got, want) in fractions.iter().zip(expected) {
        assert!((got - want).abs() < 0.001, "{fractions:?}");
    }
}

#[test]
fn bars_scale_to_the_largest_value_without_a_max() {
    let bars = vec![("甲".to_owned(), 30.0), ("乙".to_owned(), 120.0), ("丙".to_owned(), 60.0)];
    let svg = bar_chart_svg("签到人数", &bars, None, "人");
    let fractions = bar_fractions(&svg, widest_bar(&svg));
    assert_eq!(fractions.len(), 3);
    assert!((fractions[0] - 0.25).abs() < 0.001);
    assert!((fractions[1] - 1.0).abs() < 0.001);
    assert!((fractions[2] - 0.5).abs() < 0.001);
}

#[test]
fn odd_values_do_not_break_bars() {
    let bars = vec![
        ("超过".to_owned(), 150.0),
        ("负数".to_owned(), -5.0),
        ("无效".to_owned(), f64::NAN),
        ("零".to_owned(), 0.0),
    ];
    let svg = bar_chart_svg("异常值", &bars, Some(100.0), "%");
    let fractions = bar_fractions(&svg, widest_bar(&svg));
    assert_eq!(fractions, vec![1.0, 0.0, 0.0, 0.0]);
    // The over-full bar stops where a full bar ends: its value label stays inside the chart.
    let doc = parse(&svg);
    let value_x = num(&elements(&doc, "text")[2], "x");
    assert!(value_x + text_width("150%", LABEL_SIZE) <= VIEW_W, "{value_x}");
    let texts = texts(&parse(&svg));
    assert!(texts.contains(&"—%".to_owned()), "{texts:?}");
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
    // All zero without a max: empty bars, no division by zero.
    let zeros = vec![("甲".to_owned(), 0.0)];
    assert_eq!(bar_fractions(&bar_chart_svg("零", &zeros, None, ""), 1.0), vec![0.0]);
}

#[test]
fn a_long_label_is_cut_and_keeps_its_full_text() {
    let long = "石湫街道新时代文明实践所理论宣讲志愿服务队";
    let bars = vec![(long.to_owned(), 10.0), ("短".to_owned(), 5.0)];
    let svg = bar_chart_svg("长标签", &bars, None, "");
    let doc = parse(&svg);
    let texts = texts(&doc);
    assert!(texts.iter().any(|t| t.ends_with('…') && long.starts_with(t.trim_end_matches('…'))));
    let tooltips: Vec<_> =
        elements(&doc, "title").iter().filter_map(|t| t.text()).map(str::to_owned).collect();
    assert!(tooltips.contains(&long.to_owned()), "{tooltips:?}");
    assert!(texts.contains(&"短".to_owned()));
}

#[test]
fn all_text_is_escaped() {
    let nasty = r#"<&>"'"#;
    let bars = vec![(nasty.to_owned(), 1.0)];
    for svg in [bar_chart_svg(nasty, &bars, None, nasty), line_chart_svg(nasty, &bars, nasty)] {
        assert!(!svg.contains(nasty), "raw text leaked:\n{svg}");
        assert!(svg.contains("&lt;&amp;&gt;&quot;&#39;"));
        let doc = parse(&svg);
        assert_chart_shell(&doc, nasty);
        assert!(texts(&doc).iter().any(|t| t.contains(nasty)));
    }
    // A control character from a pasted cell would make the XML invalid.
    let svg = bar_chart_svg("a\u{1}b", &[("c\u{8}d".to_owned(), 1.0)], None, "");
    parse(&svg);
}

#[test]
fn empty_input_gives_a_placeholder() {
    for svg in [
        bar_chart_svg("各村社覆盖率", &[], Some(100.0), "%"),
        line_chart_svg("每日签到", &[], "人"),
        line_chart_svg("每日签到", &days(&[f64::NAN]), "人"),
    ] {
        let doc = parse(&svg);
        assert_chart_shell(&doc, if svg.contains("覆盖率") { "各村社覆盖率" } else { "每日签到" });
        assert!(texts(&doc).contains(&"暂无数据".to_owned()), "{svg}");
        assert!(elements(&doc, "circle").is_empty() && elements(&doc, "polyline").is_empty());
    }
}

#[test]
fn line_chart_structure() {
    let values = [12.0, 30.0, 25.0, 37.0, 35.0];
    let svg = line_chart_svg("每日签到人数", &days(&values), "人");
    let doc = parse(&svg);
    assert_chart_shell(&doc, "每日签到人数");
    assert_eq!(elements(&doc, "circle").len(), 5);
    let polyline = &elements(&doc, "polyline")[0];
    assert_eq!(polyline.attribute("stroke"), Some("#c8161d"));
    assert_eq!(polyline.attribute("points").unwrap().split(' ').count(), 5);
    let texts = texts(&doc);
    // Round gridline values up to just above the maximum (37 → 40 in steps of 10).
    for tick in ["0", "10", "20", "30", "40"] {
        assert!(texts.contains(&tick.to_owned()), "{tick}: {texts:?}");
    }
    assert!(!texts.contains(&"50".to_owned()));
    assert!(texts.contains(&"12-07".to_owned()) && texts.contains(&"12-11".to_owned()));
    // The last value is called out.
    let callout =
        elements(&doc, "text").into_iter().find(|t| t.attribute("fill") == Some("#c8161d")).unwrap();
    assert_eq!(callout.text(), Some("35人"));
    // Gridlines are muted, not red.
    assert!(elements(&doc, "line").iter().all(|l| l.attribute("stroke") != Some("#c8161d")));
}

#[test]
fn line_points_scale_to_the_axis() {
    let svg = line_chart_svg("趋势", &days(&[0.0, 20.0, 40.0]), "");
    let doc = parse(&svg);
    let ys: Vec<f64> = elements(&doc, "circle").iter().map(|c| num(c, "cy")).collect();
    let xs: Vec<f64> = elements(&doc, "circle").iter().map(|c| num(c, "cx")).collect();
    // 0 on the bottom gridline, 40 (the axis top) on the top one, 20 halfway.
    let grid: Vec<f64> = elements(&doc, "line").iter().map(|l| num(l, "y1")).collect();
    let (top, bottom) =
        (grid.iter().cloned().fold(f64::MAX, f64::min), grid.iter().cloned().fold(0.0, f64::max));
    assert!((ys[0] - bottom).abs() < 0.01 && (ys[2] - top).abs() < 0.01, "{ys:?} {grid:?}");
    assert!((ys[1] - (top + bottom) / 2.0).abs() < 0.01);
    // Evenly spaced days.
    assert!(((xs[1] - xs[0]) - (xs[2] - xs[1])).abs() < 0.01);
}

#[test]
fn one_point_is_a_dot_without_a_line() {
    let doc_text = line_chart_svg("今日", &days(&[8.0]), "人");
    let doc = parse(&doc_text);
    assert_eq!(elements(&doc, "circle").len(), 1);
    assert!(elements(&doc, "polyline").is_empty());
    assert!(texts(&doc).contains(&"8人".to_owned()));
}

#[test]
fn gaps_in_a_series_are_skipped() {
    let doc_text = line_chart_svg("趋势", &days(&[3.0, f64::NAN, 5.0]), "");
    let doc = parse(&doc_text);
    assert_eq!(elements(&doc, "circle").len(), 2);
    assert!(!doc_text.contains("NaN"));
}

#[test]
fn x_labels_never_crowd() {
    let values: Vec<f64> = (0..90).map(|i| f64::from(i % 17)).collect();
    let points = days(&values);
    let picked = label_indices(&points, 300.0);
    assert_eq!(picked.first(), Some(&0));
    assert_eq!(picked.last(), Some(&89));
    let spacing = 300.0 / 89.0;
    let slot = text_width("12-07", TICK_SIZE);
    for pair in picked.windows(2) {
        assert!((pair[1] - pair[0]) as f64 * spacing >= slot, "{picked:?}");
    }
    // A week fits every label.
    assert_eq!(label_indices(&days(&[1.0; 7]), 300.0), (0..7).collect::<Vec<_>>());
}

#[test]
fn axis_steps_are_round() {
    assert_eq!(nice_step(9.25), 10.0);
    assert_eq!(nice_step(0.75), 1.0);
    assert_eq!(nice_step(1.2), 2.0);
    assert_eq!(nice_step(2.2), 2.5);
    assert_eq!(nice_step(30.0), 50.0);
    assert_eq!(nice_step(100.0), 100.0);
    assert_eq!(axis_range([12.0, 37.0].into_iter()), (0.0, 40.0, 10.0));
    assert_eq!(axis_range([0.0, 0.0].into_iter()), (0.0, 1.0, 0.25));
    assert_eq!(axis_range([-3.0, 5.0].into_iter()), (-4.0, 6.0, 2.0));
}

#[test]
fn values_are_written_as_people_write_them() {
    assert_eq!(format_value(87.5), "87.5");
    assert_eq!(format_value(100.0), "100");
    assert_eq!(format_value(47.25), "47.3");
    assert_eq!(format_value(-0.01), "0");
    assert_eq!(format_value(1234.0), "1234");
    assert_eq!(format_value(f64::INFINITY), "—");
}

#[test]
fn width_estimates_treat_hanzi_as_wide() {
    assert_eq!(text_width("蟹塘", 10.0), 20.0);
    assert!((text_width("12-07", 10.0) - 30.0).abs() < 1e-9);
    assert_eq!(truncate_to_width("蟹塘社区", 100.0, 10.0), "蟹塘社区");
    assert_eq!(truncate_to_width("蟹塘社区党委", 40.0, 10.0), "蟹塘社…");
}
