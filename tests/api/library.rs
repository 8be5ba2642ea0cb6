//! The study library: articles added (sanitised) by the committee, reading counted from
//! heartbeats (time and the end), reading points with their caps, lists pushed to one unit.

use chrono::{Duration, Utc};
use dongxun::db::Db;
use dongxun::points::store;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::people::add_member;

/// Adds an article through the page as the committee; returns its id.
pub(crate) async fn add_article(app: &TestApp, title: &str, min_seconds: &str) -> i64 {
    let committee = app.logged_in(COMMITTEE).await;
    let fields = [
        ("kind", "article"),
        ("title", title),
        ("category", "党章党规"),
        ("tags", "党章，学习"),
        ("body", "<p>第一段<script>alert(1)</script></p><p onclick=\"x()\">第二段</p>"),
        ("url", ""),
        ("min_seconds", min_seconds),
    ];
    let r = app.post_form(&committee, "/library", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).trim_start_matches("/library/").parse().unwrap()
}

/// The seeded member account, made `member`'s, logged in.
async fn member_client(app: &TestApp, member: i64) -> reqwest::Client {
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    app.logged_in(MEMBER).await
}

/// Pretends the member's last heartbeat on `item` was `seconds` ago.
async fn backdate_beat(app: &TestApp, item: i64, seconds: i64) {
    let at = Utc::now() - Duration::seconds(seconds);
    let sql = "UPDATE library_readings SET last_beat_at = $1 WHERE item_id = $2";
    let changed = match &app.db {
        Db::Sqlite(pool) => sqlx::query(sql).bind(at).bind(item).execute(pool).await.unwrap().rows_affected(),
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(at).bind(item).execute(pool).await.unwrap().rows_affected()
        }
    };
    assert_eq!(changed, 1, "the member's page beat before");
}

