//! Village brands: the public brand page (no login; brands, photos, aggregate numbers, never a
//! name), editing by scope (another village's admin and forged ids refused, bad input keeps the
//! form and changes nothing, audited), and the villages' comparison against known data with the
//! month's movement, its sorting and its .xlsx.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::awards::Month;
use dongxun::brands::store as brands;
use dongxun::column::model::{ArticleFields, ArticleStatus};
use dongxun::column::store::{self as column, NewArticle};
use dongxun::formats::table::read_table;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};

use crate::column::png;
use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// Posts the brand form (multipart, as the browser does), with an optional photo per brand.
async fn post_brand(
    app: &TestApp,
    client: &Client,
    unit: i64,
    fields: &[(&str, &str)],
    photo: Option<(&str, Vec<u8>)>,
) -> Response {
    let csrf = app.csrf(client, "/password").await;
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((field, bytes)) = photo {
        form = form.part(field.to_owned(), Part::bytes(bytes).file_name("品牌.png"));
    }
    client.post(app.url(&format!("/brands/{unit}/edit?csrf={csrf}"))).multipart(form).send().await.unwrap()
}

const LOTUS: [(&str, &str); 6] = [
    ("service_brand", "“莲心”服务"),
    ("service_slogan", "莲心向党，服务为民"),
    ("service_story", "党员志愿者走进百姓家。"),
    ("training_brand", "“莲说”宣讲"),
    ("training_slogan", "莲说百姓事"),
    ("training_story", "书记带头讲第一课。"),
];

/// Noon in Shanghai on `day` of `month`.
fn at(month: Month, day: u32) -> DateTime<Utc> {
    let noon = month.first_day().and_hms_opt(12, 0, 0).unwrap() + chrono::Duration::days(i64::from(day) - 1);
    Shanghai.from_local_datetime(&noon).unwrap().with_timezone(&Utc)
}

async fn session_at(app: &TestApp, campaign: i64, unit: i64, when: DateTime<Utc>) -> i64 {
    let minutes = (when - Utc::now()).num_minutes();
    app.session(campaign, unit).starts_in_minutes(minutes).insert().await.id
}

