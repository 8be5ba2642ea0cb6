//! Rosters as real clerks make them (issue 8, items 18–20): the unit column named the way
//! villages name it or picked from the headers (web and `--unit-column`), every error in one
//! pass, warnings that do not block and flag the member 数据存疑, the template, and a phone's
//! last four digits in the member search.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::Workbook;

use crate::cli::dongxun;
use crate::helpers::*;

/// A one-sheet roster: `header` in row 1, then `rows` (all text).
fn sheet(header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, cells) in std::iter::once(header.to_vec()).chain(rows.iter().cloned()).enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Posts the import form with extra text fields (the picker's `staged` and `unit_column`).
async fn post_import(
    app: &TestApp,
    client: &reqwest::Client,
    file: Option<Vec<u8>>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = app.csrf(client, "/members/import").await;
    let mut form = Form::new();
    if let Some(bytes) = file {
        form = form.part("file", Part::bytes(bytes).file_name("花名册.xlsx"));
    }
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    client.post(app.url(&format!("/members/import?csrf={token}"))).multipart(form).send().await.unwrap()
}

/// The value of the picker's hidden `staged` field.
fn staged_token(html: &str) -> String {
    let at = html.find("name=\"staged\" value=\"").expect("a staged token on the picker") + 21;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn unit_columns_named_the_village_way_are_recognised() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    for (i, header) in ["所在村社", "党组织名称", "所属支部"].iter().enumerate() {
        let phone = format!("1380000100{i}");
        let bytes = sheet(&["姓名", "手机号码", header], &[vec!["张三", &phone, "甲村第一支部"]]);
        let r = app.upload_roster(&client, "r.xlsx", bytes).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("新增 1 人"), "{header}: {html}");
    }
    assert_eq!(app.count("members").await, 3);
}

