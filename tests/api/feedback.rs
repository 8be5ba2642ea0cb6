//! Feedback after a session and the adjustments it leads to.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

#[tokio::test]
async fn an_attendee_gives_feedback_once_and_organisers_adjust_the_programme() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let TestSession { id: session, secret } = app
        .session(campaign, app.village_a.id)
        .starts_in_minutes(-5)
        .title("草莓种植实境宣讲")
        .insert()
        .await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let outsider = add_member(&app, app.branch_a.id, "李四", "13800002222").await;
    let client = app.client();

    // Someone who did not attend cannot leave feedback, even with a genuine ticket.
    let ticket = dongxun::feedback::ticket(&secret, outsider);
    let r = app.get(&client, &format!("/feedback/{session}?k={ticket}")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("签到后才能评价"));

    app.attend(session, member, Channel::RollCall, 90).await;
    let ticket = dongxun::feedback::ticket(&secret, member);
    let r = app.get(&client, &format!("/feedback/{session}?k={ticket}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let form = [
        ("k", ticket.as_str()),
        ("rating", "5"),
        ("helped", "学到了病虫害防治"),
        ("tag", "farming"),
        ("tag", "ecommerce"),
        ("wants_text", "想学电商直播卖草莓"),
    ];
    let r = app.post_form(&client, &format!("/feedback/{session}"), &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let again = app.post_form(&client, &format!("/feedback/{session}"), &form).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "feedback is given once");
    assert_eq!(app.count("feedback").await, 1);
    let forged = [("k", "1.deadbeef"), ("rating", "1")];
    assert_eq!(
        app.post_form(&client, &format!("/feedback/{session}"), &forged).await.status(),
        StatusCode::BAD_REQUEST
    );
    let bad_rating = [("k", ticket.as_str()), ("rating", "9")];
    assert_eq!(
        app.post_form(&client, &format!("/feedback/{session}"), &bad_rating).await.status(),
        StatusCode::BAD_REQUEST
    );

    let a = app.logged_in(STATION_A).await;
    let html = app.get(&a, "/feedback").await.text().await.unwrap();
    assert!(
        html.contains("农业技术 1") && html.contains("电商直播 1") && html.contains("想学电商直播卖草莓")
    );
    let feedback_id = {
        let rows = dongxun::feedback::store::in_scope(&app.db, campaign, &dongxun::org::Scope::whole_tree())
            .await
            .unwrap();
        rows[0].id.to_string()
    };
    let r = app
        .post_form(
            &a,
            "/adjustments",
            &[("description", "增加一场电商直播培训"), ("feedback_id", &feedback_id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.get(&a, "/feedback").await.text().await.unwrap();
    assert!(html.contains("增加一场电商直播培训") && html.contains("甲村第一支部：农业技术、电商直播"));

    // Village B cannot see A's feedback nor link it to an adjustment.
    let b = app.logged_in(STATION_B).await;
    let html = app.get(&b, "/feedback").await.text().await.unwrap();
    assert!(!html.contains("想学电商直播卖草莓"));
    assert!(!html.contains("增加一场电商直播培训"), "B does not see A's adjustments");
    let committee = app.logged_in(COMMITTEE).await;
    assert!(app.get(&committee, "/feedback").await.text().await.unwrap().contains("增加一场电商直播培训"));
    let r = app
        .post_form(&b, "/adjustments", &[("description", "越权调整记录"), ("feedback_id", &feedback_id)])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("adjustments").await, 1);
}
