//! The task page: calling the member (assignee and admins in scope only, every reveal audited),
//! and how it names the assignee and the place to go.

use dongxun::accounts::store::NewUser;
use dongxun::auth::{Role, password};
use dongxun::delivery::store::{self as deliveries, NewTask};
use dongxun::people::model::{MemberCategories, MemberStatus};
use reqwest::StatusCode;

use super::setup;
use crate::coverage::{member, text};
use crate::helpers::*;

/// Adds a volunteer account in 甲村 (the seed has one; these tests need another).
async fn add_volunteer(app: &TestApp, phone: &str, name: &str) -> i64 {
    let hash = password::hash(PASSWORD.to_owned()).await.unwrap();
    let user = NewUser {
        phone,
        name,
        password_hash: &hash,
        role: Role::Volunteer,
        unit_id: app.village_a.id,
        member_id: None,
        must_change_password: false,
    };
    let mut tx = app.db.begin().await.unwrap();
    let id = dongxun::accounts::store::insert(&mut tx, &user).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Posts the task page's "显示号码并拨打" button, as htmx sends it or as a plain form.
async fn reveal(app: &TestApp, client: &reqwest::Client, task: i64, htmx: bool) -> reqwest::Response {
    let token = app.csrf(client, "/").await;
    let mut request = client.post(app.url(&format!("/deliveries/{task}/phone"))).form(&[("csrf", &token)]);
    if htmx {
        request = request.header("HX-Request", "true");
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_assignee_may_call_the_member_and_every_reveal_is_audited() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let client = app.logged_in(VOLUNTEER).await;
    let page = text(&app, &client, &format!("/deliveries/{}", s.task)).await;
    assert!(page.contains("138****0021") && !page.contains("13800000021"), "masked until asked");
    assert!(
        page.contains(&format!("hx-post=\"/deliveries/{}/phone\"", s.task))
            && page.contains("显示号码并拨打")
    );

    // htmx swaps in the cell: the full number as a tel: link, never cached.
    let r = reveal(&app, &client, s.task, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let cell = r.text().await.unwrap();
    assert!(cell.contains("<a class=\"button call\" href=\"tel:13800000021\">拨打电话</a>"), "{cell}");
    assert!(!cell.contains("<html"), "a fragment: {cell}");
    // Without script the whole page comes back with the number shown and the form intact.
    let r = reveal(&app, &client, s.task, false).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"tel:13800000021\"") && page.contains("确认登记走访"), "{page}");
    let detail = format!("送学任务#{}：党员#{}", s.task, s.member);
    assert_eq!(app.audit("unmask").await, vec![format!("王老伯|{detail}|true"); 2]);

    // An admin in scope may call too (audited); nobody else learns the number, nor is logged.
    let station = app.logged_in(STATION_A).await;
    let r = reveal(&app, &station, s.task, true).await;
    assert!(r.text().await.unwrap().contains("tel:13800000021"));
    assert_eq!(app.audit("unmask").await.len(), 3);
    add_volunteer(&app, "13900000302", "志愿者乙").await;
    let other = app.logged_in("13900000302").await;
    for (who, client) in [
        ("another volunteer", other),
        ("lecturer", app.logged_in(LECTURER).await),
        ("other station", app.logged_in(STATION_B).await),
        ("member", app.logged_in(MEMBER).await),
    ] {
        assert_eq!(
            app.get(&client, &format!("/deliveries/{}", s.task)).await.status(),
            StatusCode::NOT_FOUND,
            "{who}"
        );
        let r = reveal(&app, &client, s.task, true).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
        assert!(!r.text().await.unwrap().contains("13800000021"), "{who}");
    }
    assert_eq!(app.audit("unmask").await.len(), 3, "refusals reveal nothing");
}

#[tokio::test]
async fn the_task_page_names_the_assignee_with_one_pair_of_brackets_and_says_where_to_go() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let admin = app.logged_in(COMMITTEE).await;
    let page = text(&app, &admin, &format!("/deliveries/{}", s.task)).await;
    assert!(page.contains("<dd class=\"assignee\">志愿者甲（志愿者）</dd>"), "{page}");
    // No address in the roster: the unit tells the visitor where to go (its station only when
    // the unit's name does not already say it).
    assert!(page.contains("<dd class=\"place\">甲村第一支部</dd>"), "{page}");
    // A name that carries its own note (as the demo's do) gets the role inside that note.
    let noted = add_volunteer(&app, "13900000302", "志愿者1（演示）").await;
    let mut tx = app.db.begin().await.unwrap();
    let elders = dongxun::org::store::insert(
        &mut tx,
        Some(&app.village_a),
        dongxun::org::model::UnitKind::Branch,
        "老年党支部",
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let member =
        member(&app, elders.id, "李奶奶", "13800000022", MemberCategories::ELDERLY, MemberStatus::Active)
            .await;
    let mut tx = app.db.begin().await.unwrap();
    let task = deliveries::create_tasks(
        &mut tx,
        s.campaign.id,
        &[NewTask { member_id: member, reason: "老党员".into() }],
        noted,
        dongxun::time::today(),
        "[]",
        noted,
    )
    .await
    .unwrap()
    .created[0];
    tx.commit().await.unwrap();
    let page = text(&app, &admin, &format!("/deliveries/{task}")).await;
    assert!(page.contains("<dd class=\"assignee\">志愿者1（演示，志愿者）</dd>"), "{page}");
    assert!(!page.contains("）（") && !page.contains("（（"), "{page}");
    assert!(page.contains("<dd class=\"place\">甲村 · 老年党支部</dd>"), "{page}");
}