#[tokio::test]
async fn an_unrecognised_unit_column_is_picked_from_the_headers_without_uploading_again() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let bytes =
        sheet(&["序号", "姓名", "手机号码", "网格"], &[vec!["1", "张三", "13800001000", "甲村第一支部"]]);
    let r = post_import(&app, &client, Some(bytes), &[("unit_id", "0")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"unit-column-picker\""), "{html}");
    for header in ["序号", "网格"] {
        assert!(html.contains(&format!("value=\"{header}\"")), "{header} offered: {html}");
    }
    assert!(!html.contains("value=\"姓名\""), "a column already understood is not offered");
    assert_eq!(app.count("members").await, 0);
    let token = staged_token(&html);

    // Another login cannot take the staged file.
    let other = app.logged_in(STATION_A).await;
    let r = post_import(&app, &other, None, &[("staged", &token), ("unit_column", "网格")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("重新选择文件"));

    let r =
        post_import(&app, &client, None, &[("staged", &token), ("unit_column", "网格"), ("unit_id", "0")])
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("新增 1 人"));
    assert_eq!(app.count("members").await, 1);
    // Handed out once.
    let r = post_import(&app, &client, None, &[("staged", &token), ("unit_column", "网格")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_cli_lists_the_headers_and_takes_unit_column() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("名册.xlsx");
    let header = ["姓名", "手机号码", "网格", "出生日期", "入党时间"];
    let row = vec!["张三", "13800001000", "甲村第一支部", "1950-06-15", "1966-03-01"];
    std::fs::write(&file, sheet(&header, &[row])).unwrap();
    let out = dongxun(&app).args(["import", "members"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("网格") && stderr.contains("--unit-column"), "{stderr}");
    assert_eq!(app.count("members").await, 0);

    let out = dongxun(&app).args(["import", "members", "--unit-column", "网格"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("数据存疑") && stdout.contains("第2行"), "warnings are printed: {stdout}");
    assert_eq!(app.count("members").await, 1);
}

#[tokio::test]
async fn bad_rows_and_unknown_units_are_all_reported_at_once() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let rows = vec![
        vec!["张一", "13800001001", "甲村第一支部"],
        vec!["张二", "1380000", "甲村第一支部"],     // row 3: bad phone
        vec!["张三", "13800001003", "丙村支部"],     // row 4: unknown unit
        vec!["张", "13800001004", "甲村第一支部"],   // row 5: bad name
        vec!["张五", "13800001005", "乙村第一支部"], // row 6: another village's unit
    ];
    let r = app.upload_roster(&client, "r.xlsx", sheet(&["姓名", "手机号码", "所在村社"], &rows)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("名册中有4处错误"), "{html}");
    for row in ["第3行", "第4行", "第5行", "第6行"] {
        assert!(html.contains(row), "{row} missing: {html}");
    }
    assert!(html.contains("<td>所在村社</td>"), "the unit errors name the column as the file does");
    assert_eq!(app.count("members").await, 0, "nothing imported");
}

#[tokio::test]
async fn a_join_before_the_18th_birthday_imports_with_a_warning_and_flags_the_member() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let header = ["姓名", "出生日期", "手机号码", "所在单位", "入党时间"];
    let rows = vec![
        vec!["王老", "1950-06-15", "13800001001", "甲村第一支部", "1966-03-01"],
        vec!["李正", "1950-06-15", "13800001002", "甲村第一支部", "1975-07-01"],
    ];
    let bytes = sheet(&header, &rows);
    let r = app.upload_roster(&client, "r.xlsx", bytes.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("新增 2 人"), "{html}");
    assert!(html.contains("id=\"import-warnings\"") && html.contains("1处数据存疑"), "{html}");
    assert!(html.contains("第2行") && html.contains("入党时间早于年满18周岁"), "{html}");
    assert!(app.audit("import").await[0].contains("1人数据存疑"));

    let list = app.get(&client, "/members?doubt=1").await.text().await.unwrap();
    assert!(list.contains("共 1 人") && list.contains("王老") && list.contains("数据存疑"), "{list}");
    let all = app.get(&client, "/members").await.text().await.unwrap();
    assert_eq!(all.matches("tag warn doubt").count(), 1, "only the doubtful member is tagged");

    let listed = app.get(&client, "/members?q=wl").await.text().await.unwrap();
    let id: i64 = listed
        .split("href=\"/members/")
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .next()
        .expect("王老's link");
    let page = app.get(&client, &format!("/members/{id}")).await.text().await.unwrap();
    assert!(page.contains("id=\"doubt\"") && page.contains("入党时间早于年满18周岁"), "{page}");

    // Another village's staff cannot clear it; the station's can, audited.
    let other = app.logged_in(STATION_B).await;
    let r = app.post_form(&other, &format!("/members/{id}/doubt/clear"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.post_form(&client, &format!("/members/{id}/doubt/clear"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.audit("member_edit").await[0].contains("清除“数据存疑”"));
    let page = app.get(&client, &format!("/members/{id}")).await.text().await.unwrap();
    assert!(!page.contains("id=\"doubt\""));

    // The same file again does not flag a member staff have checked.
    let r = app.upload_roster(&client, "r.xlsx", bytes).await;
    assert!(r.text().await.unwrap().contains("未变 2 人"));
    let list = app.get(&client, "/members?doubt=1").await.text().await.unwrap();
    assert!(list.contains("共 0 人"), "{list}");
}

#[tokio::test]
async fn the_template_downloads_as_xlsx_and_imports_back() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let page = app.get(&client, "/members/import").await.text().await.unwrap();
    assert!(page.contains("href=\"/members/import/template\""));
    let r = app.get(&client, "/members/import/template").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"PK"));
    let r = app.upload_roster(&client, "党员花名册导入模板.xlsx", bytes).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("新增 1 人"), "{html}");
}

#[tokio::test]
async fn the_last_four_digits_of_a_phone_find_the_member() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let rows = vec![vec!["张三", "13812345678", "甲村第一支部"], vec!["李四", "13900001111", "甲村第一支部"]];
    app.upload_roster(&client, "r.xlsx", sheet(&["姓名", "手机号码", "所在单位"], &rows)).await;
    let html = app.get(&client, "/members?q=5678").await.text().await.unwrap();
    assert!(html.contains("共 1 人") && html.contains("张三"), "{html}");
    let html = app.get(&client, "/members?q=1390").await.text().await.unwrap();
    assert!(html.contains("共 1 人") && html.contains("李四"), "a four-digit start still works: {html}");
}

#[tokio::test]
async fn the_member_form_saves_a_doubtful_join_date_and_flags_it() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let unit = app.branch_a.id.to_string();
    let form = [
        ("name", "赵早"),
        ("phone", "13912345678"),
        ("birth_date", "1950-06-15"),
        ("joined_party_on", "1967-01-01"),
        ("unit_id", unit.as_str()),
        ("status", "正常"),
    ];
    let r = app.post_form(&client, "/members", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a doubtful date does not block the form");
    let page = app.get(&client, &location(&r)).await.text().await.unwrap();
    assert!(page.contains("数据存疑") && page.contains("id=\"doubt\""), "{page}");
}
