use super::*;

#[test]
fn an_rss_feed_with_cdata_escaped_html_and_content_encoded_is_read() {
    let feed = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>专栏</title><item><title>冬训&amp;宣讲</title><link>https://example.com/a</link><guid>a-1</guid><pubDate>Tue, 02 Mar 2021 00:00:00 GMT</pubDate><dc:creator>张三</dc:creator><category>工作动态</category><category>图片新闻</category><description></description><content:encoded><![CDATA[<p>正文<img src="https://example.com/p.jpg" onerror="x()"></p>]]></content:encoded><enclosure url="https://example.com/c.jpg" type="image/jpeg" length="1"/></item><item><title>第二篇</title><link>https://example.com/b</link><pubDate>2021-03-03T08:00:00.123456+08:00</pubDate><description>&lt;p&gt;转义的&lt;strong&gt;HTML&lt;/strong&gt;&lt;/p&gt;</description></item></channel></rss>"#;
    assert!(looks_like_feed(feed));
    let entries = read_feed(feed).unwrap();
    assert_eq!(entries.len(), 2);
    let first = entries[0].as_ref().unwrap();
    assert_eq!(first.title, "冬训&宣讲");
    assert_eq!(first.author, "张三");
    assert_eq!(first.categories, ["工作动态", "图片新闻"]);
    assert_eq!(first.permalink, "a-1");
    assert_eq!(first.thumbnail, "https://example.com/c.jpg");
    assert_eq!(first.body, "<p>正文<img src=\"https://example.com/p.jpg\"></p>");
    assert_eq!(first.summary, "正文");
    let second = entries[1].as_ref().unwrap();
    assert_eq!(second.body, "<p>转义的<strong>HTML</strong></p>");
    assert_eq!(second.permalink, "https://example.com/b");
    assert_eq!(second.date.unwrap().to_rfc3339(), "2021-03-03T00:00:00.123456+00:00");
}

#[test]
fn an_atom_feed_is_read_and_a_bad_entry_leaves_the_others() {
    let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>t</title>\n\
        <entry><title type=\"html\">甲村&lt;冬训&gt;</title><link rel=\"alternate\" href=\"https://x.org/1\"/><id>urn:1</id>\
        <updated>2021-01-01T00:00:00Z</updated><published>2020-12-31T00:00:00.000001Z</published>\
        <author><name>李四</name></author><category term=\"宣讲\"/><summary>摘要</summary>\
        <content type=\"html\">&lt;p&gt;内容&lt;/p&gt;</content></entry>\
        <entry><title>坏日期</title><updated>上周</updated><content>x</content></entry>\
        <entry><title></title><content>无标题</content></entry>\
        <entry><title>两样都空</title><summary></summary></entry></feed>";
    let entries = read_feed(feed).unwrap();
    assert_eq!(entries.len(), 4);
    let first = entries[0].as_ref().unwrap();
    assert_eq!(first.title, "甲村<冬训>");
    assert_eq!(first.permalink, "urn:1");
    assert_eq!(first.author, "李四");
    assert_eq!(first.categories, ["宣讲"]);
    assert_eq!(first.summary, "摘要");
    assert_eq!(first.body, "<p>内容</p>");
    assert_eq!(
        first.date.unwrap().to_rfc3339(),
        "2020-12-31T00:00:00.000001+00:00",
        "published wins over updated"
    );
    assert_eq!(entries[1].as_ref().unwrap_err().field, "日期");
    assert_eq!(entries[2].as_ref().unwrap_err().field, "标题");
    assert_eq!(entries[3].as_ref().unwrap_err().field, "正文");
}

#[test]
fn what_is_not_a_feed_is_refused() {
    assert_eq!(read_feed("<html><body>hi</body></html>").unwrap_err().field, "XML");
    assert!(!looks_like_feed("---\ntitle: x\n---"));
    let broken = "<rss><channel><item><title>好的</title><description>一</description></item><item><title>断</title><desc";
    let entries = read_feed(broken).unwrap();
    assert!(entries[0].is_ok());
    assert_eq!(entries.last().unwrap().as_ref().unwrap_err().field, "XML");
}
