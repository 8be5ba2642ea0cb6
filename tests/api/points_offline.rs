//! Offline points (无智能手机 members): staff record them one at a time (reason required, within
//! the cap and the campaign, their own subtree only, audited) and from a sheet (all or nothing,
//! every bad row named, the same sheet again adds nothing), on the web and from the CLI.

use chrono::Duration;
use dongxun::points::PointKind;
use dongxun::points::store;
use reqwest::{Client, Response, StatusCode};
use rust_xlsxwriter::Workbook;

use crate::cli::dongxun;
use crate::helpers::*;
use crate::people::add_member;

/// A current campaign running from three weeks ago to two months ahead.
pub async fn campaign_around_today(app: &TestApp) -> i64 {
    let client = app.logged_in(COMMITTEE).await;
    let (from, until) = (day(-21), day(60));
    let unit = app.root.id.to_string();
    let fields = [
        ("name", "本年度冬训"),
        ("starts_on", from.as_str()),
        ("ends_on", until.as_str()),
        ("required_sessions", "4"),
        ("required_hours", "12"),
        ("unit", unit.as_str()),
    ];
    let r = app.post_form(&client, "/campaigns", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

/// Today plus `offset` days, yyyy-mm-dd.
fn day(offset: i64) -> String {
    (dongxun::time::today() + Duration::days(offset)).format("%Y-%m-%d").to_string()
}

fn offline_form(item: &str, points: &str, day: &str, reason: &str) -> Vec<(&'static str, String)> {
    vec![("item", item.into()), ("points", points.into()), ("day", day.into()), ("reason", reason.into())]
}

async fn offline_total(app: &TestApp, member: i64) -> i64 {
    store::history(&app.db, member, 100)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == PointKind::Offline)
        .map(|e| e.points)
        .sum()
}

#[tokio::test]
async fn staff_record_offline_points_one_at_a_time_and_a_second_tap_adds_nothing() {
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    let m = add_member(&app, app.branch_a.id, "王老伯", "13900002001").await;
    let client = app.logged_in(STATION_A).await;
    let path = format!("/points/members/{m}/offline");
    let form = offline_form("观看党课录像", "3", &day(-1), "无智能手机，村部集中观看");
    for _ in 0..2 {
        let r = app.post_owned_form(&client, &path, &form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    }
    let history = store::history(&app.db, m, 10).await.unwrap();
    assert_eq!(history.len(), 1, "the same entry twice is one entry");
    assert_eq!((history[0].kind, history[0].points), (PointKind::Offline, 3));
    assert_eq!(history[0].reason, "观看党课录像：无智能手机，村部集中观看");
    assert_eq!(history[0].earned_on.format("%Y-%m-%d").to_string(), day(-1));
    let audit = app.audit("points").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].contains("王老伯") && audit[0].contains("+3"), "{audit:?}");
    let page = app.get(&client, &format!("/points/members/{m}")).await.text().await.unwrap();
    assert!(page.contains("观看党课录像：无智能手机") && page.contains("代录"), "{page}");
}

