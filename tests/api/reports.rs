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
    for report in ["/reports/lecturers.xlsx", "/reports/visits.xlsx", "/coverage/export.xlsx"] {
        assert!(html.contains(report), "the overview links {report}");
    }

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

/// The cell at (row, col) of a sheet, read back with calamine, and the number formats the
/// workbook declares.
fn cell_and_formats(bytes: &[u8], sheet: &str, row: u32, col: u32) -> (calamine::Data, String) {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let cell = range.get_value((row, col)).cloned().unwrap_or(calamine::Data::Empty);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    (cell, styles)
}

#[tokio::test]
async fn exported_hours_and_rates_are_numbers_excel_can_sum() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-180).insert().await.id;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    add_member(&app, app.branch_b.id, "李四", "13800002222").await;
    app.attend(session, member, Channel::Qr, 90).await;
    let committee = app.logged_in(COMMITTEE).await;
    let r = app.get(&committee, "/coverage/export.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    // 按单位: row 2 is 甲村, column E its rate — a number formatted as a percentage.
    let (rate, styles) = cell_and_formats(&bytes, "按单位", 2, 4);
    assert_eq!(rate, calamine::Data::Float(0.0), "覆盖率 is a number, not text");
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
    // 按党员: 张三's hours, 1.5 as a number.
    let (hours, _) = cell_and_formats(&bytes, "按党员", 2, 5);
    assert_eq!(hours, calamine::Data::Float(1.5), "学时 is a number");
    // The visits report's minutes and the workload's counts were already numbers; the session
    // sheet's 序号 too.
    let r = app.get(&committee, &format!("/sessions/{session}/attendance.xlsx")).await;
    let (n, _) = cell_and_formats(&r.bytes().await.unwrap(), "签到名单", 2, 0);
    assert_eq!(n, calamine::Data::Float(1.0));
}

#[tokio::test]
async fn the_overview_states_coverage_as_the_coverage_page_does() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-180).insert().await.id;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let committee = app.logged_in(COMMITTEE).await;
    let overview = app.get(&committee, "/overview").await.text().await.unwrap();
    let coverage = app.get(&committee, "/coverage").await.text().await.unwrap();
    assert!(coverage.contains("<strong>0%</strong>"), "{coverage}");
    assert!(overview.contains("<strong>0%</strong>"), "the overview says 0%, as coverage does: {overview}");
    let _ = session;
}