/// An activity of `unit` on `day` serving `served` elderly and 0 others, with one volunteer's
/// approved minutes and another's still only reported; returns its id.
async fn activity(
    app: &TestApp,
    campaign: i64,
    unit: i64,
    day: &str,
    title: &str,
    served: i64,
    approved: i64,
) {
    app.execute(&format!(
        "INSERT INTO activities (campaign_id, unit_id, kind_id, title, held_on, served_elderly, served_children, \
         created_at, updated_at) VALUES ({campaign}, {unit}, 2, '{title}', '{day}', {served}, 0, \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    ))
    .await;
    let id = format!("(SELECT MAX(id) FROM activities WHERE title = '{title}')");
    app.execute(&format!(
        "INSERT INTO activity_volunteers (activity_id, identity, name, unit_id, minutes_reported, minutes_approved, \
         status, reported_at) VALUES ({id}, 'phone:13955550001', '王志愿者', {unit}, {approved}, {approved}, 'approved', \
         '2026-01-01T00:00:00Z'), ({id}, 'phone:13955550002', '赵报时', {unit}, 60, NULL, 'reported', '2026-01-01T00:00:00Z')"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO activity_follow_ups (activity_id, person_name, reason, created_at) \
         VALUES ({id}, '李跟进', '独居老人，下周回访', '2026-01-01T00:00:00Z')"
    ))
    .await;
}

async fn article(app: &TestApp, unit: i64, title: &str, status: ArticleStatus, when: DateTime<Utc>) {
    let fields = ArticleFields {
        title: title.into(),
        author: "甲村".into(),
        categories: "工作动态".into(),
        summary: String::new(),
        body: "<p>正文</p>".into(),
        cover_url: String::new(),
    };
    let new = NewArticle {
        fields: &fields,
        comments: false,
        status,
        dated_at: when,
        unit_id: Some(unit),
        created_by: None,
        source_key: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    column::insert(&mut tx, &new).await.unwrap();
    tx.commit().await.unwrap();
}

async fn points(app: &TestApp, member: i64, points: i64, day: chrono::NaiveDate, key: &str) {
    app.execute(&format!(
        "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at) \
         VALUES ({member}, 'attendance', {points}, '{key}', '{key}', '{day}', '{day}T04:00:00Z')"
    ))
    .await;
}

#[tokio::test]
async fn a_visitor_reads_a_brand_page_with_numbers_but_no_names() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let covered = add_member(&app, app.branch_a.id, "甲一", "13911110001").await;
    add_member(&app, app.branch_a.id, "甲二", "13911110002").await;
    let s = app.session(campaign, app.branch_a.id).starts_in_minutes(-180).insert().await;
    app.attend(s.id, covered, Channel::RollCall, 720).await;
    let today = dongxun::time::today().to_string();
    activity(&app, campaign, app.branch_a.id, &today, "春联义写进万家", 7, 120).await;
    article(&app, app.village_a.id, "甲村莲说宣讲进田头", ArticleStatus::Published, Utc::now()).await;
    article(&app, app.village_a.id, "甲村未发的草稿", ArticleStatus::Draft, Utc::now()).await;

    let committee = app.logged_in(COMMITTEE).await;
    let saved = post_brand(&app, &committee, app.village_a.id, &LOTUS, Some(("service_photo", png()))).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), format!("/brands/{}", app.village_a.id));

    let visitor = app.client();
    let page = app.get(&visitor, &format!("/brands/{}", app.village_a.id)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for shown in [
        "“莲心”服务",
        "莲心向党，服务为民",
        "“莲说”宣讲",
        "书记带头讲第一课。",
        "春联义写进万家",
        "甲村莲说宣讲进田头",
    ] {
        assert!(html.contains(shown), "{shown} on the page");
    }
    assert!(html.contains(r#"id="fig-coverage">50%<"#), "one of two covered");
    assert!(html.contains(r#"id="fig-sessions">1<"#));
    assert!(html.contains(r#"id="fig-activities">1<"#));
    assert!(html.contains(r#"id="fig-hours">2<"#), "approved minutes only");
    assert!(html.contains(r#"id="fig-served">7<"#));
    assert!(html.contains(r#"id="fig-articles">1<"#), "drafts are not counted");
    for hidden in ["甲一", "甲二", "李跟进", "王志愿者", "赵报时", "1391111", "甲村未发的草稿", "编辑品牌"]
    {
        assert!(!html.contains(hidden), "{hidden} must not be on the public page");
    }
    // Shareable: absolute share tags, the photo among them, served as a re-encoded JPEG.
    assert!(html.contains(&format!(
        r#"<meta property="og:url" content="{}/brands/{}">"#,
        app.address, app.village_a.id
    )));
    let marker = r#"<meta property="og:image" content=""#;
    let image = html.split(marker).nth(1).and_then(|r| r.split('"').next()).expect("og:image");
    assert!(image.starts_with(&format!("{}/brands/photos/", app.address)), "{image}");
    let photo = visitor.get(image).send().await.unwrap();
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert!(photo.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));

    let index = app.get(&visitor, "/brands").await.text().await.unwrap();
    assert!(index.contains("甲村") && index.contains("乙村") && index.contains("“莲说”宣讲"));
    assert!(!index.contains("/brands/compare"), "the comparison is staff's");
    // Not a village: a branch, the root, an unknown id.
    for id in [app.branch_a.id, app.root.id, 999_999] {
        assert_eq!(app.get(&visitor, &format!("/brands/{id}")).await.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn only_a_villages_own_admin_or_the_committee_edits_it_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let a = app.village_a.id;
    let own = app.logged_in(STATION_A).await;
    assert_eq!(post_brand(&app, &own, a, &LOTUS, None).await.status(), StatusCode::SEE_OTHER);
    let before = brands::profile(&app.db, a).await.unwrap();
    assert_eq!(before.training_slogan, "莲说百姓事");
    assert!(app.audit("unit_edit").await.iter().any(|e| e.starts_with("甲村|修改品牌：“莲心”服务")));

    // Another village's admin: not found, to read or to write; nothing changes.
    let other = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&other, &format!("/brands/{a}/edit")).await.status(), StatusCode::NOT_FOUND);
    let forged = [("service_brand", "乙村冒名")];
    assert_eq!(
        post_brand(&app, &other, a, &forged, Some(("service_photo", png()))).await.status(),
        StatusCode::NOT_FOUND
    );
    // Forged ids: a branch, the root, a unit that does not exist — even for the committee.
    let committee = app.logged_in(COMMITTEE).await;
    for id in [app.branch_a.id, app.root.id, 999_999] {
        assert_eq!(post_brand(&app, &committee, id, &forged, None).await.status(), StatusCode::NOT_FOUND);
    }
    // A member may not edit at all.
    let member = app.logged_in(MEMBER).await;
    assert_ne!(app.get(&member, &format!("/brands/{a}/edit")).await.status(), StatusCode::OK);
    assert_eq!(brands::profile(&app.db, a).await.unwrap(), before);
    assert_eq!(app.count("brand_photos").await, 0);

    // Too long a name and a file that is no picture: both named beside their fields, the form as typed.
    let long = "说".repeat(41);
    let bad =
        [("service_brand", "莲心新名"), ("service_slogan", "新的口号"), ("training_brand", long.as_str())];
    let refused = post_brand(&app, &own, a, &bad, Some(("training_photo", b"not a picture".to_vec()))).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.unwrap();
    assert!(html.contains("冬训品牌不能超过40个字"), "{html}");
    assert!(html.contains("照片："));
    assert!(html.contains(r#"value="新的口号""#) && html.contains(&long));
    assert_eq!(brands::profile(&app.db, a).await.unwrap(), before);
    assert_eq!(app.count("brand_photos").await, 0);
    let nameless = [("service_brand", " "), ("training_brand", "")];
    assert_eq!(post_brand(&app, &own, a, &nameless, None).await.status(), StatusCode::BAD_REQUEST);

    // A photo, then removing it: only through its own village.
    assert_eq!(
        post_brand(&app, &own, a, &LOTUS, Some(("training_photo", png()))).await.status(),
        StatusCode::SEE_OTHER
    );
    let photo = brands::photos(&app.db, a).await.unwrap()[0].0;
    let b = app.village_b.id;
    let path = |unit: i64| format!("/brands/{unit}/photos/{photo}/delete");
    assert_eq!(app.post_form(&other, &path(a), &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&other, &path(b), &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("brand_photos").await, 1);
    assert_eq!(app.post_form(&own, &path(a), &[]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("brand_photos").await, 0);
    assert!(app.audit("unit_edit").await.iter().any(|e| e.contains("删除品牌照片")));
}

/// The `<tr>` of a unit on the comparison page.
fn row(html: &str, unit: i64) -> String {
    let start = html.find(&format!(r#"<tr data-unit="{unit}">"#)).expect("the unit's row");
    html[start..].split("</tr>").next().unwrap().to_owned()
}

#[tokio::test]
async fn the_comparison_shows_each_villages_month_and_its_movement() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let month = Month::of(dongxun::time::today()).previous();
    let before = month.previous();
    let (a, b) = (app.village_a.id, app.village_b.id);
    let a1 = add_member(&app, app.branch_a.id, "甲一", "13911110001").await;
    let a2 = add_member(&app, app.branch_a.id, "甲二", "13911110002").await;
    let b1 = add_member(&app, app.branch_b.id, "乙一", "13922220001").await;
    // Sessions: 甲村 two held this month (one by its branch), one cancelled; one the month before.
    let held = session_at(&app, campaign, a, at(month, 3)).await;
    session_at(&app, campaign, app.branch_a.id, at(month, 10)).await;
    // Coverage: 甲一 attended that first session (checked in on the day), so 甲村 went from none
    // of two covered at the end of the month before to one of two at the end of this one.
    app.attend(held, a1, Channel::RollCall, 720).await;
    let checked_in = at(month, 3).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
    app.execute(&format!("UPDATE attendances SET checked_in_at = '{checked_in}' WHERE session_id = {held}"))
        .await;
    let cancelled = session_at(&app, campaign, a, at(month, 12)).await;
    app.execute(&format!("UPDATE training_sessions SET status = 'cancelled' WHERE id = {cancelled}")).await;
    session_at(&app, campaign, a, at(before, 5)).await;
    // 冬训+: 甲村 one this month (5 served, 90 approved minutes); 乙村 one the month before.
    activity(&app, campaign, app.branch_a.id, &month.first_day().to_string(), "走访慰问", 5, 90).await;
    activity(&app, campaign, b, &before.last_day().to_string(), "春联义写", 4, 30).await;
    // Articles: 甲村 one published this month, a draft not counted.
    article(&app, a, "甲村报道", ArticleStatus::Published, at(month, 15)).await;
    article(&app, a, "甲村草稿", ArticleStatus::Draft, at(month, 15)).await;
    // Points: 甲村 30 this month over two members (15 each), 10 before (5); 乙村 8 this month.
    points(&app, a1, 20, month.first_day(), "p1").await;
    points(&app, a2, 10, month.last_day(), "p2").await;
    points(&app, a1, 10, before.first_day(), "p3").await;
    points(&app, b1, 8, month.first_day(), "p4").await;

    let committee = app.logged_in(COMMITTEE).await;
    let home = app.get(&committee, "/").await.text().await.unwrap();
    assert!(
        home.contains(r#"href="/brands/compare""#) && home.contains(r#"href="/brands""#),
        "linked from the admin home"
    );
    let page = app.get(&committee, &format!("/brands/compare?month={month}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let up = |v: &str, d: &str| format!(r#"<td class="num">{v} <span class="move up">↑{d}</span></td>"#);
    let down = |v: &str, d: &str| format!(r#"<td class="num">{v} <span class="move down">↓{d}</span></td>"#);
    let same = |v: &str| format!(r#"<td class="num">{v} <span class="move same">持平</span></td>"#);
    let ra = row(&html, a);
    assert!(ra.contains(&up("50%", "50")), "coverage moved: {ra}");
    assert!(row(&html, b).contains(&same("0%")), "乙村: nobody covered either month");
    let expected_a =
        [up("2", "1"), up("1", "1"), up("1.5", "1.5"), up("5", "5"), up("1", "1"), up("15", "10")];
    for cell in &expected_a {
        assert!(ra.contains(cell.as_str()), "{cell} in {ra}");
    }
    let rb = row(&html, b);
    for cell in [same("0"), down("0", "1"), down("0", "0.5"), down("0", "4"), up("8", "8")] {
        assert!(rb.contains(cell.as_str()), "{cell} in {rb}");
    }
    assert!(!html.contains("甲一") && !html.contains("王志愿者"), "aggregates only");

    // Sorted by points per member, largest first, then the other way round.
    let by_points =
        app.get(&committee, &format!("/brands/compare?month={month}&sort=points&order=desc")).await;
    let html = by_points.text().await.unwrap();
    assert!(html.find(&format!(r#"data-unit="{a}""#)) < html.find(&format!(r#"data-unit="{b}""#)));
    assert!(html.contains("order=asc\">人均积分 ▼"), "a second click turns the order round");
    let html = app.get(&committee, &format!("/brands/compare?month={month}&sort=points&order=asc")).await;
    let html = html.text().await.unwrap();
    assert!(html.find(&format!(r#"data-unit="{b}""#)) < html.find(&format!(r#"data-unit="{a}""#)));

    // The spreadsheet: the same numbers, and the export audited.
    let xlsx = app.get(&committee, &format!("/brands/compare.xlsx?month={month}")).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let table = read_table("c.xlsx", &xlsx.bytes().await.unwrap()).unwrap();
    let text: Vec<Vec<String>> =
        table.rows.iter().map(|r| (0..15).map(|i| r.cell(i).to_text().into_owned()).collect()).collect();
    let line = text.iter().find(|r| r[0] == "甲村").expect("甲村 in the sheet");
    assert_eq!(&line[1..3], ["2", "1"], "{line:?}");
    assert_eq!(&line[3..5], ["0.5", "0.5"], "coverage and its movement as fractions: {line:?}");
    assert_eq!(&line[13..15], ["15", "10"], "{line:?}");
    assert!(app.audit("export").await.iter().any(|e| e.starts_with("村社对标找差|")));

    // Station admins read it too; members do not; a month nobody can read is refused in Chinese.
    let station = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&station, "/brands/compare").await.status(), StatusCode::OK);
    let member = app.logged_in(MEMBER).await;
    assert_ne!(app.get(&member, "/brands/compare").await.status(), StatusCode::OK);
    let bad = app.get(&committee, "/brands/compare?month=2026-13").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("请写成 2021-01 这样"));
}
