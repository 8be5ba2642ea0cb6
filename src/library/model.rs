//! The library's pure rules: what an item is, how an article's HTML is made safe, and when a
//! reading counts (time summed from heartbeats, capped per beat, and the end reached).

use chrono::{DateTime, Utc};

use crate::coded_enum;

coded_enum! {
    /// What a library item is.
    ItemKind {
        /// An article to read in the app (rich text).
        Article = ("article", "文章"),
        /// A link to material elsewhere (a PDF, a video platform, 学习强国).
        Link = ("link", "链接"),
        /// A PDF uploaded into the data directory, shown in the browser.
        Pdf = ("pdf", "PDF"),
        /// A printed book: physical copies in stock, handed over on door-to-door visits.
        Book = ("book", "图书"),
    }
}

coded_enum! {
    /// What changed a book's stock.
    MoveKind {
        /// 入库: copies received.
        In = ("in", "入库"),
        /// 送出: one copy handed over on a door-to-door visit.
        Out = ("out", "送出"),
        /// 调整: counted in or written off (lost, damaged), with a reason.
        Adjust = ("adjust", "调整"),
    }
}

/// Most copies one restock or adjustment may move.
pub const MAX_MOVE: i64 = 10_000;

/// A restock or adjustment as typed: `in` with a positive count, or `adjust` with a signed one
/// (`-2` written off, `+1` found), always with a reason. Returns the change to the stock, or the
/// problems by field name; the stock may never go below zero.
pub fn stock_change(
    kind: &str,
    count: &str,
    reason: &str,
    stock: i64,
) -> Result<(MoveKind, i64), Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let kind = match MoveKind::from_code(kind.trim()) {
        Some(MoveKind::Out) | None => {
            errors.push(("kind", "请选择入库或调整".to_owned()));
            None
        }
        Some(kind) => Some(kind),
    };
    let count = count.trim().trim_start_matches('+').parse::<i64>().ok();
    let delta = match (kind, count) {
        (_, None) => {
            errors.push(("count", "请填写册数（整数）".to_owned()));
            None
        }
        (_, Some(0)) => {
            errors.push(("count", "册数不能为0".to_owned()));
            None
        }
        (_, Some(n)) if n.abs() > MAX_MOVE => {
            errors.push(("count", format!("一次不能超过{MAX_MOVE}册")));
            None
        }
        (Some(MoveKind::In), Some(n)) if n < 0 => {
            errors.push(("count", "入库册数应为正数；核减请选“调整”".to_owned()));
            None
        }
        (_, Some(n)) if stock + n < 0 => {
            errors.push(("count", format!("库存不能少于0（现有{stock}册，最多核减{stock}册）")));
            None
        }
        (_, Some(n)) => Some(n),
    };
    let reason = reason.trim();
    if reason.is_empty() {
        errors.push(("reason", "请填写原因（如：采购入库、破损报废、盘点）".to_owned()));
    } else if reason.chars().count() > 100 {
        errors.push(("reason", "原因不超过100个字".to_owned()));
    }
    match (kind, delta) {
        (Some(kind), Some(delta)) if errors.is_empty() => Ok((kind, delta)),
        _ => Err(errors),
    }
}

/// The kinds the text form adds (a PDF is uploaded through its own form).
pub fn written_kinds() -> Vec<(&'static str, &'static str)> {
    // A PDF is uploaded through its own form; a book is added to the door-to-door catalogue.
    let written = [ItemKind::Article.code(), ItemKind::Link.code()];
    ItemKind::choices().into_iter().filter(|(code, _)| written.contains(code)).collect()
}

/// Seconds between two heartbeats of the reading page.
pub const BEAT_SECONDS: i64 = 10;
/// Most seconds one heartbeat may credit: a page left in a background tab, or a phone asleep,
/// stops beating, and the gap after it does not count as reading.
pub const BEAT_CAP_SECONDS: i64 = 15;
/// Shortest and longest minimum reading time an article may ask for.
pub const MIN_SECONDS_RANGE: std::ops::RangeInclusive<i64> = 10..=1800;

