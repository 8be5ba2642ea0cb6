use super::*;

/// Anything that could run script or load from elsewhere unasked.
fn assert_harmless(html: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<svg",
        "<iframe",
        "style=",
        "<style",
        "data:",
    ] {
        assert!(!lower.contains(bad), "{bad} survived in {html}");
    }
}

#[test]
fn the_sanitiser_leaves_no_script_from_an_xss_corpus() {
    let corpus = [
        "<script>alert(1)</script><p>正文</p>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<a href=\"javascript:alert(1)\">点我</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">点我</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<svg onload=alert(1)><circle r=1></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<p style=\"background:url(javascript:alert(1))\">x</p>",
        "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%\">覆盖</div>",
        "<style>body{display:none}</style>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<body onload=alert(1)>",
        "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<p onmouseover=\"alert(1)\">悬停</p>",
        "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
        "<form action=\"https://evil.example\"><input name=p></form>",
        "<<script>script>alert(1)<</script>/script>",
    ];
    for input in corpus {
        assert_harmless(&sanitise(input));
    }
}

#[test]
fn the_sanitiser_keeps_what_an_article_needs() {
    let body = sanitise(
        "<p class=\"p_image\"><img src=\"http://img.example/a.png\" alt=\"合影\" referrerpolicy=\"no-referrer\"></p>\
         <h2>小标题</h2><p><strong>要点</strong>：<a href=\"https://example.com/x\">原文</a></p>",
    );
    assert!(body.contains("<img src=\"http://img.example/a.png\""), "{body}");
    assert!(body.contains("referrerpolicy=\"no-referrer\""), "{body}");
    assert!(body.contains("<h2>小标题</h2>") && body.contains("<strong>要点</strong>"), "{body}");
    assert!(body.contains("rel=\"noopener noreferrer\""), "{body}");
    assert_eq!(sanitise(&body), body, "sanitising twice changes nothing");
}

#[test]
fn plain_paragraphs_become_html_paragraphs() {
    assert_eq!(body_html("第一段\n\n第二段<>"), "<p>第一段</p>\n<p>第二段&lt;&gt;</p>");
    assert_eq!(body_html("一\n二"), "<p>一<br>二</p>");
}

#[test]
fn only_the_committee_publishes_and_returns() {
    use ArticleStatus::*;
    assert_eq!(next_status(Role::StationAdmin, Draft, Step::Submit), Some(Review));
    assert_eq!(next_status(Role::StationAdmin, Review, Step::Publish), None);
    assert_eq!(next_status(Role::StationAdmin, Draft, Step::Publish), None);
    assert_eq!(next_status(Role::CommitteeAdmin, Review, Step::Publish), Some(Published));
    assert_eq!(next_status(Role::CommitteeAdmin, Published, Step::Return), Some(Draft));
    assert_eq!(next_status(Role::CommitteeAdmin, Published, Step::Publish), None);
    assert_eq!(next_status(Role::Member, Draft, Step::Submit), None);
    assert!(may_edit(Role::StationAdmin, Draft) && !may_edit(Role::StationAdmin, Review));
    assert!(!may_edit(Role::CommitteeAdmin, Published));
}

#[test]
fn an_article_is_checked_field_by_field() {
    let problems = ArticleInput { title: "a".into(), cover_url: "javascript:x".into(), ..Default::default() }
        .check()
        .unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.0).collect();
    assert_eq!(fields, ["title", "categories", "body", "cover_url"]);
    let fields = ArticleInput {
        title: " 冬训动态 ".into(),
        categories: "工作动态，  图片新闻,工作动态".into(),
        body: "<p>正文<script>x</script></p>".into(),
        ..Default::default()
    }
    .check()
    .unwrap();
    assert_eq!(fields.title, "冬训动态");
    assert_eq!(fields.categories, "工作动态\n图片新闻");
    assert_eq!(fields.body, "<p>正文</p>");
    assert_eq!(fields.summary, "正文");
}

#[test]
fn a_summary_is_cut_at_a_character_boundary() {
    assert_eq!(text_summary("<p>一二三四五</p>", 3), "一二三…");
    assert_eq!(text_summary("<p>a&amp;b</p><p>c</p>", 10), "a&b c");
}
