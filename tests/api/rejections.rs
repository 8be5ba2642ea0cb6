//! Requests the pages never send (a field left out, a forged repeated field, a non-numeric id, a
//! bad query value, JSON where a form belongs, a form where an upload belongs) are refused with
//! a Chinese page, never axum's English.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};

use crate::helpers::*;

/// Phrases of axum's and serde's own rejections; none may reach a user.
const FRAMEWORK_ENGLISH: [&str; 10] = [
    "Failed to",
    "deserialize",
    "Cannot parse",
    "missing field",
    "unsupported value",
    "invalid digit",
    "Content-Type",
    "Expected request",
    "boundary",
    "Invalid",
];

/// Asserts the status and that the body is the Chinese error page saying `expected`.
async fn assert_chinese(response: Response, status: StatusCode, expected: &str) {
    assert_eq!(response.status(), status);
    let body = response.text().await.unwrap();
    assert!(body.contains(expected), "expected {expected:?} in {body}");
    for english in FRAMEWORK_ENGLISH {
        assert!(!body.contains(english), "framework text {english:?} in {body}");
    }
}

#[tokio::test]
async fn a_missing_or_repeated_field_is_named_in_chinese() {
    let app = spawn_app().await;
    let client = app.client();
    let r = app.post_form(&client, "/login", &[("phone", COMMITTEE)]).await;
    assert_chinese(r, StatusCode::BAD_REQUEST, "「密码」未填写").await;

    let admin = app.logged_in(COMMITTEE).await;
    let rename = format!("/org/units/{}/rename", app.village_a.id);
    let r = app.post_form(&admin, &rename, &[("name", "丙村"), ("name", "丁村")]).await;
    assert_chinese(r, StatusCode::BAD_REQUEST, "「名称」只能填写一项").await;
    let r =
        app.post_form(&admin, &format!("/org/units/{}/move", app.branch_a.id), &[("parent_id", "x")]).await;
    assert_chinese(r, StatusCode::BAD_REQUEST, "「移到」格式不正确").await;
    let tree = app.get(&admin, "/org").await.text().await.unwrap();
    assert!(tree.contains("甲村") && !tree.contains("丙村"), "nothing was renamed");
}

#[tokio::test]
async fn a_non_numeric_id_is_simply_not_found() {
    let app = spawn_app().await;
    let admin = app.logged_in(COMMITTEE).await;
    for path in ["/members/abc", "/org/units/1x", "/sessions/abc"] {
        assert_chinese(app.get(&admin, path).await, StatusCode::NOT_FOUND, "页面不存在").await;
    }
    let r = app.post_form(&admin, "/campaigns/abc/exclusions/1/remove", &[]).await;
    assert_chinese(r, StatusCode::NOT_FOUND, "页面不存在").await;
}

#[tokio::test]
async fn a_bad_query_value_names_the_filter() {
    let app = spawn_app().await;
    let admin = app.logged_in(COMMITTEE).await;
    assert_chinese(app.get(&admin, "/members?unit=abc").await, StatusCode::BAD_REQUEST, "「单位」格式不正确")
        .await;
    assert_chinese(
        app.get(&admin, "/audit?before=yesterday").await,
        StatusCode::BAD_REQUEST,
        "「更早的记录」",
    )
    .await;
    // An empty choice is simply no filter.
    assert_eq!(app.get(&admin, "/members?unit=&category=").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn json_or_a_form_where_they_do_not_belong_is_refused_in_chinese() {
    let app = spawn_app().await;
    let admin = app.logged_in(COMMITTEE).await;
    let token = app.csrf(&admin, "/members/import").await;
    let r = admin
        .post(app.url("/sessions/1/online/progress"))
        .header("x-csrf-token", &token)
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"played": "0-10", "duration": "#)
        .send()
        .await
        .unwrap();
    assert_chinese(r, StatusCode::BAD_REQUEST, "请在页面上填写表单后提交").await;

    let r = admin
        .post(app.url(&format!("/members/import?csrf={token}")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&file=roster.xlsx"))
        .send()
        .await
        .unwrap();
    assert_chinese(r, StatusCode::BAD_REQUEST, "请在页面上选择文件后提交").await;
}

#[tokio::test]
async fn without_a_current_campaign_pages_say_how_to_start_one() {
    let app = spawn_app().await;
    let admin = app.logged_in(COMMITTEE).await;
    for path in ["/overview", "/sessions/new", "/bookings/new", "/feedback"] {
        let r = app.get(&admin, path).await;
        assert_chinese(
            r,
            StatusCode::CONFLICT,
            "还没有正在进行的冬训计划：请街道管理员在「冬训计划」中创建并设为当前。",
        )
        .await;
    }
    // Pages with an empty state of their own keep it.
    assert_eq!(app.get(&admin, "/coverage").await.status(), StatusCode::OK);
    assert_eq!(app.get(&admin, "/deliveries").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_method_gets_a_chinese_page() {
    let app = spawn_app().await;
    let admin = app.logged_in(COMMITTEE).await;
    // A form's address opened as a link: GET where only POST is routed.
    let r = app.get(&admin, &format!("/org/units/{}/rename", app.village_a.id)).await;
    assert_chinese(r, StatusCode::METHOD_NOT_ALLOWED, "此页面不能这样打开").await;
}