/// The seconds a heartbeat at `now` credits after the previous one at `last` (none for the
/// first beat of the day: it only starts the clock).
pub fn credit(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> i64 {
    match last {
        Some(last) => (now - last).num_seconds().clamp(0, BEAT_CAP_SECONDS),
        None => 0,
    }
}

/// Whether a reading counts: the member stayed at least `min_seconds` and reached the end.
pub fn counts(seconds: i64, min_seconds: i64, reached_end: bool) -> bool {
    reached_end && seconds >= min_seconds
}

/// An article's body made safe to show: ammonia's allow-list (no script, no event handlers, no
/// `javascript:` URLs, no SVG, no style), links opened without a referrer to other hosts.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .url_schemes(["http", "https"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Tags as typed (`党章, 党史，二十大`) into a tidy, de-duplicated list.
pub fn parse_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', '，', '、', ' ']).map(str::trim).filter(|t| !t.is_empty()) {
        let tag: String = tag.chars().take(12).collect();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags.truncate(8);
    tags
}

/// A link a member may be sent to: http(s) only.
pub fn is_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 500
        && !url.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_beat_credits_the_gap_since_the_last_one_capped() {
        let now = Utc::now();
        assert_eq!(credit(None, now), 0);
        assert_eq!(credit(Some(now - Duration::seconds(10)), now), 10);
        assert_eq!(credit(Some(now - Duration::seconds(3600)), now), BEAT_CAP_SECONDS);
        assert_eq!(credit(Some(now + Duration::seconds(5)), now), 0);
    }

    #[test]
    fn reading_counts_only_with_time_and_the_end() {
        assert!(counts(60, 60, true));
        assert!(!counts(59, 60, true));
        assert!(!counts(600, 60, false));
    }

    #[test]
    fn the_sanitiser_leaves_no_script() {
        let corpus = [
            r#"<p>学习<script>alert(1)</script></p>"#,
            r#"<img src=x onerror="alert(1)">"#,
            r#"<a href="javascript:alert(1)">点我</a>"#,
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg onload=alert(1)>"#,
            r#"<p style="background:url(javascript:alert(1))">样式</p>"#,
            r#"<iframe src="https://evil.example"></iframe>"#,
            r#"<a href="JaVaScRiPt:alert(1)">x</a><math><mi xlink:href="javascript:alert(1)">"#,
            r#"<div onclick="alert(1)">点</div><object data="x"></object>"#,
        ];
        for input in corpus {
            let out = sanitize(input).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "<svg",
                "style=",
                "<iframe",
                "onclick",
                "onload",
                "<object",
            ] {
                assert!(!out.contains(bad), "{input} → {out}");
            }
        }
        assert_eq!(sanitize("<p><strong>坚定</strong>信念</p>"), "<p><strong>坚定</strong>信念</p>");
    }

    #[test]
    fn stock_changes_need_a_reason_and_never_go_below_zero() {
        assert_eq!(stock_change("in", "20", "采购入库", 0), Ok((MoveKind::In, 20)));
        assert_eq!(stock_change("adjust", "-2", "破损报废", 5), Ok((MoveKind::Adjust, -2)));
        assert_eq!(stock_change("adjust", "+1", "盘点多出", 0), Ok((MoveKind::Adjust, 1)));
        let fields = |r: Result<(MoveKind, i64), Vec<(&'static str, String)>>| {
            r.unwrap_err().into_iter().map(|(f, m)| format!("{f}:{m}")).collect::<Vec<_>>().join("|")
        };
        assert!(fields(stock_change("adjust", "-6", "盘点", 5)).contains("库存不能少于0（现有5册"));
        assert!(fields(stock_change("in", "-1", "x", 5)).contains("count:入库册数应为正数"));
        assert!(fields(stock_change("in", "0", "x", 5)).contains("count:册数不能为0"));
        assert!(fields(stock_change("out", "1", "x", 5)).contains("kind:"), "送出 is a visit's");
        assert!(fields(stock_change("in", "三", " ", 5)).contains("reason:请填写原因"));
    }

    #[test]
    fn tags_are_split_on_any_usual_separator() {
        assert_eq!(parse_tags("党章, 党史，党章、 二十大"), vec!["党章", "党史", "二十大"]);
        assert!(
            is_link("https://www.12371.cn/a.pdf")
                && !is_link("javascript:alert(1)")
                && !is_link("https://a b")
        );
    }
}
