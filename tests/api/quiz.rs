//! The question bank over HTTP: the template sheet (all or nothing, bad rows named), rough banks
//! previewed and stored only when confirmed, duplicates stored once, the list's filters, and who
//! may import.

use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;

use crate::helpers::*;

/// A sheet with the template's header in its own order; `rows` are (题型, 题干, 选项A, 选项B, 答案, 分类).
pub fn bank_xlsx(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["题型", "题干", "选项A", "选项B", "答案", "分类", "解析", "难度"].iter().enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            sheet.write_string(i as u32 + 1, col as u16, *value).unwrap();
        }
        sheet.write_string(i as u32 + 1, 6, "见党章").unwrap();
        sheet.write_string(i as u32 + 1, 7, "易").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// Uploads a bank as the import page's form does; returns the status and the page.
pub async fn upload_bank(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, String) {
    let token = app.csrf(client, "/questions").await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = client
        .post(app.url(&format!("/questions/import?csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The confirm token a preview page carries.
pub fn confirm_token(html: &str) -> Option<String> {
    let at = html.find("name=\"token\" value=\"")? + "name=\"token\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

async fn confirm(app: &TestApp, client: &reqwest::Client, token: &str) -> (StatusCode, String) {
    let r = app.post_form(client, "/questions/import/confirm", &[("token", token)]).await;
    (r.status(), r.text().await.unwrap())
}

pub const ROUGH_TEXT: &str = "1. 党员应当按时交纳（A）。A.党费 B.会费 C.学费\n\
    2、冬训一般在农闲时节开展。（√）【出题：甲村第一支部】\n\
    3. 这一行没有答案\n\
    4. 党的根本宗旨是（全心全意为人民服务）。\n\
    5. 下列属于“三农”的是（ABC）A.农业 B.农村 C.农民 D.城市\n";

#[tokio::test]
async fn a_template_sheet_is_previewed_then_stored_on_confirm_and_audited() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let file = bank_xlsx(&[
        ["单选", "党的最高领导机关是（ ）", "全国代表大会和它产生的中央委员会", "国务院", "A", "党章"],
        ["判断", "冬训一般在农闲时节开展", "", "", "正确", "冬训"],
    ]);
    let (status, html) = upload_bank(&app, &client, "题库.xlsx", file).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("识别出 <strong>2</strong> 题")
            && html.contains("单选 1 题")
            && html.contains("判断 1 题"),
        "{html}"
    );
    assert_eq!(app.count("questions").await, 0, "nothing stored before confirming");
    let token = confirm_token(&html).expect("a confirm form");
    let (status, html) = confirm(&app, &client, &token).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("新增 2 题"), "{html}");
    assert_eq!(app.count("questions").await, 2);
    assert!(app.audit("import").await[0].starts_with("题库：题库.xlsx|新增2题"));
    let (status, _) = confirm(&app, &client, &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a token works once");
    assert_eq!(app.count("questions").await, 2);
}

#[tokio::test]
async fn a_template_sheet_with_bad_rows_names_each_and_cannot_be_confirmed() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let file = bank_xlsx(&[
        ["单选", "第一题", "甲", "乙", "A", ""],
        ["单选", "第二题", "甲", "乙", "C", ""],
        ["问答", "第三题", "", "", "说说看", ""],
    ]);
    let (status, html) = upload_bank(&app, &client, "题库.xlsx", file).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("2 处没有识别") && html.contains("第3行") && html.contains("超出了选项范围"),
        "{html}"
    );
    assert!(html.contains("第4行") && html.contains("题型“问答”"), "{html}");
    assert!(!html.contains("id=\"confirm\""), "all or nothing: no confirm button");
    assert_eq!(app.count("questions").await, 0);
}

#[tokio::test]
async fn a_rough_text_bank_is_understood_and_the_rest_reported_by_line() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let (status, html) = upload_bank(&app, &client, "支部题库.txt", ROUGH_TEXT.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("识别出 <strong>4</strong> 题"), "{html}");
    assert!(
        html.contains("单选 1 题")
            && html.contains("多选 1 题")
            && html.contains("判断 1 题")
            && html.contains("填空 1 题")
    );
    assert!(
        html.contains("1 处没有识别") && html.contains("第3行") && html.contains("没有找到答案"),
        "{html}"
    );
    assert_eq!(app.count("questions").await, 0);
    let (status, html) = confirm(&app, &client, &confirm_token(&html).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("新增 4 题") && html.contains("未识别 1 处"), "{html}");
    let listed = app.get(&client, "/questions?q=农闲").await.text().await.unwrap();
    assert!(listed.contains("来源：甲村第一支部") && listed.contains("共 1 题"), "{listed}");
}

