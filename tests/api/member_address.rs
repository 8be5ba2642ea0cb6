//! A member's 住址 (home address): typed on the member form (bounded, trimmed, kept on error),
//! imported from a roster's 家庭住址 column and updated by a re-import, exported, and shown to the
//! assignee of an open door-to-door task (task page and home card) — never to staff of another
//! village, to other volunteers or to members.

use chrono::Duration;
use dongxun::delivery::store::{self as deliveries, NewTask};
use dongxun::formats::table::read_table;
use dongxun::org::Scope;
use dongxun::people::model::{MemberCategories, MemberStatus};
use dongxun::people::store;
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;

use crate::coverage::{make_campaign, member, text};
use crate::helpers::*;

const ADDRESS: &str = "甲村3组12号";

async fn address_of(app: &TestApp, id: i64) -> Option<String> {
    store::by_id_in_scope(&app.db, id, &Scope::whole_tree()).await.unwrap().unwrap().address
}

async fn set_address(app: &TestApp, id: i64, address: &str) {
    app.execute(&format!("UPDATE members SET address = '{address}' WHERE id = {id}")).await;
}

#[tokio::test]
async fn the_member_form_saves_a_trimmed_address_refuses_a_long_one_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let unit = app.branch_a.id.to_string();
    let long = "甲村".repeat(50) + "1号"; // 102 characters
    let form = |address: &str| {
        vec![
            ("name", "王五".to_owned()),
            ("phone", "13912345678".to_owned()),
            ("unit_id", unit.clone()),
            ("status", "正常".to_owned()),
            ("address", address.to_owned()),
        ]
    };
    let r = app.post_owned_form(&client, "/members", &form(&long)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"address-error\">住址不能超过100个字</p>"), "beside the field: {html}");
    assert!(html.contains(&format!("value=\"{long}\"")) && html.contains("value=\"13912345678\""), "kept");
    assert_eq!(app.count("members").await, 0, "nothing stored");

    let r = app.post_owned_form(&client, "/members", &form(&format!("\u{3000} {ADDRESS}  "))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(address_of(&app, id).await.as_deref(), Some(ADDRESS), "trimmed");
    let detail = text(&app, &client, &format!("/members/{id}")).await;
    assert!(detail.contains(&format!("<dd class=\"address\">{ADDRESS}</dd>")), "{detail}");
    let edit = text(&app, &client, &format!("/members/{id}/edit")).await;
    assert!(edit.contains(&format!("value=\"{ADDRESS}\"")));

    // Changing it is audited by the field's name, not its value; emptying it clears it.
    let r = app.post_owned_form(&client, &format!("/members/{id}"), &form("甲村5组1号")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let entries = app.audit("member_edit").await;
    assert!(entries[0].contains("修改了住址") && !entries[0].contains("5组"), "{entries:?}");
    let r = app.post_owned_form(&client, &format!("/members/{id}"), &form("  ")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(address_of(&app, id).await, None, "empty means none");
    let detail = text(&app, &client, &format!("/members/{id}")).await;
    assert!(detail.contains("未登记"));
}

/// A roster with a 家庭住址 column: (phone, name, address) per data row, from Excel row 2.
fn roster_with_addresses(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["姓名", "手机号码", "所在单位", "家庭住址"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (row, (phone, name, address)) in (1u32..).zip(rows) {
        sheet.write_string(row, 0, *name).unwrap();
        sheet.write_string(row, 1, *phone).unwrap();
        sheet.write_string(row, 2, "甲村第一支部").unwrap();
        if !address.is_empty() {
            sheet.write_string(row, 3, *address).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_roster_brings_addresses_a_reimport_updates_them_and_the_export_carries_them() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let file = roster_with_addresses(&[("13800000031", "赵大", ADDRESS), ("13800000032", "钱二", "")]);
    let r = app.upload_roster(&client, "花名册.xlsx", file).await;
    assert!(r.text().await.unwrap().contains("新增 2 人"));
    let ids: Vec<(i64, Option<String>)> =
        sqlx_rows(&app, "SELECT id, address FROM members ORDER BY phone").await;
    assert_eq!(ids[0].1.as_deref(), Some(ADDRESS));
    assert_eq!(ids[1].1, None);

    // A re-import updates the address; a blank cell keeps the one on record.
    let file = roster_with_addresses(&[("13800000031", "赵大", "甲村7组2号"), ("13800000032", "钱二", "")]);
    let r = app.upload_roster(&client, "花名册.xlsx", file).await;
    assert!(r.text().await.unwrap().contains("更新 1 人，未变 1 人"));
    assert_eq!(address_of(&app, ids[0].0).await.as_deref(), Some("甲村7组2号"));

    // Too long a cell is named by row and column, and nothing is imported.
    let long = "乙".repeat(101);
    let file = roster_with_addresses(&[("13800000033", "孙三", &long)]);
    let r = app.upload_roster(&client, "花名册.xlsx", file).await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<td>第2行</td><td>家庭住址</td>") && html.contains("住址不能超过100个字"),
        "{html}"
    );
    assert_eq!(app.count("members").await, 2);

    let export = app.get(&client, "/members/export").await;
    let table = read_table("x.xlsx", &export.bytes().await.unwrap()).unwrap();
    let header: Vec<String> = table.rows[1].cells.iter().map(|c| c.to_text().into_owned()).collect();
    let column = header.iter().position(|h| h == "住址").expect("a 住址 column");
    let cells: Vec<String> = table.rows.iter().map(|r| r.cell(column).to_text().into_owned()).collect();
    assert!(cells.contains(&"甲村7组2号".to_owned()), "{cells:?}");
}

async fn sqlx_rows(app: &TestApp, sql: &str) -> Vec<(i64, Option<String>)> {
    match &app.db {
        dongxun::db::Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        dongxun::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

/// An open task for 王老伯 of 甲村第一支部, assigned to the volunteer; (member, task).
async fn task_for_volunteer(app: &TestApp) -> (i64, i64) {
    let campaign = make_campaign(app, 1, 0).await;
    let member = member(
        app,
        app.branch_a.id,
        "王老伯",
        "13800000021",
        MemberCategories::ELDERLY,
        MemberStatus::Active,
    )
    .await;
    let id_of = |phone: &'static str| async move {
        dongxun::auth::store::by_phone(&app.db, phone).await.unwrap().unwrap().id
    };
    let (volunteer, committee) = (id_of(VOLUNTEER).await, id_of(COMMITTEE).await);
    let mut tx = app.db.begin().await.unwrap();
    let created = deliveries::create_tasks(
        &mut tx,
        campaign.id,
        &[NewTask { member_id: member, reason: "老党员".into() }],
        volunteer,
        dongxun::time::today() + Duration::days(3),
        "[]",
        committee,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (member, created.created[0])
}

#[tokio::test]
async fn the_assignee_of_an_open_task_sees_the_address_and_nobody_out_of_scope_does() {
    let app = spawn_app().await;
    let (member_id, task) = task_for_volunteer(&app).await;
    let volunteer = app.logged_in(VOLUNTEER).await;
    let path = format!("/deliveries/{task}");

    // None recorded: the page says so, and the unit still says where to look.
    let page = text(&app, &volunteer, &path).await;
    assert!(page.contains("未登记住址") && page.contains("<dd class=\"place\">甲村第一支部</dd>"), "{page}");
    let home = text(&app, &volunteer, "/").await;
    assert!(home.contains("未登记住址"), "{home}");

    set_address(&app, member_id, ADDRESS).await;
    let page = text(&app, &volunteer, &path).await;
    assert!(page.contains(&format!("<dd class=\"address\">{ADDRESS}</dd>")), "{page}");
    let home = text(&app, &volunteer, "/").await;
    assert!(home.contains(ADDRESS), "the home card says where to go: {home}");
    let list = text(&app, &volunteer, "/deliveries").await;
    assert!(list.contains(&format!("<div class=\"address\">{ADDRESS}</div>")), "the task list too: {list}");
    assert!(!text(&app, &app.logged_in(STATION_B).await, "/deliveries").await.contains(ADDRESS));
    let station = app.logged_in(STATION_A).await;
    assert!(text(&app, &station, &path).await.contains(ADDRESS), "staff in scope");
    assert!(text(&app, &station, &format!("/members/{member_id}")).await.contains(ADDRESS));

    // Another village's staff and a member see neither the task nor the member.
    for (who, phone) in [("other station", STATION_B), ("member", MEMBER), ("lecturer", LECTURER)] {
        let client = app.logged_in(phone).await;
        for path in [path.clone(), format!("/members/{member_id}")] {
            let r = app.get(&client, &path).await;
            assert!(
                matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{who} {path}: {}",
                r.status()
            );
            assert!(!r.text().await.unwrap().contains(ADDRESS), "{who} {path}");
        }
        let home = text(&app, &client, "/").await;
        assert!(!home.contains(ADDRESS), "{who}'s home");
    }
    let r = app.get(&app.logged_in(STATION_B).await, &path).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Once the visit is done, the volunteer's page keeps the record but no longer the address.
    app.execute(&format!("UPDATE deliveries SET status = 'done' WHERE id = {task}")).await;
    let page = text(&app, &volunteer, &path).await;
    assert!(!page.contains(ADDRESS), "{page}");
    assert!(!text(&app, &volunteer, "/deliveries").await.contains(ADDRESS), "nor on the list");
    assert!(text(&app, &station, &path).await.contains(ADDRESS), "staff in scope still do");
}
