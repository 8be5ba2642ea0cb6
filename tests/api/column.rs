//! The publicity column (冬训专栏): writing → review → publishing by role, public pages without
//! login and their share tags, sanitised bodies, re-encoded pictures, feeds, the syndication log.

use chrono::{DateTime, Utc};
use dongxun::column::model::{ArticleFields, ArticleStatus};
use dongxun::column::store::{self as column, NewArticle};
use dongxun::db::Db;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};

use crate::helpers::*;

/// A real PNG with a camera's worth of nothing in it: re-encoded to JPEG on upload.
pub fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// Posts the article form (multipart, as the browser does) to `path`.
pub async fn post_article(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
    picture: Option<Vec<u8>>,
) -> Response {
    let csrf = app.csrf(client, "/column/admin/new").await;
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some(bytes) = picture {
        form = form.part("image", Part::bytes(bytes).file_name("现场.png"));
    }
    client.post(app.url(&format!("{path}?csrf={csrf}"))).multipart(form).send().await.unwrap()
}

fn id_of(response: &Response) -> i64 {
    location(response).rsplit('/').next().unwrap().parse().unwrap()
}

/// Stores a published article dated `at` directly (feeds and lists need several).
pub async fn published(app: &TestApp, title: &str, categories: &str, at: DateTime<Utc>) -> i64 {
    let fields = ArticleFields {
        title: title.into(),
        author: "石湫街道".into(),
        categories: categories.into(),
        summary: format!("{title}的摘要"),
        body: format!("<p>{title}的正文</p><p><img src=\"/column/images/1.jpg\" alt=\"\"></p>"),
        cover_url: "/column/images/1.jpg".into(),
    };
    let new = NewArticle {
        fields: &fields,
        comments: false,
        status: ArticleStatus::Published,
        dated_at: at,
        unit_id: None,
        created_by: None,
        source_key: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let id = column::insert(&mut tx, &new).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

async fn step(app: &TestApp, client: &Client, id: i64, step: &str) -> Response {
    app.post_form(client, &format!("/column/admin/{id}/step"), &[("step", step)]).await
}

#[tokio::test]
async fn a_station_writes_the_committee_publishes_and_anyone_reads_without_login() {
    let app = spawn_app().await;
    let station = app.logged_in(STATION_A).await;
    let fields = [
        ("title", "甲村冬训第一课"),
        ("author", "甲村"),
        ("categories", "工作动态，宣讲活动"),
        ("summary", ""),
        ("body", "书记开讲第一课。\n\n党员们认真听讲。"),
        ("cover_url", ""),
    ];
    let response = post_article(&app, &station, "/column/admin/new", &fields, Some(png())).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = id_of(&response);
    let visitor = app.client();
    assert_eq!(
        app.get(&visitor, &format!("/column/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "a draft is not public"
    );
    assert!(!app.get(&visitor, "/column").await.text().await.unwrap().contains("甲村冬训第一课"));

    // Another station does not see it; a member may not write; the writer may not publish.
    let other = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&other, &format!("/column/admin/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(step(&app, &other, id, "submit").await.status(), StatusCode::NOT_FOUND);
    let member = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member, "/column/admin").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(step(&app, &station, id, "publish").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(step(&app, &station, id, "submit").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(step(&app, &station, id, "submit").await.status(), StatusCode::FORBIDDEN, "already in review");
    let page = app.get(&station, &format!("/column/admin/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("待审核") && !page.contains("id=\"article-form\""),
        "in review the writer no longer edits"
    );

    let committee = app.logged_in(COMMITTEE).await;
    let list = app.get(&committee, "/column/admin").await.text().await.unwrap();
    assert!(list.contains("甲村冬训第一课") && list.contains("待审核"));
    assert_eq!(step(&app, &committee, id, "publish").await.status(), StatusCode::SEE_OTHER);

    let response = app.get(&visitor, &format!("/column/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("img-src 'self' data: https: http:")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<p>书记开讲第一课。</p>") && html.contains("<p>党员们认真听讲。</p>"), "{html}");
    assert!(html.contains("<meta property=\"og:title\" content=\"甲村冬训第一课\">"), "{html}");
    assert!(
        html.contains("<meta name=\"description\" content=\"书记开讲第一课。 党员们认真听讲。\">"),
        "{html}"
    );
    let picture = html.split("<img src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(picture.starts_with("/column/images/"), "{picture}");
    assert!(
        html.contains(&format!("<meta property=\"og:image\" content=\"{}{picture}\">", app.address)),
        "absolute"
    );
    assert!(html.contains(&format!("<meta property=\"og:url\" content=\"{}/column/{id}\">", app.address)));
    let image = app.get(&visitor, &picture).await;
    assert_eq!(image.headers()["content-type"], "image/jpeg");
    assert_eq!(image.headers()["x-content-type-options"], "nosniff");
    assert_eq!(&image.bytes().await.unwrap()[..3], &[0xff, 0xd8, 0xff], "re-encoded as JPEG");
    let list = app.get(&visitor, "/column?category=宣讲活动").await.text().await.unwrap();
    assert!(list.contains("甲村冬训第一课"));
    assert!(
        !app.get(&visitor, "/column?category=其他").await.text().await.unwrap().contains("甲村冬训第一课")
    );

    // Published, it is no longer edited in place; the committee returns it to a draft first.
    let edit = post_article(&app, &committee, &format!("/column/admin/{id}"), &fields, None).await;
    assert_eq!(edit.status(), StatusCode::CONFLICT);
    assert_eq!(step(&app, &committee, id, "return").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&visitor, &format!("/column/{id}")).await.status(), StatusCode::NOT_FOUND);
    let audit = app.audit("column").await.join("\n");
    for seen in ["新建草稿：甲村冬训第一课", "提交审核", "审核发布", "退回修改"] {
        assert!(audit.contains(seen), "{seen} in {audit}");
    }
}

#[tokio::test]
async fn scripts_and_handlers_are_stripped_on_save_and_bad_input_keeps_what_was_typed() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let body = "<p onclick=\"steal()\">正文<script>alert(1)</script><img src=\"x.png\" onerror=\"alert(2)\"><a href=\"javascript:alert(3)\">链接</a></p>";
    let fields = [("title", "带脚本的稿件"), ("categories", "工作动态"), ("body", body)];
    let response = post_article(&app, &committee, "/column/admin/new", &fields, None).await;
    let id = id_of(&response);
    step(&app, &committee, id, "publish").await;
    let html = app.get(&app.client(), &format!("/column/{id}")).await.text().await.unwrap();
    let article = html.split("column-body").nth(1).unwrap();
    for bad in ["<script", "onclick", "onerror", "javascript:"] {
        assert!(!article.contains(bad), "{bad} in {article}");
    }
    assert!(article.contains("正文"));

    let before = app.count("column_articles").await;
    let fields =
        [("title", "短"), ("categories", ""), ("body", "保留我输入的正文"), ("cover_url", "ftp://x")];
    let response =
        post_article(&app, &committee, "/column/admin/new", &fields, Some(b"GIF89a not a picture".to_vec()))
            .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    for message in ["标题应为2到100个字", "请填写栏目分类", "封面图片地址应以", "正文图片：图片格式无法识别"]
    {
        assert!(html.contains(message), "{message}");
    }
    assert!(html.contains(">保留我输入的正文</textarea>") && html.contains("value=\"ftp://x\""));
    assert_eq!(app.count("column_articles").await, before);
    assert_eq!(app.count("column_images").await, 0, "a refused form leaves no picture behind");
}

#[tokio::test]
async fn feeds_are_valid_newest_first_with_absolute_links_whole_and_per_category() {
    let app = spawn_app().await;
    let day = |d: u32| format!("2026-01-{d:02}T08:00:00Z").parse::<DateTime<Utc>>().unwrap();
    published(&app, "一月二日", "工作动态", day(2)).await;
    published(&app, "一月九日", "宣讲活动\n工作动态", day(9)).await;
    published(&app, "一月五日", "宣讲活动", day(5)).await;
    let client = app.client();

    let response = app.get(&client, "/column/rss.xml").await;
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/rss+xml"));
    let text = response.text().await.unwrap();
    let channel = rss::Channel::read_from(text.as_bytes()).expect("valid RSS");
    let titles: Vec<&str> = channel.items().iter().filter_map(|i| i.title()).collect();
    assert_eq!(titles, ["一月九日", "一月五日", "一月二日"]);
    for item in channel.items() {
        assert!(item.link().unwrap().starts_with(&format!("{}/column/", app.address)));
        assert!(item.content().unwrap().contains(&format!("src=\"{}/column/images/1.jpg\"", app.address)));
        assert!(item.enclosure().unwrap().url().starts_with("http://"));
    }
    roxmltree::Document::parse(&text).expect("well-formed XML");

    let text = app.get(&client, "/column/atom.xml").await.text().await.unwrap();
    let feed = atom_syndication::Feed::read_from(text.as_bytes()).expect("valid Atom");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["一月九日", "一月五日", "一月二日"]);
    assert!(
        feed.links()
            .iter()
            .any(|l| l.rel() == "self" && l.href() == format!("{}/column/atom.xml", app.address))
    );
    assert!(feed.entries()[0].links()[0].href().starts_with("http://127.0.0.1"));

    let by_query = app.get(&client, "/column/rss.xml?category=宣讲活动").await.text().await.unwrap();
    let channel = rss::Channel::read_from(by_query.as_bytes()).unwrap();
    let titles: Vec<&str> = channel.items().iter().filter_map(|i| i.title()).collect();
    assert_eq!(titles, ["一月九日", "一月五日"]);
    assert_eq!(channel.title(), "冬训专栏 · 宣讲活动");
    let by_path = app
        .get(&client, "/column/category/%E5%AE%A3%E8%AE%B2%E6%B4%BB%E5%8A%A8/atom.xml")
        .await
        .text()
        .await
        .unwrap();
    let feed = atom_syndication::Feed::read_from(by_path.as_bytes()).unwrap();
    assert_eq!(feed.entries().len(), 2);
}

#[tokio::test]
async fn feeds_use_the_configured_public_address() {
    let config =
        dongxun::web::WebConfig { public_url: Some("https://dx.example/".into()), ..Default::default() };
    let app = spawn_app_with(config).await;
    let id = published(&app, "配置地址", "工作动态", Utc::now()).await;
    let text = app.get(&app.client(), "/column/rss.xml").await.text().await.unwrap();
    let channel = rss::Channel::read_from(text.as_bytes()).unwrap();
    assert_eq!(channel.items()[0].link(), Some(format!("https://dx.example/column/{id}").as_str()));
}

#[tokio::test]
async fn outlets_that_carried_an_article_are_logged_and_counted() {
    let app = spawn_app().await;
    let first = published(&app, "第一篇", "工作动态", Utc::now()).await;
    let second = published(&app, "第二篇", "工作动态", Utc::now()).await;
    let committee = app.logged_in(COMMITTEE).await;
    for (id, outlet) in [(first, "学习强国"), (second, "学习强国"), (first, "微溧水")] {
        let fields = [("outlet", outlet), ("url", "https://example.com/a"), ("carried_on", "2026-01-10")];
        let response = app.post_form(&committee, &format!("/column/admin/{id}/syndications"), &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let bad = [("outlet", "新华网"), ("url", "javascript:alert(1)"), ("carried_on", "昨天")];
    let response = app.post_form(&committee, &format!("/column/admin/{first}/syndications"), &bad).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert!(html.contains("链接应以 http:// 或 https:// 开头") && html.contains("刊发日期：请填写日期"));
    assert!(html.contains("value=\"新华网\""), "keeps what was typed");
    assert_eq!(app.count("column_syndications").await, 3);

    let page = app.get(&committee, "/column/admin").await.text().await.unwrap();
    assert!(page.contains("<li><span>学习强国</span> <strong>2</strong> 篇</li>"), "{page}");
    assert!(page.contains("<li><span>微溧水</span> <strong>1</strong> 篇</li>"));
    let detail = app.get(&committee, &format!("/column/admin/{first}")).await.text().await.unwrap();
    assert!(detail.contains("2026-01-10 学习强国") && detail.contains("2026-01-10 微溧水"));
    // A station admin sees only its own station's counts.
    let station = app.logged_in(STATION_A).await;
    assert!(!app.get(&station, "/column/admin").await.text().await.unwrap().contains("学习强国"));
    assert!(app.audit("column").await.join("\n").contains("学习强国转载"));

    // A mistaken line is removed (audited); a line of another article, or one gone, is refused.
    let sql = "SELECT MIN(id) FROM column_syndications WHERE outlet = '微溧水'";
    let line: i64 = match &app.db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    };
    let wrong =
        app.post_form(&committee, &format!("/column/admin/{second}/syndications/{line}/remove"), &[]).await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    let staff =
        app.post_form(&station, &format!("/column/admin/{first}/syndications/{line}/remove"), &[]).await;
    assert_eq!(staff.status(), StatusCode::NOT_FOUND, "another station's article");
    assert_eq!(app.count("column_syndications").await, 3);
    let done =
        app.post_form(&committee, &format!("/column/admin/{first}/syndications/{line}/remove"), &[]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("column_syndications").await, 2);
    let again =
        app.post_form(&committee, &format!("/column/admin/{first}/syndications/{line}/remove"), &[]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert!(app.audit("column").await.join("\n").contains("删除转载记录：2026-01-10 微溧水"));
    let page = app.get(&committee, "/column/admin").await.text().await.unwrap();
    assert!(!page.contains("<li><span>微溧水</span>"), "the count follows");
}

#[tokio::test]
async fn the_demo_column_has_a_dozen_published_articles_the_founding_document_among_them() {
    let (address, db, dir) = spawn_empty_app().await;
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file(&dir)).await.unwrap();
    dongxun::demo::seed_if_empty(&db, &vault).await.unwrap();
    let articles = column::published(&db, None).await.unwrap();
    assert_eq!(articles.len(), 12);
    assert!(articles.iter().any(|a| a.title == "南京溧水石湫街道：冬训进补正当时，凝聚发展新..."));
    assert!(column::outlet_counts(&db, None).await.unwrap().iter().any(|(o, n)| o == "学习强国" && *n >= 2));
    let html = reqwest::get(format!("{address}/column")).await.unwrap().text().await.unwrap();
    assert_eq!(html.matches("class=\"card column-card\"").count(), 12);
}

#[tokio::test]
async fn the_list_pages_by_twenty_and_an_svg_cover_is_refused() {
    let app = spawn_app().await;
    let start = "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
    for i in 0..21 {
        published(&app, &format!("第{i}篇文章"), "工作动态", start + chrono::Duration::hours(i)).await;
    }
    let visitor = app.client();
    let first = app.get(&visitor, "/column").await.text().await.unwrap();
    assert_eq!(first.matches("class=\"card column-card\"").count(), 20);
    assert!(first.contains("第20篇文章") && !first.contains("第0篇文章") && first.contains("第1页，共2页"));
    let second = app.get(&visitor, "/column?category=工作动态&page=2").await.text().await.unwrap();
    assert_eq!(second.matches("class=\"card column-card\"").count(), 1);
    assert!(second.contains("第0篇文章") && second.contains("上一页"));

    let committee = app.logged_in(COMMITTEE).await;
    let csrf = app.csrf(&committee, "/column/admin/new").await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect width=\"9\" height=\"9\"/></svg>".to_vec();
    let form = Form::new()
        .text("title", "封面是SVG")
        .text("categories", "工作动态")
        .text("body", "正文")
        .part("cover", Part::bytes(svg).file_name("cover.png"));
    let response = committee
        .post(app.url(&format!("/column/admin/new?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("封面图片：图片格式无法识别"));
    assert_eq!(app.count("column_images").await, 0);
}