#[tokio::test]
async fn offline_points_are_refused_without_a_reason_over_the_cap_outside_the_campaign_or_another_village() {
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    let m = add_member(&app, app.branch_a.id, "王老伯", "13900002001").await;
    let other = add_member(&app, app.branch_b.id, "乙村党员", "13900002002").await;
    let client = app.logged_in(STATION_A).await;
    let path = format!("/points/members/{m}/offline");
    let refused = |r: Response| async move {
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        r.text().await.unwrap()
    };
    let html =
        refused(app.post_owned_form(&client, &path, &offline_form("读报", "2", &day(0), " ")).await).await;
    assert!(html.contains("请填写原因") && html.contains("value=\"读报\""), "{html}");
    let html =
        refused(app.post_owned_form(&client, &path, &offline_form("读报", "11", &day(0), "入户")).await)
            .await;
    assert!(html.contains("每日最多10分"), "{html}");
    let html =
        refused(app.post_owned_form(&client, &path, &offline_form("读报", "2.5", &day(0), "入户")).await)
            .await;
    assert!(html.contains("积分应为正整数"), "{html}");
    let html =
        refused(app.post_owned_form(&client, &path, &offline_form("读报", "2", &day(1), "入户")).await).await;
    assert!(html.contains("不晚于今天"), "{html}");
    let html =
        refused(app.post_owned_form(&client, &path, &offline_form("读报", "2", &day(-30), "入户")).await)
            .await;
    assert!(html.contains("本次冬训期间"), "{html}");
    // With 8 already that day, 3 more would pass the cap of 10.
    let ok = app.post_owned_form(&client, &path, &offline_form("读报", "8", &day(0), "入户")).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let html =
        refused(app.post_owned_form(&client, &path, &offline_form("学习", "3", &day(0), "入户")).await).await;
    assert!(html.contains("已有线下学习8分"), "{html}");
    // Another village's member is not found, for recording as for reading.
    let theirs = offline_form("读报", "2", &day(0), "入户");
    let r = app.post_owned_form(&client, &format!("/points/members/{other}/offline"), &theirs).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&client, &format!("/points/members/{other}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(offline_total(&app, m).await, 8);
    assert_eq!(offline_total(&app, other).await, 0);
    assert_eq!(app.audit("points").await.len(), 1);
}

/// A sheet with a title row and the columns out of order: 日期, 姓名, 积分, 手机号码, 事项, 备注.
pub fn points_xlsx(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "甲村线下学习积分登记表").unwrap();
    for (col, header) in ["日期", "姓名", "积分", "手机号码", "事项", "备注"].iter().enumerate()
    {
        sheet.write_string(1, col as u16, *header).unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(i as u32 + 2, col as u16, *value).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, client: &Client, bytes: Vec<u8>) -> Response {
    let token = app.csrf(client, "/points/import").await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name("积分表.xlsx");
    let form = reqwest::multipart::Form::new().part("file", part);
    client.post(app.url(&format!("/points/import?csrf={token}"))).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn a_good_sheet_is_recorded_whole_and_the_same_sheet_again_adds_nothing() {
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    let wang = add_member(&app, app.branch_a.id, "王老伯", "13900002001").await;
    let li = add_member(&app, app.branch_a.id, "李大娘", "13900002003").await;
    let (d1, d2) = (day(-2), day(-1));
    let rows = [
        [d1.as_str(), "王老伯", "3", "13900002001", "观看党课录像", ""],
        [d2.as_str(), "王 老伯", "2", "13900002001", "读报", "入户"],
        [d2.as_str(), "李大娘", "5", "13900002003", "读报", ""],
    ];
    let client = app.logged_in(STATION_A).await;
    let r = upload(&app, &client, points_xlsx(&rows)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("新增 3 条，共 10 分") && html.contains("第4行") && html.contains("李大娘"),
        "{html}"
    );
    assert_eq!((offline_total(&app, wang).await, offline_total(&app, li).await), (5, 5));
    let again = upload(&app, &client, points_xlsx(&rows)).await.text().await.unwrap();
    assert!(again.contains("新增 0 条，共 0 分；3 条此前已导入"), "{again}");
    assert_eq!(app.count("point_entries").await, 3);
    let audit = app.audit("import").await;
    assert!(audit.iter().any(|a| a.contains("新增3条共10分")), "{audit:?}");
}

#[tokio::test]
async fn a_bad_sheet_stores_nothing_and_names_every_bad_row() {
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    add_member(&app, app.branch_a.id, "王老伯", "13900002001").await;
    add_member(&app, app.branch_b.id, "乙村党员", "13900002002").await;
    let (today, long_ago) = (day(0), day(-40));
    let t = today.as_str();
    let rows = [
        [t, "王老伯", "3", "13900002001", "读报", ""],
        [t, "张三", "1", "13900009999", "读报", ""],
        [t, "李四", "1", "13900002001", "读报", ""],
        [t, "王老伯", "1.5", "13900002001", "学习", ""],
        [t, "王老伯", "11", "13900002001", "学习", "多"],
        [long_ago.as_str(), "王老伯", "1", "13900002001", "学习", ""],
        [t, "乙村党员", "1", "13900002002", "读报", ""],
        [t, "王老伯", "3", "13900002001", "读报", ""],
    ];
    let client = app.logged_in(STATION_A).await;
    let r = upload(&app, &client, points_xlsx(&rows)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (row, reason) in [
        (4, "查无此人"),
        (5, "姓名与手机号码不符"),
        (6, "积分应为正整数"),
        (7, "每日最多10分"),
        (8, "本次冬训期间"),
        (9, "不在您管辖的单位"),
        (10, "与第3行完全相同"),
    ] {
        assert!(html.contains(&format!("第{row}行")) && html.contains(reason), "row {row}: {reason}\n{html}");
    }
    assert!(html.contains("7处错误") && !html.contains("第3行</td>"), "{html}");
    assert_eq!(app.count("point_entries").await, 0);
    assert!(app.audit("import").await.iter().any(|a| a.contains("被拒绝")));
}

#[tokio::test]
async fn the_template_downloads_and_imports_as_it_stands() {
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    add_member(&app, app.branch_a.id, "张三", "13800000000").await;
    let client = app.logged_in(STATION_A).await;
    let r = app.get(&client, "/points/import/template").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"PK"));
    let html = upload(&app, &client, bytes).await.text().await.unwrap();
    assert!(html.contains("新增 1 条，共 2 分"), "{html}");
}

#[tokio::test]
async fn import_points_from_the_command_line_exits_2_on_a_bad_sheet_and_0_with_a_summary() {
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    add_member(&app, app.branch_a.id, "王老伯", "13900002001").await;
    let dir = tempfile::tempdir().unwrap();
    let today = day(0);
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(&bad, points_xlsx(&[[today.as_str(), "王老伯", "20", "13900002001", "读报", ""]]))
        .unwrap();
    let out = dongxun(&app).args(["import", "points"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("第3行 积分「20」") && stderr.contains("未导入任何数据"), "{stderr}");
    assert_eq!(app.count("point_entries").await, 0);
    let good = dir.path().join("good.xlsx");
    std::fs::write(&good, points_xlsx(&[[today.as_str(), "王老伯", "2", "13900002001", "读报", ""]]))
        .unwrap();
    for expected in ["新增1条线下积分，共2分；0条此前已导入", "新增0条线下积分，共0分；1条此前已导入"]
    {
        let out = dongxun(&app).args(["import", "points"]).arg(&good).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(expected), "{stdout}");
    }
    assert_eq!(app.count("point_entries").await, 1);
}

#[tokio::test]
async fn a_sheet_may_name_members_by_id_card_matched_through_its_keyed_hash() {
    use dongxun::people::model::{MemberCategories, MemberStatus};
    use dongxun::people::store::{self as people, MemberFields};
    let app = spawn_app().await;
    campaign_around_today(&app).await;
    let first17 = "32011719650712013";
    let card = format!("{first17}{}", dongxun::people::id_card::compute_check_char(first17).unwrap());
    let fields = MemberFields {
        unit_id: app.branch_a.id,
        name: "赵大爷".into(),
        gender: None,
        birth_date: None,
        phone: None,
        id_card: Some(card.clone()),
        joined_party_on: None,
        categories: MemberCategories::from_bits(0),
        status: MemberStatus::Active,
        address: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let zhao = people::insert(&mut tx, &app.vault, &fields).await.unwrap();
    tx.commit().await.unwrap();
    let sheet = |name: &str| {
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet();
        for (col, header) in ["事项", "身份证号码", "姓名", "积分", "日期"].iter().enumerate() {
            ws.write_string(0, col as u16, *header).unwrap();
        }
        for (col, value) in ["读报", card.as_str(), name, "4", day(0).as_str()].iter().enumerate() {
            ws.write_string(1, col as u16, *value).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    };
    let client = app.logged_in(STATION_A).await;
    let wrong = upload(&app, &client, sheet("钱大爷")).await.text().await.unwrap();
    assert!(wrong.contains("第2行") && wrong.contains("姓名与身份证号码不符"), "{wrong}");
    let html = upload(&app, &client, sheet("赵大爷")).await.text().await.unwrap();
    assert!(html.contains("新增 1 条，共 4 分"), "{html}");
    assert_eq!(offline_total(&app, zhao).await, 4);
}