async fn beat(app: &TestApp, client: &reqwest::Client, item: i64, at_end: bool) -> Value {
    let r = app
        .post_form(client, &format!("/library/{item}/beat"), &[("at_end", if at_end { "1" } else { "0" })])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Reads `item` to the end for `seconds` (in capped beats, backdated), returning the last answer.
async fn read_for(app: &TestApp, client: &reqwest::Client, item: i64, seconds: i64, at_end: bool) -> Value {
    let mut answer = beat(app, client, item, false).await;
    let mut left = seconds;
    while left > 0 {
        backdate_beat(app, item, 15).await;
        answer = beat(app, client, item, at_end).await;
        left -= 15;
    }
    answer
}

#[tokio::test]
async fn the_committee_adds_articles_whose_html_is_made_safe_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let id = add_article(&app, "学习党章第一章", "30").await;
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, &format!("/library/{id}")).await.text().await.unwrap();
    assert!(html.contains("<p>第一段</p>") && html.contains("第二段"), "{html}");
    assert!(!html.contains("alert(1)") && !html.contains("onclick"), "{html}");
    assert_eq!(app.audit("library").await.len(), 1);

    // A refused form keeps what was typed and says what is wrong; nothing is stored.
    let fields = [("kind", "link"), ("title", "学"), ("url", "javascript:alert(1)"), ("min_seconds", "5")];
    let r = app.post_form(&committee, "/library", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    for message in
        ["标题应为2到80个字", "请填写以 https:// 或 http:// 开头的链接", "最短阅读时间应为10到1800秒"]
    {
        assert!(html.contains(message), "{message}: {html}");
    }
    assert!(html.contains("value=\"javascript:alert(1)\""), "the link is kept as typed");
    assert_eq!(app.count("library_items").await, 1);

    // Only the committee curates.
    let station = app.logged_in(STATION_A).await;
    let r = app
        .post_form(&station, "/library", &[("kind", "article"), ("title", "站点文章"), ("body", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Everyone logged in reads, by category.
    let html = app.get(&station, "/library?category=党章党规").await.text().await.unwrap();
    assert!(html.contains("学习党章第一章"), "{html}");
    let html = app.get(&station, "/library?category=其他").await.text().await.unwrap();
    assert!(!html.contains("学习党章第一章"));
}

#[tokio::test]
async fn reading_counts_only_after_the_minimum_time_and_the_end_once_a_day() {
    let app = spawn_app().await;
    let article = add_article(&app, "学习党章第一章", "30").await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = member_client(&app, member).await;

    // The page shows the heartbeat script to a member.
    let html = app.get(&client, &format!("/library/{article}")).await.text().await.unwrap();
    assert!(html.contains("/static/read.js") && html.contains("data-beat-url"), "{html}");

    // One click (a single beat, even at the end) earns nothing.
    let answer = beat(&app, &client, article, true).await;
    assert_eq!((answer["seconds"].as_i64(), answer["counted"].as_bool()), (Some(0), Some(false)));
    // A long gap (the page in the background) credits at most 15 seconds.
    backdate_beat(&app, article, 3600).await;
    let answer = beat(&app, &client, article, false).await;
    assert_eq!((answer["seconds"].as_i64(), answer["counted"].as_bool()), (Some(15), Some(false)));
    assert_eq!(store::total(&app.db, member).await.unwrap(), 0);
    backdate_beat(&app, article, 15).await;
    let answer = beat(&app, &client, article, false).await;
    // Time enough, and the end was reached in the first beat: it counts, once.
    assert_eq!((answer["seconds"].as_i64(), answer["counted"].as_bool()), (Some(30), Some(true)));
    assert_eq!(store::total(&app.db, member).await.unwrap(), 1);
    backdate_beat(&app, article, 15).await;
    beat(&app, &client, article, true).await;
    assert_eq!(store::total(&app.db, member).await.unwrap(), 1);

    // Long enough but never at the end: nothing.
    let other = add_article(&app, "学习党章第二章", "10").await;
    let answer = read_for(&app, &client, other, 60, false).await;
    assert_eq!((answer["seconds"].as_i64(), answer["counted"].as_bool()), (Some(60), Some(false)));
    assert!(answer["message"].as_str().unwrap().contains("请读到文章末尾"));
    assert_eq!(store::total(&app.db, member).await.unwrap(), 1);

    // Staff without a member record read but do not count.
    let committee = app.logged_in(COMMITTEE).await;
    let r = app.post_form(&committee, &format!("/library/{article}/beat"), &[("at_end", "1")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("只有党员本人的账号计入阅读学习"));
}

#[tokio::test]
async fn reading_points_stop_at_six_a_day() {
    let app = spawn_app().await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let mut articles = Vec::new();
    for n in 1..=7 {
        articles.push(add_article(&app, &format!("学习材料第{n}篇"), "10").await);
    }
    let client = member_client(&app, member).await;
    for article in articles {
        let answer = read_for(&app, &client, article, 15, true).await;
        assert_eq!(answer["counted"].as_bool(), Some(true));
    }
    assert_eq!(store::total(&app.db, member).await.unwrap(), 6);
    assert_eq!(app.count("point_entries").await, 7, "the seventh is an entry with 0 points");
}

#[tokio::test]
async fn a_list_is_pushed_to_one_units_members_and_only_inside_the_pushers_subtree() {
    let app = spawn_app().await;
    let article = add_article(&app, "本周必读：党章总纲", "10").await;
    let due = (Utc::now() + Duration::days(5)).format("%Y-%m-%d").to_string();
    let station = app.logged_in(STATION_A).await;

    // Another village's unit is refused, the form kept.
    let fields = [
        ("title", "本周学习".to_owned()),
        ("unit_id", app.village_b.id.to_string()),
        ("due_on", due.clone()),
        ("item", article.to_string()),
    ];
    let r = app.post_owned_form(&station, "/library/lists", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("请选择您管辖范围内的单位"));
    assert_eq!(app.count("library_lists").await, 0);
    // No item ticked.
    let fields = [
        ("title", "本周学习".to_owned()),
        ("unit_id", app.village_a.id.to_string()),
        ("due_on", due.clone()),
    ];
    let r = app.post_owned_form(&station, "/library/lists", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("请至少勾选一项学习资料"));

    let fields = [
        ("title", "本周学习".to_owned()),
        ("unit_id", app.village_a.id.to_string()),
        ("due_on", due.clone()),
        ("item", article.to_string()),
    ];
    let r = app.post_owned_form(&station, "/library/lists", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit("library").await.len(), 2);

    // A member of 甲村 sees it on the home page; one of 乙村 does not.
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = member_client(&app, zhang).await;
    let home = app.get(&client, "/").await.text().await.unwrap();
    assert!(
        home.contains("本周学习") && home.contains("本周必读：党章总纲") && home.contains(&due),
        "{home}"
    );
    let li = add_member(&app, app.branch_b.id, "李四", "13800002222").await;
    let client = member_client(&app, li).await;
    let home = app.get(&client, "/").await.text().await.unwrap();
    assert!(!home.contains("本周必读：党章总纲"), "{home}");
    // Station B does not see station A's list.
    let other = app.logged_in(STATION_B).await;
    let html = app.get(&other, "/library/lists").await.text().await.unwrap();
    assert!(!html.contains("甲村</span>"), "{html}");
}

#[tokio::test]
async fn the_demo_has_a_weekly_list_for_its_member_and_a_series_that_plays() {
    use dongxun::demo::{DEMO_MEMBER_PHONE, DEMO_PASSWORD, seed_with_media};
    let (address, db, dir) = spawn_empty_app().await;
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file(&dir)).await.unwrap();
    let config = dongxun::web::WebConfig { media_dir: Some(dir.path().join("media")), ..Default::default() };
    assert!(seed_with_media(&db, &vault, &config).await.unwrap());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = client.get(format!("{address}/login")).send().await.unwrap().text().await.unwrap();
    let token = extract_csrf(&html).unwrap();
    let fields = [("phone", DEMO_MEMBER_PHONE), ("password", DEMO_PASSWORD), ("csrf", &token)];
    let r = client.post(format!("{address}/login")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = client.get(format!("{address}/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("本周学习") && home.contains("中国共产党章程·总纲（节选）"), "{home}");
    let html =
        client.get(format!("{address}/classroom/series/1")).send().await.unwrap().text().await.unwrap();
    assert_eq!(html.matches("/classroom/episodes/").count(), 3, "{html}");
    let r = client
        .get(format!("{address}/classroom/episodes/1/video"))
        .header(reqwest::header::RANGE, "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &[0x1A, 0x45, 0xDF, 0xA3]);
}
