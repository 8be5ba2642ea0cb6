//! `dongxun import posts` and `dongxun export posts`: the founding document, messy files, exit
//! codes, re-importing, and an export that re-imports into an empty database unchanged.

use crate::cli::dongxun;
use crate::helpers::*;
use reqwest::StatusCode;

const FOUNDING: &str = include_str!("../../src/demo/column_founding.md");

#[tokio::test]
async fn the_founding_document_imports_as_a_draft_once_and_shows_its_images_when_published() {
    let app = spawn_app().await;
    let file = app._dir.path().join("000_founding.txt");
    std::fs::write(&file, FOUNDING).unwrap();
    let out = dongxun(&app).args(["import", "posts"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("新增草稿1篇"), "{stdout}");
    let out = dongxun(&app).args(["import", "posts"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增草稿0篇，已导入过1篇"));
    assert_eq!(app.count("column_articles").await, 1, "not stored twice");

    let committee = app.logged_in(COMMITTEE).await;
    let list = app.get(&committee, "/column/admin").await.text().await.unwrap();
    assert!(
        list.contains("南京溧水石湫街道：冬训进补正当时，凝聚发展新...") && list.contains("草稿"),
        "{list}"
    );
    assert!(list.contains("2021-03-02") && list.contains("传统媒体"));
    let id = 1;
    let response =
        app.post_form(&committee, &format!("/column/admin/{id}/step"), &[("step", "publish")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = app.get(&app.client(), &format!("/column/{id}")).await.text().await.unwrap();
    assert!(html.contains("<h1>南京溧水石湫街道：冬训进补正当时，凝聚发展新...</h1>"));
    assert!(html.contains("2021-03-02 · 半月谈 - 板块"), "the imported date is kept on publishing");
    assert!(html.contains("<img src=\"http://img10.banyuetan.org/group1/M00/01/C5/"));
    assert!(html.contains(
        "<meta property=\"og:image\" content=\"http://img10.banyuetan.org/group1/M00/01/C5/Cn4APmA9wVeAFgczAAC8mOgOdVs429.png\">"
    ));
    assert!(app.audit("column").await.join("\n").contains("新增1篇"));
}

#[tokio::test]
async fn a_folder_of_messy_posts_and_feeds_imports_what_it_can_and_names_the_rest() {
    let app = spawn_app().await;
    let dir = app._dir.path().join("posts");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("a.md"),
        "---\ntitle: '甲村''冬训'''\ndate: 2021-01-05 09:30:00.123456\ncategories: 动态\n---\n正文一",
    )
    .unwrap();
    std::fs::write(dir.join("b.md"), "---\ntitle: 日期坏了\ndate: 去年冬天\n---\n正文").unwrap();
    std::fs::write(
        dir.join("feed.xml"),
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>x</title>\
         <item><title>订阅一</title><guid>g-1</guid><pubDate>Tue, 05 Jan 2021 08:00:00 CST</pubDate><description></description>\
         <content:encoded><![CDATA[<p>订阅正文</p>]]></content:encoded></item>\
         <item><title></title><description>没有标题</description></item></channel></rss>",
    )
    .unwrap();
    std::fs::write(
        dir.join("2021-01-07-jekyll.markdown"),
        "---\nlayout: post\ntitle: Jekyll 的文章\n---\n正文",
    )
    .unwrap();
    std::fs::write(dir.join("ignored.png"), b"not a post").unwrap();
    std::fs::write(dir.join("huge.md"), vec![b'a'; 8 * 1024 * 1024 + 1]).unwrap();
    let out = dongxun(&app).args(["import", "posts"]).arg(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增草稿3篇"));
    assert!(stderr.contains("b.md：日期：无法识别“去年冬天”"), "{stderr}");
    assert!(stderr.contains("feed.xml：第2条 标题：条目没有标题"), "{stderr}");
    assert!(stderr.contains("huge.md：文件：超过8 MB"), "{stderr}");
    assert_eq!(app.count("column_articles").await, 3);
    let drafts = dongxun::column::store::for_staff(&app.db, None).await.unwrap();
    let day = |title: &str| drafts.iter().find(|a| a.title == title).map(|a| a.day());
    assert_eq!(day("Jekyll 的文章").as_deref(), Some("2021-01-07"), "the day from a Jekyll file name");
    assert_eq!(day("甲村'冬训'").as_deref(), Some("2021-01-05"));
    assert_eq!(day("订阅一").as_deref(), Some("2021-01-05"));
    let out = dongxun(&app).args(["import", "posts"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(app.count("column_articles").await, 3, "a feed entry imported again is not added");
    let help = dongxun(&app).args(["import", "posts", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit code: 0"));
}

fn read_dir(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_exports_the_same() {
    let app = spawn_app().await;
    let founding = app._dir.path().join("founding.md");
    std::fs::write(&founding, FOUNDING).unwrap();
    assert_eq!(
        dongxun(&app).args(["import", "posts"]).arg(&founding).output().unwrap().status.code(),
        Some(0)
    );
    let committee = app.logged_in(COMMITTEE).await;
    let fields = [
        ("title", "“引号”与\"双引号\"：冬训"),
        ("author", "街道"),
        ("categories", "工作动态，图片新闻"),
        ("body", "第一段\n\n第二段"),
    ];
    crate::column::post_article(&app, &committee, "/column/admin/new", &fields, Some(crate::column::png()))
        .await;
    app.post_form(&committee, "/column/admin/2/step", &[("step", "publish")]).await;

    let first = app._dir.path().join("export1");
    let out = dongxun(&app).args(["export", "posts", "--all", "-o"]).arg(&first).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let exported = read_dir(&first);
    assert_eq!(exported.len(), 2);
    let founding_post = &exported.iter().find(|(n, _)| n.starts_with("2021-03-02")).unwrap().1;
    assert!(founding_post.starts_with(
        "---\ntitle: \"南京溧水石湫街道：冬训进补正当时，凝聚发展新...\"\ncategories: \n    - \"传统媒体\"\n"
    ));
    assert!(
        founding_post.contains("\ndate: Tue, 02 Mar 2021 00:00:00 GMT\n")
            && founding_post.contains("published: false\n")
    );
    let published_only = app._dir.path().join("export-published");
    dongxun(&app).args(["export", "posts", "-o"]).arg(&published_only).output().unwrap();
    let published = read_dir(&published_only);
    assert_eq!(published.len(), 1);
    assert!(!published[0].1.contains("published: false"));

    let empty = spawn_app().await;
    let out = dongxun(&empty).args(["import", "posts"]).arg(&first).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let second = empty._dir.path().join("export2");
    dongxun(&empty).args(["export", "posts", "--all", "-o"]).arg(&second).output().unwrap();
    let again = read_dir(&second);
    // Imports are drafts: the published article comes back as one, and says so.
    let expected: Vec<(String, String)> = exported
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                if t.contains("published: false") {
                    t.clone()
                } else {
                    t.replacen("---\n\n", "published: false\n---\n\n", 1)
                },
            )
        })
        .collect();
    assert_eq!(again, expected);
}