#[tokio::test]
async fn duplicates_in_the_file_and_in_the_bank_are_reported_and_stored_once() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let first = "党员要按时交纳党费（√）\n";
    let (_, html) = upload_bank(&app, &client, "a.txt", first.as_bytes().to_vec()).await;
    confirm(&app, &client, &confirm_token(&html).unwrap()).await;
    let second = "党员要按时交纳党费。（对）\n党员 要参加组织生活（√）\n党员要参加组织生活！（√）\n";
    let (_, html) = upload_bank(&app, &client, "b.txt", second.as_bytes().to_vec()).await;
    assert!(
        html.contains("另有 2 题重复") && html.contains("题库中已有") && html.contains("第2行"),
        "{html}"
    );
    let (_, html) = confirm(&app, &client, &confirm_token(&html).unwrap()).await;
    assert!(html.contains("新增 1 题，重复 2 题"), "{html}");
    assert_eq!(app.count("questions").await, 2);
}

#[tokio::test]
async fn json_banks_are_understood() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let json = r#"{"中国共产党成立于哪一年？|1919年|1921年|1949年": "1921年", "玉米播种后应及时（  ）": "镇压保墒"}"#;
    let (status, html) = upload_bank(&app, &client, "bank.json", json.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("单选 1 题") && html.contains("填空 1 题"), "{html}");
    let (status, html) = upload_bank(&app, &client, "bank.json", b"[{\"question\": 1".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("JSON格式有误"), "{html}");
}

#[tokio::test]
async fn station_staff_read_the_bank_only_the_committee_imports_and_members_see_nothing() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let (_, html) = upload_bank(&app, &committee, "a.txt", ROUGH_TEXT.as_bytes().to_vec()).await;
    confirm(&app, &committee, &confirm_token(&html).unwrap()).await;

    let station = app.logged_in(STATION_A).await;
    let list = app.get(&station, "/questions").await;
    assert_eq!(list.status(), StatusCode::OK);
    let list = list.text().await.unwrap();
    assert!(list.contains("共 4 题") && !list.contains("id=\"import-link\""), "{list}");
    assert_eq!(app.get(&station, "/questions/import").await.status(), StatusCode::FORBIDDEN);
    let (status, _) = upload_bank(&app, &station, "a.txt", b"x (A)".to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&station, "/questions/export").await.status(), StatusCode::OK);

    let member = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member, "/questions").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_list_filters_by_category_and_kind_and_pages() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let rows: Vec<[String; 6]> = (0..25)
        .map(|i| {
            let category = if i % 5 == 0 { "党史" } else { "农技" };
            [
                "判断".into(),
                format!("第{i}题说法正确"),
                String::new(),
                String::new(),
                "对".into(),
                category.into(),
            ]
        })
        .collect();
    let rows: Vec<[&str; 6]> = rows.iter().map(|r| std::array::from_fn(|c| r[c].as_str())).collect();
    let (_, html) = upload_bank(&app, &client, "bank.xlsx", bank_xlsx(&rows)).await;
    confirm(&app, &client, &confirm_token(&html).unwrap()).await;
    let all = app.get(&client, "/questions").await.text().await.unwrap();
    assert!(all.contains("共 25 题，第 1/2 页") && all.contains("下一页"), "{all}");
    let second = app.get(&client, "/questions?page=2").await.text().await.unwrap();
    assert!(second.contains("第24题") && !second.contains("第0题说法"), "{second}");
    let history = app.get(&client, "/questions?category=%E5%85%9A%E5%8F%B2").await.text().await.unwrap();
    assert!(history.contains("共 5 题"), "{history}");
    let singles = app.get(&client, "/questions?kind=single").await.text().await.unwrap();
    assert!(singles.contains("共 0 题"));
}

