//! The organisation tree: add, rename, move, retire (never with members), brand profiles.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;

#[tokio::test]
async fn the_committee_adds_renames_and_moves_units() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let r = app
        .post_form(
            &client,
            "/org/units",
            &[("parent_id", &app.village_a.id.to_string()), ("kind", "branch"), ("name", "甲村第二支部")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let units =
        dongxun::org::store::units_in_scope(&app.db, &dongxun::org::Scope::whole_tree()).await.unwrap();
    let second = units.iter().find(|u| u.name == "甲村第二支部").unwrap().clone();
    assert_eq!(second.path, format!("{}{:010}/", app.village_a.path, second.id));

    let r = app
        .post_form(&client, &format!("/org/units/{}/rename", second.id), &[("name", "甲村老年支部")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A station cannot go under a branch; a branch can move to another station with its members.
    let member = add_member(&app, second.id, "张三", "13800001111").await;
    let r = app
        .post_form(
            &client,
            &format!("/org/units/{}/move", app.village_b.id),
            &[("parent_id", &second.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .post_form(
            &client,
            &format!("/org/units/{}/move", second.id),
            &[("parent_id", &app.village_b.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let moved = dongxun::org::store::unit_in_scope(&app.db, second.id, &dongxun::org::Scope::whole_tree())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.name, "甲村老年支部");
    assert_eq!(moved.path, format!("{}{:010}/", app.village_b.path, second.id));
    // Village B's admin now sees that member; village A's does not.
    let b = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&b, &format!("/members/{member}")).await.status(), StatusCode::OK);
    let a = app.logged_in(STATION_A).await;
    assert_eq!(app.get(&a, &format!("/members/{member}")).await.status(), StatusCode::NOT_FOUND);
    // Cannot move a unit under itself.
    let r = app
        .post_form(
            &client,
            &format!("/org/units/{}/move", app.village_b.id),
            &[("parent_id", &app.village_b.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.audit("unit_edit").await.len(), 3);
}

#[tokio::test]
async fn a_unit_with_members_is_never_retired() {
    let app = spawn_app().await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = app.logged_in(COMMITTEE).await;
    for unit in [app.branch_a.id, app.village_a.id] {
        let r = app.post_form(&client, &format!("/org/units/{unit}/retire"), &[]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("还有1名党员"));
    }
    let r = app.post_form(&client, &format!("/org/units/{}/retire", app.branch_b.id), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let retired =
        dongxun::org::store::unit_in_scope(&app.db, app.branch_b.id, &dongxun::org::Scope::whole_tree())
            .await
            .unwrap()
            .unwrap();
    assert!(retired.retired_at.is_some());
    assert_eq!(app.count("units").await, 5, "retired, not deleted");
    let r = app.post_form(&client, &format!("/org/units/{}/restore", app.branch_b.id), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_station_admin_edits_their_own_brand_but_not_the_tree() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let path = format!("/org/units/{}/profile", app.village_a.id);
    let r = app
        .post_form(
            &client,
            &path,
            &[
                ("service_brand", "甲村先锋"),
                ("training_brand", "口袋冬训"),
                ("slogan", "学在田间"),
                ("story", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.get(&client, &format!("/org/units/{}", app.village_a.id)).await.text().await.unwrap();
    assert!(html.contains("口袋冬训") && html.contains("学在田间"));
    let r = app
        .post_form(
            &client,
            "/org/units",
            &[("parent_id", &app.village_a.id.to_string()), ("kind", "branch"), ("name", "甲村新支部")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let tree = app.get(&client, "/org").await.text().await.unwrap();
    assert!(tree.contains("甲村第一支部") && !tree.contains("乙村"));
}
