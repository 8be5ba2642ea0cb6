//! Campaigns, lecturers, venues, scheduling with conflict checks, batch bookings, calendars.

use reqwest::StatusCode;

use crate::helpers::*;

/// Creates the current campaign (through the page) and returns its id.
pub async fn create_campaign(app: &TestApp) -> i64 {
    let client = app.logged_in(COMMITTEE).await;
    let unit = app.root.id.to_string();
    let r = app
        .post_form(
            &client,
            "/campaigns",
            &[
                ("name", "2026-2027年度冬训"),
                ("starts_on", "2026-11-01"),
                ("ends_on", "2027-03-31"),
                ("required_sessions", "4"),
                ("required_hours", "12"),
                ("unit", &unit),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

pub async fn add_lecturer(app: &TestApp, name: &str) -> i64 {
    let client = app.logged_in(COMMITTEE).await;
    let root = app.root.id.to_string();
    let r = app
        .post_form(
            &client,
            "/lecturers",
            &[("name", name), ("kind", "party_school"), ("unit_id", &root), ("topics", "十九届五中全会精神")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let all = dongxun::schedule::store::lecturers::active(&app.db).await.unwrap();
    all.iter().find(|l| l.name == name).unwrap().id
}

async fn add_venue(app: &TestApp, unit: i64, name: &str, capacity: &str) -> i64 {
    let client = app.logged_in(COMMITTEE).await;
    let r = app
        .post_form(
            &client,
            "/venues",
            &[("name", name), ("capacity", capacity), ("unit_id", &unit.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    dongxun::schedule::store::lecturers::venues_in_scope(&app.db, &dongxun::org::Scope::whole_tree())
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap()
        .id
}

fn session_form<'a>(
    title: &'a str,
    date: &'a str,
    start: &'a str,
    end: &'a str,
    extra: &[(&'a str, String)],
) -> Vec<(&'a str, String)> {
    let mut fields = vec![
        ("kind", "lecture".to_owned()),
        ("title", title.to_owned()),
        ("date", date.to_owned()),
        ("start", start.to_owned()),
        ("end", end.to_owned()),
    ];
    fields.extend(extra.iter().cloned());
    fields
}

#[tokio::test]
async fn only_the_committee_creates_campaigns_and_topics() {
    let app = spawn_app().await;
    let id = create_campaign(&app).await;
    let station = app.logged_in(STATION_A).await;
    let r = app
        .post_form(
            &station,
            "/campaigns",
            &[("name", "越权"), ("starts_on", "2026-11-01"), ("ends_on", "2027-03-31")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let committee = app.logged_in(COMMITTEE).await;
    let r = app
        .post_form(
            &committee,
            &format!("/campaigns/{id}/topics"),
            &[("name", "书记开讲第一课"), ("compulsory", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.get(&station, &format!("/campaigns/{id}")).await.text().await.unwrap();
    assert!(
        html.contains("书记开讲第一课")
            && html.contains("必修")
            && html.contains("至少4场或12小时，含1个必修专题")
    );
    // Bad dates are refused and change nothing.
    let unit = app.root.id.to_string();
    let r = app
        .post_form(
            &committee,
            "/campaigns",
            &[("name", "倒序"), ("starts_on", "2027-03-01"), ("ends_on", "2026-11-01"), ("unit", &unit)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("campaigns").await, 1);
}

#[tokio::test]
async fn the_committee_edits_a_campaign_in_the_form_it_was_created_with() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let list = app.get(&committee, "/campaigns").await.text().await.unwrap();
    assert!(list.contains(r#"action="/campaigns""#) && list.contains("创建"));
    let id = create_campaign(&app).await;
    let unit = app.root.id.to_string();
    let edit = [
        ("name", "2026-2027年度冬训（修订）"),
        ("starts_on", "2026-11-01"),
        ("ends_on", "2027-03-31"),
        ("required_sessions", "5"),
        ("required_hours", "4.75"),
        ("unit", &unit),
    ];
    let r = app.post_form(&committee, &format!("/campaigns/{id}"), &edit).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.get(&committee, &format!("/campaigns/{id}")).await.text().await.unwrap();
    assert!(html.contains(&format!(r#"action="/campaigns/{id}""#)) && html.contains("保存"));
    assert!(
        html.contains(r#"value="4.75""#) && html.contains("至少5场或4.75小时"),
        "quarter hours read exactly"
    );
    assert!(app.audit("campaign_edit").await.iter().any(|e| e.contains("（修订）|修改冬训计划")));
    // An unknown campaign is not found, whatever the form says; a station admin may not edit.
    let r = app.post_form(&committee, "/campaigns/999999", &[("name", "x")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let station = app.logged_in(STATION_A).await;
    assert_eq!(
        app.post_form(&station, &format!("/campaigns/{id}"), &edit).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_lecturer_in_two_places_a_double_booked_venue_and_too_many_people_are_refused() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let lecturer = add_lecturer(&app, "周老师").await.to_string();
    let hall = add_venue(&app, app.village_a.id, "甲村会议室", "30").await.to_string();
    let a = app.logged_in(STATION_A).await;
    let first = session_form(
        "理论宣讲",
        "2026-12-07",
        "09:00",
        "10:30",
        &[("lecturer_id", lecturer.clone()), ("venue_id", hall.clone()), ("expected", "25".into())],
    );
    let r = app.post_owned_form(&a, "/sessions", &first).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let b = app.logged_in(STATION_B).await;
    let busy = session_form("乙村宣讲", "2026-12-07", "10:00", "11:00", &[("lecturer_id", lecturer.clone())]);
    let r = app.post_owned_form(&b, "/sessions", &busy).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("宣讲人同一时间已有安排"));

    let taken = session_form("另一场", "2026-12-07", "10:00", "12:00", &[("venue_id", hall.clone())]);
    let r = app.post_owned_form(&a, "/sessions", &taken).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("场地同一时间已被占用"));

    let crowded = session_form(
        "大会",
        "2026-12-08",
        "09:00",
        "10:00",
        &[("venue_id", hall.clone()), ("expected", "80".into())],
    );
    let r = app.post_owned_form(&a, "/sessions", &crowded).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("超过场地容量30人"));

    // Back to back is fine.
    let next = session_form(
        "下一场",
        "2026-12-07",
        "10:30",
        "11:30",
        &[("lecturer_id", lecturer), ("venue_id", hall)],
    );
    assert_eq!(app.post_owned_form(&a, "/sessions", &next).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("training_sessions").await, 2);
}

#[tokio::test]
async fn a_batch_booking_is_stored_whole_or_not_at_all() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let lecturer = add_lecturer(&app, "钱老师").await.to_string();
    let a = app.logged_in(STATION_A).await;
    let unit = app.branch_a.id.to_string();
    let mut fields = vec![
        ("kind", "lecture".to_owned()),
        ("title", "分批宣讲".to_owned()),
        ("lecturer_id", lecturer.clone()),
    ];
    for (row, date) in [(0, "2026-12-10"), (1, "2026-12-11"), (2, "2026-12-10")] {
        let (d, s, e, u) =
            (format!("date_{row}"), format!("start_{row}"), format!("end_{row}"), format!("unit_id_{row}"));
        fields.push((Box::leak(d.into_boxed_str()), date.to_owned()));
        fields.push((Box::leak(s.into_boxed_str()), "14:00".to_owned()));
        fields.push((Box::leak(e.into_boxed_str()), "15:30".to_owned()));
        fields.push((Box::leak(u.into_boxed_str()), unit.clone()));
    }
    let r = app.post_owned_form(&a, "/bookings", &fields).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("第3场：宣讲人同一时间已有安排"));
    assert_eq!(app.count("training_sessions").await, 0);
    assert_eq!(app.count("booking_batches").await, 0);

    fields.retain(|(k, _)| !k.ends_with("_2"));
    let r = app.post_owned_form(&a, "/bookings", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("training_sessions").await, 2);
    // The committee sees every booking.
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, "/bookings/new").await.text().await.unwrap();
    assert!(html.contains("钱老师") && html.contains("共2场"));
}

#[tokio::test]
async fn calendars_show_each_village_its_own_sessions_and_those_meant_for_it() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let a = app.logged_in(STATION_A).await;
    let b = app.logged_in(STATION_B).await;
    let committee = app.logged_in(COMMITTEE).await;
    assert_eq!(
        app.post_owned_form(&a, "/sessions", &session_form("甲村专场", "2026-12-07", "09:00", "10:00", &[]))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.post_owned_form(&b, "/sessions", &session_form("乙村专场", "2026-12-08", "09:00", "10:00", &[]))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let root = app.root.id.to_string();
    let all = session_form(
        "书记开讲第一课",
        "2026-12-09",
        "09:00",
        "11:00",
        &[("unit_id", root.clone()), ("audience_unit_id", root)],
    );
    assert_eq!(app.post_owned_form(&committee, "/sessions", &all).await.status(), StatusCode::SEE_OTHER);

    let week = "/sessions?week=2026-12-07";
    let html_a = app.get(&a, week).await.text().await.unwrap();
    assert!(html_a.contains("甲村专场") && html_a.contains("书记开讲第一课") && !html_a.contains("乙村专场"));
    let html_c = app.get(&committee, week).await.text().await.unwrap();
    assert!(html_c.contains("甲村专场") && html_c.contains("乙村专场"));
    // Another village's session page is not found; scheduling into another village is refused.
    let theirs = dongxun::schedule::store::sessions::between(
        &app.db,
        chrono::Utc::now() - chrono::Duration::days(3650),
        chrono::Utc::now() + chrono::Duration::days(3650),
        Some(&dongxun::org::Scope::whole_tree()),
        "",
    )
    .await
    .unwrap()
    .into_iter()
    .find(|s| s.title == "乙村专场")
    .unwrap();
    assert_eq!(app.get(&a, &format!("/sessions/{}", theirs.id)).await.status(), StatusCode::NOT_FOUND);
    let forged =
        session_form("越界", "2026-12-10", "09:00", "10:00", &[("unit_id", app.village_b.id.to_string())]);
    assert_eq!(app.post_owned_form(&a, "/sessions", &forged).await.status(), StatusCode::BAD_REQUEST);
    let outside = session_form("超期", "2027-06-01", "09:00", "10:00", &[]);
    assert_eq!(app.post_owned_form(&a, "/sessions", &outside).await.status(), StatusCode::BAD_REQUEST);
}
