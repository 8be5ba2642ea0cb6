use super::*;
use crate::column::model::ArticleStatus;

fn article(id: i64, title: &str, day: u32) -> Article {
    Article {
        id,
        title: title.into(),
        author: "石湫街道".into(),
        categories: "工作动态\n图片新闻".into(),
        summary: "摘要 & <要点>".into(),
        body: "<p>正文]]>结束</p><p><img src=\"/column/images/3.jpg\" alt=\"\"></p>".into(),
        cover_url: "/column/images/3.jpg".into(),
        comments: false,
        status: ArticleStatus::Published,
        dated_at: format!("2026-01-{day:02}T08:00:00Z").parse().unwrap(),
        unit_id: None,
        source_key: None,
    }
}

#[test]
fn generated_feeds_parse_as_xml_rss_and_atom_with_absolute_links() {
    let info = FeedInfo { base: "https://dx.example", category: Some("工作动态") };
    let articles = [article(2, "新的", 9), article(1, "旧的 & \"引号\"", 2)];
    let rss_text = rss(&info, &articles);
    roxmltree::Document::parse(&rss_text).expect("well-formed RSS");
    let channel = ::rss::Channel::read_from(rss_text.as_bytes()).expect("RSS 2.0");
    assert_eq!(channel.link(), "https://dx.example/column?category=%E5%B7%A5%E4%BD%9C%E5%8A%A8%E6%80%81");
    assert_eq!(channel.items()[1].title(), Some("旧的 & \"引号\""));
    assert_eq!(channel.items()[0].link(), Some("https://dx.example/column/2"));
    let content = channel.items()[0].content().unwrap();
    assert!(
        content.contains("]]>结束") && content.contains("src=\"https://dx.example/column/images/3.jpg\"")
    );
    assert_eq!(channel.items()[0].enclosure().unwrap().url(), "https://dx.example/column/images/3.jpg");

    let atom_text = atom(&info, &articles, "https://dx.example/column/atom.xml");
    roxmltree::Document::parse(&atom_text).expect("well-formed Atom");
    let feed = atom_syndication::Feed::read_from(atom_text.as_bytes()).expect("Atom");
    assert_eq!(feed.updated().to_rfc3339(), "2026-01-09T08:00:00+00:00");
    assert_eq!(feed.entries()[0].categories().len(), 2);
    assert_eq!(feed.entries()[1].summary().unwrap().as_str(), "摘要 & <要点>");
}
