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
    }
}

/// The kinds the text form adds (a PDF is uploaded through its own form).
pub fn written_kinds() -> Vec<(&'static str, &'static str)> {
    ItemKind::choices().into_iter().filter(|(code, _)| *code != ItemKind::Pdf.code()).collect()
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
    fn tags_are_split_on_any_usual_separator() {
        assert_eq!(parse_tags("党章, 党史，党章、 二十大"), vec!["党章", "党史", "二十大"]);
        assert!(
            is_link("https://www.12371.cn/a.pdf")
                && !is_link("javascript:alert(1)")
                && !is_link("https://a b")
        );
    }
}
