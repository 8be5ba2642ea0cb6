//! The committee's overview and the Excel reports, in the web and on the CLI.

use dongxun::formats::table::{Cell, read_table};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

#[tokio::test]
async fn the_overview_shows_coverage_attendance_and_workload_at_a_glance() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let fields = dongxun::schedule::store::lecturers::LecturerFields {
        name: "周老师".into(),
        kind: dongxun::schedule::model::LecturerKind::PartySchoolTeacher,
        phone: None,
        unit_id: app.root.id,
        topics: String::new(),
        availability: String::new(),
    };
    let mut tx = app.db.begin().await.unwrap();
    let lecturer = dongxun::schedule::store::lecturers::insert(&mut tx, &fields).await.unwrap();
    tx.commit().await.unwrap();
    // Held three hours ago.
    let session = app
        .session(campaign, app.village_a.id)
        .starts_in_minutes(-180)
        .title("理论宣讲进村社")
        .lecturer(lecturer)
        .insert()
        .await
        .id;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    add_member(&app, app.branch_b.id, "李四", "13800002222").await;
    app.attend(session, member, Channel::Qr, 90).await;

    let committee = app.logged_in(COMMITTEE).await;
    let r = app.get(&committee, "/overview").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("冬训总览") && html.matches("<svg").count() >= 2, "two charts");
    assert!(html.contains("甲村") && html.contains("乙村") && html.contains("周老师"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "nothing from other hosts");

    let member_client = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member_client, "/overview").await.status(), StatusCode::FORBIDDEN);

    // Reports: attendance of the session, lecturers' workload; all audited.
    let station = app.logged_in(STATION_A).await;
    let r = app.get(&station, &format!("/sessions/{session}/attendance.xlsx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let table = read_table("a.xlsx", &r.bytes().await.unwrap()).unwrap();
    assert_eq!(table.rows[2].cells[1], Cell::Text("张三".into()));
    assert_eq!(table.rows[2].cells[3], Cell::Text("扫码签到".into()));
    let b = app.logged_in(STATION_B).await;
    assert_eq!(
        app.get(&b, &format!("/sessions/{session}/attendance.xlsx")).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = app.get(&committee, "/reports/lecturers.xlsx").await;
    let table = read_table("l.xlsx", &r.bytes().await.unwrap()).unwrap();
    assert_eq!(table.rows[2].cells[0], Cell::Text("周老师".into()));
    assert_eq!(table.rows[2].cells[4], Cell::Number(1.0));
    let r = app.get(&committee, "/reports/visits.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(app.audit("export").await.len() >= 3);
}

#[tokio::test]
async fn the_cli_exports_coverage_of_the_current_or_a_named_campaign() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("coverage.xlsx");
    let status = crate::cli::dongxun(&app).args(["export", "coverage", "-o"]).arg(&out).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let table = read_table("c.xlsx", &std::fs::read(&out).unwrap()).unwrap();
    assert!(table.rows.iter().any(|r| r.cells.iter().any(|c| *c == Cell::Text("甲村".into()))));
    let missing = crate::cli::dongxun(&app)
        .args(["export", "coverage", "--campaign", "不存在", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("找不到冬训计划“不存在”"));
}
