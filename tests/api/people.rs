//! Members: search by name and pinyin initials, masking, unmasking (audited), create and edit.

use dongxun::people::model::{MemberCategories, MemberStatus};
use dongxun::people::store::{self, MemberFields};
use reqwest::StatusCode;

use crate::helpers::*;

/// Stores a member directly; returns the id.
pub async fn add_member(app: &TestApp, unit_id: i64, name: &str, phone: &str) -> i64 {
    let fields = MemberFields {
        unit_id,
        name: name.to_owned(),
        gender: None,
        birth_date: None,
        phone: Some(phone.to_owned()),
        id_card: None,
        joined_party_on: None,
        categories: MemberCategories::from_bits(0),
        status: MemberStatus::Active,
        address: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let id = store::insert(&mut tx, &app.vault, &fields).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn search_finds_by_pinyin_initials_and_name_sorted_by_pinyin() {
    let app = spawn_app().await;
    for (name, phone) in
        [("张三", "13800000011"), ("王五", "13800000012"), ("张珊珊", "13800000013"), ("李娜", "13800000014")]
    {
        add_member(&app, app.branch_a.id, name, phone).await;
    }
    let client = app.logged_in(COMMITTEE).await;
    let html = app.get(&client, "/members?q=zs").await.text().await.unwrap();
    assert!(
        html.contains("张三") && html.contains("张珊珊") && !html.contains("王五") && !html.contains("李娜")
    );
    let html = app.get(&client, "/members?q=ZS").await.text().await.unwrap();
    assert!(html.contains("张三"), "case does not matter");
    let html = app.get(&client, "/members?q=zhang").await.text().await.unwrap();
    assert!(html.contains("张三") && !html.contains("王五"));
    let html = app.get(&client, "/members?q=珊").await.text().await.unwrap();
    assert!(html.contains("张珊珊") && !html.contains("张三<"));
    let html = app.get(&client, "/members").await.text().await.unwrap();
    let order: Vec<usize> =
        ["李娜", "王五", "张三", "张珊珊"].iter().map(|n| html.find(n).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "sorted by pinyin: {order:?}");
    let html = app.get(&client, "/members?q=%25").await.text().await.unwrap();
    assert!(html.contains("共 0 人"), "LIKE wildcards are escaped");
}

#[tokio::test]
async fn phones_are_masked_until_an_admin_reveals_them_and_that_is_audited() {
    let app = spawn_app().await;
    let id = add_member(&app, app.branch_a.id, "张三", "13812341234").await;
    let client = app.logged_in(STATION_A).await;
    let list = app.get(&client, "/members").await.text().await.unwrap();
    assert!(list.contains("138****1234") && !list.contains("13812341234"));
    let detail = app.get(&client, &format!("/members/{id}")).await.text().await.unwrap();
    assert!(detail.contains("138****1234") && !detail.contains("13812341234"));
    let revealed = app.post_form(&client, &format!("/members/{id}/reveal"), &[]).await;
    assert_eq!(revealed.status(), StatusCode::OK);
    assert!(revealed.text().await.unwrap().contains("13812341234"));
    let entries = app.audit("unmask").await;
    assert_eq!(entries.len(), 1);
    assert!(entries[0].starts_with("张三|"));
}

#[tokio::test]
async fn the_member_form_checks_like_the_roster_and_stores_nothing_when_wrong() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let unit = app.branch_a.id.to_string();
    let bad = [("name", "王五"), ("phone", "1381234"), ("unit_id", unit.as_str()), ("status", "正常")];
    let r = app.post_form(&client, "/members", &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("手机号码"));
    // An ID card that disagrees with the birth date.
    let bad = [
        ("name", "王五"),
        ("id_card", "11010519491231002X"),
        ("birth_date", "1950-01-01"),
        ("unit_id", unit.as_str()),
        ("status", "正常"),
    ];
    let r = app.post_form(&client, "/members", &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("出生日期与身份证号不一致"));
    assert_eq!(app.count("members").await, 0);

    let good = [
        ("name", "王五"),
        ("id_card", "11010519491231002X"),
        ("phone", "13912345678"),
        ("unit_id", unit.as_str()),
        ("category", "1"),
        ("category", "2"),
        ("status", "正常"),
    ];
    let r = app.post_form(&client, "/members", &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
    let member =
        store::by_id_in_scope(&app.db, id, &dongxun::org::Scope::whole_tree()).await.unwrap().unwrap();
    assert_eq!(member.birth_date.unwrap().to_string(), "1949-12-31", "derived from the ID card");
    assert_eq!(member.gender.map(|g| g.label()), Some("女"));
    assert_eq!(member.categories, 3);
    assert_eq!(app.audit("member_edit").await.len(), 1);
}

#[tokio::test]
async fn editing_a_member_is_audited_by_field_name_not_value() {
    let app = spawn_app().await;
    let id = add_member(&app, app.branch_a.id, "张三", "13812341234").await;
    let client = app.logged_in(COMMITTEE).await;
    let unit = app.branch_a.id.to_string();
    let edit = [("name", "张三"), ("phone", "13812349999"), ("unit_id", unit.as_str()), ("status", "正常")];
    let r = app.post_form(&client, &format!("/members/{id}"), &edit).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let entry = &app.audit("member_edit").await[0];
    assert!(entry.contains("修改了手机号码") && !entry.contains("13812349999"), "{entry}");
}

#[tokio::test]
async fn page_numbers_past_what_can_be_counted_are_refused_in_chinese() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    for page in ["99999999999999999999", "9223372036854775807", "-9223372036854775808"] {
        let r = app.get(&client, &format!("/members?page={page}")).await;
        let status = r.status();
        let html = r.text().await.unwrap();
        if page.starts_with('-') {
            // Below the first page is the first page.
            assert_eq!(status, reqwest::StatusCode::OK, "{page}");
            continue;
        }
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{page}: {html}");
        assert!(html.contains("页码"), "{page}: {html}");
    }
    // An ordinary page past the end is just empty.
    assert_eq!(app.get(&client, "/members?page=50").await.status(), reqwest::StatusCode::OK);
}