/// The id of the stored question whose stem contains `words`.
async fn question_id(app: &TestApp, words: &str) -> i64 {
    let filter = dongxun::quiz::store::Filter { search: Some(words.into()), limit: 10, ..Default::default() };
    dongxun::quiz::store::list(&app.db, &filter).await.unwrap().0[0].id
}

#[tokio::test]
async fn the_committee_edits_one_question_on_the_web_audited_and_checked_like_an_import() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let rows = [
        ["单选", "党的最高领导机关是（ ）", "全国代表大会", "中央委员会", "A", "党章"],
        ["判断", "冬训在农闲时节开展", "", "", "对", "冬训"],
    ];
    let (status, page) = upload_bank(&app, &committee, "bank.xlsx", bank_xlsx(&rows)).await;
    assert_eq!(status, StatusCode::OK);
    confirm(&app, &committee, &confirm_token(&page).unwrap()).await;
    let id = question_id(&app, "最高领导机关").await;
    let list = app.get(&committee, "/questions").await.text().await.unwrap();
    assert!(list.contains(&format!("/questions/{id}/edit")), "an edit link for the committee");

    let edit = format!("/questions/{id}/edit");
    let form = app.get(&committee, &edit).await.text().await.unwrap();
    assert!(form.contains("全国代表大会") && form.contains("value=\"A\""), "the form holds the question");
    let fields = |stem: &'static str, answer: &'static str| {
        vec![
            ("kind", "multiple"),
            ("stem", stem),
            ("option_a", "全国代表大会"),
            ("option_b", "中央委员会"),
            ("option_c", "中央政治局"),
            ("answer", answer),
            ("explanation", "见党章第十条"),
            ("category", "党章"),
            ("difficulty", "中"),
        ]
    };
    // A 多选 with one letter is refused beside the answer, keeping what was typed.
    let r = app.post_form(&committee, &edit, &fields("党的最高领导机关是（ ）（改）", "A")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("多选题至少要有两个答案") && page.contains("（改）") && page.contains("中央政治局"),
        "{page}"
    );
    // The stem of another question is refused: the bank holds each question once.
    let r = app.post_form(&committee, &edit, &fields("冬训在农闲时节开展。", "AB")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("已有相同题干"));
    assert!(app.audit("question_edit").await.is_empty(), "nothing changed");

    let r = app.post_form(&committee, &edit, &fields("党的最高领导机关和它产生的是（ ）", "ba")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored = dongxun::quiz::store::one(&app.db, id).await.unwrap().unwrap();
    assert_eq!(
        (stored.kind.code(), stored.answer.as_str(), stored.option_c.as_str()),
        ("multiple", "AB", "中央政治局")
    );
    assert_eq!(stored.explanation, "见党章第十条");
    let audit = app.audit("question_edit").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].contains("党的最高领导机关和它产生的是"), "{audit:?}");

    // Station staff read the bank but do not edit it.
    let station = app.logged_in(STATION_A).await;
    assert_eq!(app.get(&station, &edit).await.status(), StatusCode::FORBIDDEN);
    let r = app.post_form(&station, &edit, &fields("站点改的题", "AB")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&committee, "/questions/999999/edit").await.status(), StatusCode::NOT_FOUND);
}
