//! The subtree rule: a station admin guessing another village's ids gets 404, everywhere.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;

#[tokio::test]
async fn another_villages_member_is_not_found_for_reading_editing_or_unmasking() {
    let app = spawn_app().await;
    let theirs = add_member(&app, app.branch_b.id, "李四", "13922223333").await;
    let ours = add_member(&app, app.branch_a.id, "张三", "13933334444").await;
    let client = app.logged_in(STATION_A).await;
    assert_eq!(app.get(&client, &format!("/members/{ours}")).await.status(), StatusCode::OK);
    for path in [format!("/members/{theirs}"), format!("/members/{theirs}/edit")] {
        assert_eq!(app.get(&client, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = app.post_form(&client, &format!("/members/{theirs}/reveal"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let unit = app.branch_a.id.to_string();
    let edit = [("name", "李四改"), ("phone", "13922223333"), ("unit_id", unit.as_str()), ("status", "正常")];
    let r = app.post_form(&client, &format!("/members/{theirs}"), &edit).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(app.audit("unmask").await.is_empty());
    // The list and search never show them either.
    let html = app.get(&client, "/members?q=ls").await.text().await.unwrap();
    assert!(!html.contains("李四"));
    let html = app.get(&client, &format!("/members?unit={}", app.branch_b.id)).await.text().await.unwrap();
    assert!(!html.contains("李四"));
}

#[tokio::test]
async fn members_cannot_be_moved_into_another_village() {
    let app = spawn_app().await;
    let ours = add_member(&app, app.branch_a.id, "张三", "13933334444").await;
    let client = app.logged_in(STATION_A).await;
    let unit = app.branch_b.id.to_string();
    let edit = [("name", "张三"), ("phone", "13933334444"), ("unit_id", unit.as_str()), ("status", "正常")];
    let r = app.post_form(&client, &format!("/members/{ours}"), &edit).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let member = dongxun::people::store::by_id_in_scope(&app.db, ours, &dongxun::org::Scope::whole_tree())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.unit_id, app.branch_a.id);
}

#[tokio::test]
async fn another_villages_units_and_accounts_are_not_found() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    assert_eq!(
        app.get(&client, &format!("/org/units/{}", app.village_b.id)).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = app
        .post_form(
            &client,
            &format!("/org/units/{}/profile", app.village_b.id),
            &[("service_brand", "x"), ("training_brand", ""), ("slogan", ""), ("story", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let other = dongxun::auth::store::by_phone(&app.db, STATION_B).await.unwrap().unwrap();
    let r = app.post_form(&client, &format!("/accounts/{}/reset-password", other.id), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.post_form(&client, &format!("/accounts/{}/active", other.id), &[("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = app.get(&client, "/accounts").await.text().await.unwrap();
    assert!(!html.contains("乙村书记"));
    // Creating an account in another village is refused too.
    let r = app
        .post_form(
            &client,
            "/accounts",
            &[
                ("name", "外村人"),
                ("phone", "13655558888"),
                ("role", "member"),
                ("unit_id", &app.village_b.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
