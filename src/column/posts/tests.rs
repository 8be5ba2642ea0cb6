use super::*;

const FOUNDING: &str = include_str!("../../demo/column_founding.md");

#[test]
fn the_founding_document_reads_with_its_real_title_date_and_images() {
    let post = read_markdown(FOUNDING).unwrap();
    assert_eq!(post.title, "南京溧水石湫街道：冬训进补正当时，凝聚发展新...");
    assert_eq!(post.date.unwrap().to_rfc3339(), "2021-03-02T00:00:00+00:00");
    assert_eq!(post.categories, ["传统媒体", "半月谈 - 板块"]);
    assert_eq!(post.author, "半月谈 - 板块");
    assert!(!post.comments);
    assert_eq!(
        post.thumbnail,
        "http://img10.banyuetan.org/group1/M00/01/C5/Cn4APmA9wVeAFgczAAC8mOgOdVs429.png"
    );
    assert!(post.body.contains("<img src=\"http://img10.banyuetan.org/group1/"), "{}", &post.body[..300]);
    assert!(post.body.contains("汤底：书记开讲第一课"));
    assert!(post.summary.starts_with("为深入开展2020-2021年度"));
}

#[test]
fn messy_front_matter_is_read_leniently() {
    let text = "\u{feff}---\ntitle: '村里的''冬训''课堂'\ncategories: [工作动态, \"图片新闻\"]\ndate: 2021-01-05 09:30\n\
                author:   \"李四\"\nthumbnail:\ncomments: yes\ntags:\n  - a\n---\n# 不是标题\n\n正文**加粗**\n";
    let post = read_markdown(text).unwrap();
    assert_eq!(post.title, "村里的'冬训'课堂");
    assert_eq!(post.categories, ["工作动态", "图片新闻"]);
    assert_eq!(post.author, "李四");
    assert!(post.comments);
    assert_eq!(post.date.unwrap().to_rfc3339(), "2021-01-05T01:30:00+00:00", "Shanghai time");
    assert!(post.body.contains("<strong>加粗</strong>"));

    let broken_yaml = "---\ntitle: \"他说：\"冬训\"很好\"\ncategory: 宣讲\ndescription: >\n  第一行\n  第二行\n---\n<p>正文</p>";
    let post = read_markdown(broken_yaml).unwrap();
    assert_eq!(post.title, "他说：\"冬训\"很好");
    assert_eq!(post.categories, ["宣讲"]);
    assert_eq!(post.summary, "第一行 第二行");

    let no_opening = "title: 无开头的 Hexo 文章\ndate: 2021/3/2\n---\n正文";
    let post = read_markdown(no_opening).unwrap();
    assert_eq!(post.title, "无开头的 Hexo 文章");
    assert_eq!(post.body, "<p>正文</p>");

    let heading_title = "# 标题在正文\n\n内容";
    assert_eq!(read_markdown(heading_title).unwrap().title, "标题在正文");
}

#[test]
fn unreadable_posts_name_the_field() {
    assert_eq!(read_markdown("---\ndate: 2021-01-01\n---\n正文").unwrap_err().field, "标题");
    let err = read_markdown("---\ntitle: x\ndate: 昨天下午\n---\n正文").unwrap_err();
    assert_eq!((err.field, err.reason.as_str()), ("日期", "无法识别“昨天下午”"));
    assert_eq!(read_markdown("---\ntitle: 空的\n---\n  \n").unwrap_err().field, "正文");
}

#[test]
fn dates_are_read_in_every_usual_form() {
    let utc = |s: &str| parse_date(s).map(|d| d.to_rfc3339());
    let expect = Some("2021-03-02T00:00:00+00:00".to_owned());
    assert_eq!(utc("Tue, 02 Mar 2021 00:00:00 GMT"), expect);
    assert_eq!(utc("Mon, 02 Mar 2021 00:00:00 GMT"), expect, "a wrong weekday");
    assert_eq!(utc("02 Mar 2021 08:00:00 +0800"), expect);
    assert_eq!(utc("Tue, 02 Mar 2021 08:00:00 CST"), expect);
    assert_eq!(utc("2021-03-02T00:00:00Z"), expect);
    assert_eq!(utc("2021-03-02T08:00:00.123456+08:00").as_deref(), Some("2021-03-02T00:00:00.123456+00:00"));
    assert_eq!(utc("2021-03-02 08:00:00"), expect);
    assert_eq!(utc("2021-03-02T08:00:00.000001"), Some("2021-03-02T00:00:00.000001+00:00".to_owned()));
    assert_eq!(utc("2021/03/02 08:00"), expect);
    assert_eq!(utc("'2021-03-02 08:00'"), expect);
    assert_eq!(utc("2021年3月2日").as_deref(), Some("2021-03-01T16:00:00+00:00"));
    assert_eq!(utc("1614643200"), expect);
    assert_eq!(utc("1614643200000"), expect);
    assert_eq!(utc("不是日期"), None);
}

#[test]
fn an_exported_post_reads_back_the_same() {
    let date = parse_date("2021-03-02T00:00:00Z").unwrap();
    let post = HexoPost {
        title: "引号\"和\\反斜杠：冬训",
        date,
        categories: vec!["工作动态", "a: b"],
        author: "张三",
        thumbnail: "https://example.com/a.jpg",
        comments: false,
        published: false,
        summary: "摘要",
        body: "<p>正文</p>",
    };
    let text = write_hexo(&post);
    assert!(text.contains("date: Tue, 02 Mar 2021 00:00:00 GMT\n") && text.contains("published: false\n"));
    let back = read_markdown(&text).unwrap();
    assert_eq!(back.title, post.title);
    assert_eq!(back.categories, ["工作动态", "a: b"]);
    assert_eq!(back.date, Some(date));
    assert_eq!(back.body, "<p>正文</p>");
    assert_eq!(
        (back.author.as_str(), back.thumbnail.as_str(), back.summary.as_str()),
        ("张三", post.thumbnail, "摘要")
    );
}
