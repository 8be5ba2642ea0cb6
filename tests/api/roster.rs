//! Roster import over HTTP: all or nothing, every bad row named, idempotent re-import, updates,
//! the subtree rule, oversized and malformed files.

use dongxun::web::WebConfig;
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;

use crate::helpers::*;

/// A roster the way a village clerk makes one: a merged title row, 序号, shuffled columns.
/// Data rows start at Excel row 3. `phones[i]` goes on data row i.
pub fn roster_xlsx(unit: &str, phones: &[String]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.merge_range(0, 0, 0, 5, "甲村党员花名册", &rust_xlsxwriter::Format::new()).unwrap();
    for (col, header) in ["序号", "手机号码", "姓名", "所在单位", "性别", "出生日期"].iter().enumerate()
    {
        sheet.write_string(1, col as u16, *header).unwrap();
    }
    for (i, phone) in phones.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_number(row, 0, (i + 1) as f64).unwrap();
        sheet.write_string(row, 1, phone).unwrap();
        sheet.write_string(row, 2, format!("党员{}", chinese_number(i))).unwrap();
        sheet.write_string(row, 3, unit).unwrap();
        sheet.write_string(row, 4, if i % 2 == 0 { "男" } else { "女" }).unwrap();
        sheet.write_string(row, 5, format!("{}年{}月{}日", 1950 + i % 40, 1 + i % 12, 1 + i % 28)).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

fn chinese_number(i: usize) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    format!("{}{}", DIGITS[i / 10 % 10], DIGITS[i % 10])
}

fn phones(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("1380000{:04}", 1000 + i)).collect()
}

#[tokio::test]
async fn one_bad_phone_on_row_37_rejects_the_whole_file_then_the_fixed_file_imports_once() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let mut list = phones(40);
    list[34] = "1380000".into(); // data row 34 is Excel row 37
    let r = app.upload_roster(&client, "花名册.xlsx", roster_xlsx("甲村第一支部", &list)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("第37行") && html.contains("手机号码") && html.contains("1380000"), "{html}");
    assert!(html.contains("未导入任何数据"));
    assert_eq!(app.count("members").await, 0, "nothing half-imported");
    assert!(app.audit("import").await[0].ends_with("|false"));

    let fixed = roster_xlsx("甲村第一支部", &phones(40));
    let r = app.upload_roster(&client, "花名册.xlsx", fixed.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("新增 40 人，更新 0 人，未变 0 人"));
    assert_eq!(app.count("members").await, 40);

    let r = app.upload_roster(&client, "花名册.xlsx", fixed).await;
    assert!(r.text().await.unwrap().contains("新增 0 人，更新 0 人，未变 40 人"));
    assert_eq!(app.count("members").await, 40, "re-importing changes nothing");
}

#[tokio::test]
async fn every_bad_row_is_listed_not_just_the_first() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let mut list = phones(10);
    list[1] = "12345678901".into();
    list[5] = "abc".into();
    list[8] = list[0].clone();
    let r = app.upload_roster(&client, "r.xlsx", roster_xlsx("甲村第一支部", &list)).await;
    let html = r.text().await.unwrap();
    for row in ["第4行", "第8行", "第11行"] {
        assert!(html.contains(row), "{row} missing");
    }
    assert!(html.contains("与第3行"), "the duplicate names its first row");
}

#[tokio::test]
async fn an_updated_file_updates_members_matched_by_phone() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    app.upload_roster(&client, "r.xlsx", roster_xlsx("甲村第一支部", &phones(5))).await;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["姓名", "手机号码", "所在单位", "人员类别"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "党员零零").unwrap();
    sheet.write_number(1, 1, 13800001000.0).unwrap(); // a phone stored as a number
    sheet.write_string(1, 2, "甲村/甲村第一支部").unwrap(); // a qualified unit name
    sheet.write_string(1, 3, "老党员、困难党员").unwrap();
    let r = app.upload_roster(&client, "update.xlsx", workbook.save_to_buffer().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("新增 0 人，更新 1 人，未变 0 人"));
    let (rows, _) = dongxun::people::store::search(
        &app.db,
        &dongxun::people::store::MemberQuery {
            text: "党员零零".into(),
            ..dongxun::people::store::MemberQuery::inside(dongxun::org::Scope::whole_tree())
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(rows[0].categories, 3);
    assert!(rows[0].birth_date.is_some(), "a column the file lacks keeps its stored value");
}

#[tokio::test]
async fn rows_for_another_villages_units_are_refused() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let r = app.upload_roster(&client, "r.xlsx", roster_xlsx("乙村第一支部", &phones(3))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不在您的管辖范围内"));
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn malformed_and_oversized_files_are_refused_clearly() {
    let app = spawn_app_with(WebConfig { max_upload_bytes: 64 * 1024, ..WebConfig::default() }).await;
    let client = app.logged_in(STATION_A).await;
    let r = app.upload_roster(&client, "r.xlsx", b"PK\x03\x04 this is not really a zip".to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("文件已损坏"));
    let r = app.upload_roster(&client, "r.pdf", b"%PDF-1.4".to_vec()).await;
    assert!(r.text().await.unwrap().contains("无法识别的文件格式"));
    let r = app.upload_roster(&client, "big.xlsx", vec![b'x'; 200 * 1024]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("不能超过"));
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn a_gbk_csv_from_excel_imports() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let text = "姓名,手机号码,所在单位\r\n张 三,１３８００００１２３４,甲村第一支部\r\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let r = app.upload_roster(&client, "名册.csv", bytes.into_owned()).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("新增 1 人"), "{html}");
    let members =
        dongxun::people::store::all_in_scope(&app.db, &dongxun::org::Scope::whole_tree()).await.unwrap();
    assert_eq!(members[0].name, "张三");
    assert_eq!(members[0].phone.as_deref(), Some("13800001234"));
}

#[tokio::test]
async fn export_round_trips_through_import_and_is_audited() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    app.upload_roster(&client, "r.xlsx", roster_xlsx("甲村第一支部", &phones(12))).await;
    let r = app.get(&client, "/members/export").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(app.audit("export").await[0].contains("12人"));
    let r = app.upload_roster(&client, "export.xlsx", bytes).await;
    assert!(r.text().await.unwrap().contains("新增 0 人，更新 0 人，未变 12 人"));
}
