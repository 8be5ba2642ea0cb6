//! Forms keep what was typed (issue 8, item 9): a scheduling clash, a bad field, a clash in one
//! row of a batch booking — each gives the whole form back with the problem beside its field;
//! and no error page is a dead end (the app's header, 返回, 重试 where it helps).

use reqwest::StatusCode;

use crate::helpers::*;
use crate::sessions::{add_lecturer, create_campaign};

/// The problem shown beside `field`, if any (`<p class="field-error" data-field-error="…">`).
pub fn field_error(html: &str, field: &str) -> Option<String> {
    let marker = format!(r#"data-field-error="{field}">"#);
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find("</p>")? + start;
    Some(html[start..end].to_owned())
}

/// Whether the page's `<select name=…>` has `value` selected.
pub fn selected(html: &str, name: &str, value: &str) -> bool {
    let Some(start) = html.find(&format!(r#"<select name="{name}""#)) else {
        return false;
    };
    let end = html[start..].find("</select>").map_or(html.len(), |e| e + start);
    html[start..end].contains(&format!(r#"<option value="{value}" selected>"#))
}

fn owned(fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

#[tokio::test]
async fn a_scheduling_clash_gives_the_form_back_as_typed_with_the_reason_beside_the_lecturer() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let lecturer = add_lecturer(&app, "周老师").await.to_string();
    let a = app.logged_in(STATION_A).await;
    let first = owned(&[("title", "理论宣讲"), ("date", "2026-12-07"), ("start", "09:00"), ("end", "10:30")]);
    let mut first = first;
    first.push(("lecturer_id", lecturer.clone()));
    assert_eq!(app.post_owned_form(&a, "/sessions", &first).await.status(), StatusCode::SEE_OTHER);

    let b = app.logged_in(STATION_B).await;
    let mut clash = owned(&[
        ("kind", "field"),
        ("title", "乙村实境宣讲"),
        ("place", "草莓大棚"),
        ("date", "2026-12-07"),
        ("start", "10:00"),
        ("end", "11:15"),
        ("expected", "18"),
        ("checkin_opens_minutes", "45"),
        ("online_url", "https://live.example.cn/room/7"),
    ]);
    clash.push(("lecturer_id", lecturer.clone()));
    let r = app.post_owned_form(&b, "/sessions", &clash).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    let beside = field_error(&html, "lecturer_id").expect("the clash beside the lecturer");
    assert!(beside.contains("宣讲人同一时间已有安排"), "{beside}");
    for kept in [
        r#"value="乙村实境宣讲""#,
        r#"value="草莓大棚""#,
        r#"value="2026-12-07""#,
        r#"value="10:00""#,
        r#"value="11:15""#,
        r#"value="18""#,
        r#"value="45""#,
        r#"value="https://live.example.cn/room/7""#,
    ] {
        assert!(html.contains(kept), "{kept} kept");
    }
    assert!(selected(&html, "lecturer_id", &lecturer) && selected(&html, "kind", "field"));
    assert_eq!(app.count("training_sessions").await, 1);
}

#[tokio::test]
async fn an_end_before_the_start_is_said_beside_the_end_and_nothing_typed_is_lost() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let a = app.logged_in(STATION_A).await;
    let audience = app.branch_a.id.to_string();
    let mut form =
        owned(&[("title", "倒着的时间"), ("date", "2026-12-07"), ("start", "10:00"), ("end", "09:00")]);
    form.push(("audience_unit_id", audience.clone()));
    let r = app.post_owned_form(&a, "/sessions", &form).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "end").as_deref(), Some("结束时间应晚于开始时间"));
    assert!(html.contains(r#"value="倒着的时间""#) && html.contains(r#"value="10:00""#));
    assert!(selected(&html, "audience_unit_id", &audience));
    assert!(html.contains(r#"class="tabs""#), "the app's navigation, not a bare error page");

    // Several problems at once, each beside its own field.
    let bad = owned(&[
        ("title", "x"),
        ("date", "2027-06-01"),
        ("start", "09:00"),
        ("end", "10:00"),
        ("expected", "abc"),
    ]);
    let html = app.post_owned_form(&a, "/sessions", &bad).await.text().await.unwrap();
    assert_eq!(field_error(&html, "title").as_deref(), Some("主题应为2到60个字"));
    assert!(field_error(&html, "date").unwrap().contains("日期应在冬训期间"));
    assert!(field_error(&html, "expected").unwrap().contains("预计人数"));
    assert_eq!(app.count("training_sessions").await, 0);
}

#[tokio::test]
async fn a_clash_in_row_three_of_a_batch_keeps_the_header_and_all_six_rows() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let lecturer = add_lecturer(&app, "钱老师").await.to_string();
    let a = app.logged_in(STATION_A).await;
    let unit = app.branch_a.id.to_string();
    let mut fields = owned(&[("kind", "lecture"), ("title", "分批宣讲"), ("note", "请带好学习笔记")]);
    fields.push(("lecturer_id", lecturer.clone()));
    let dates = ["2026-12-10", "2026-12-11", "2026-12-10", "2026-12-12", "2026-12-13", "2026-12-14"];
    let names: Vec<[&'static str; 5]> = (0..6)
        .map(|row| {
            [
                format!("date_{row}"),
                format!("start_{row}"),
                format!("end_{row}"),
                format!("unit_id_{row}"),
                format!("expected_{row}"),
            ]
            .map(|n| &*Box::leak(n.into_boxed_str()))
        })
        .collect();
    for (row, date) in dates.iter().enumerate() {
        let [d, s, e, u, x] = names[row];
        fields.extend([
            (d, (*date).to_owned()),
            (s, "14:00".to_owned()),
            (e, "15:30".to_owned()),
            (u, unit.clone()),
            (x, format!("{}", 20 + row)),
        ]);
    }
    let r = app.post_owned_form(&a, "/bookings", &fields).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    let beside = field_error(&html, "date_2").expect("the clash beside row 3");
    assert!(beside.starts_with("第3场：宣讲人同一时间已有安排"), "{beside}");
    assert!(html.contains(r#"value="分批宣讲""#) && html.contains(r#"value="请带好学习笔记""#));
    assert!(selected(&html, "lecturer_id", &lecturer));
    for (row, date) in dates.iter().enumerate() {
        assert!(html.contains(&format!(r#"name="date_{row}" type="date" value="{date}""#)), "row {row}");
        assert!(html.contains(&format!(
            r#"name="expected_{row}" type="number" min="0" max="10000" value="{}""#,
            20 + row
        )));
        assert!(selected(&html, &format!("unit_id_{row}"), &unit), "row {row}'s village");
    }
    assert_eq!(app.count("training_sessions").await, 0);

    // No lecturer: said beside the lecturer, the rows kept.
    fields.retain(|(k, _)| *k != "lecturer_id");
    let r = app.post_owned_form(&a, "/bookings", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "lecturer_id").as_deref(), Some("请选择宣讲员"));
    assert!(html.contains(r#"name="date_5" type="date" value="2026-12-14""#));
}

#[tokio::test]
async fn an_error_page_carries_the_header_and_navigation_and_a_way_back() {
    let app = spawn_app().await;
    let a = app.logged_in(STATION_A).await;
    let r = a
        .get(app.url("/sessions/999999"))
        .header("referer", app.url("/sessions?week=2026-12-07"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"class="topbar""#) && html.contains(r#"class="tabs""#) && html.contains("甲村书记")
    );
    assert!(html.contains(r#"href="/sessions?week=2026-12-07" data-back>返回</a>"#), "{html}");
    assert!(html.contains("回到首页") && html.contains("页面不存在"));
    // Another site's referer is not a way back: home instead.
    let r =
        a.get(app.url("/sessions/999999")).header("referer", "http://evil.example/x").send().await.unwrap();
    assert!(r.text().await.unwrap().contains(r#"href="/" data-back>返回</a>"#));

    // A check-in form that expired (no valid token) offers 重试 from the form it came from.
    let visitor = app.client();
    let r = visitor
        .post(app.url("/checkin/1"))
        .header("referer", app.url("/checkin/1?t=abc"))
        .form(&[("t", "abc"), ("name", "张三"), ("phone", "13800001111"), ("csrf", "stale")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"href="/checkin/1?t=abc" data-retry>重试</a>"#), "{html}");
    assert!(html.contains(r#"class="topbar""#) && html.contains("表单已过期"));
    // Its font switch works: the page's forms carry the visitor's token.
    let token = extract_csrf(&html).unwrap();
    assert!(!token.is_empty());
    let r =
        visitor.post(app.url("/preferences/font")).form(&[("csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_lecturer_and_venue_forms_keep_what_was_typed() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let unit = app.village_b.id.to_string();
    let lecturer = [
        ("name", "周老师"),
        ("kind", "agriculture"),
        ("phone", "1390000"),
        ("unit_id", unit.as_str()),
        ("topics", "草莓种植"),
        ("availability", "周末上午"),
    ];
    let r = app.post_form(&committee, "/lecturers", &lecturer).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(field_error(&html, "phone").unwrap().starts_with("手机号码："), "{html}");
    assert!(html.contains(r#"id="new-lecturer" open"#) || html.contains(r#"open id="new-lecturer""#));
    for kept in [r#"value="周老师""#, r#"value="1390000""#, r#"value="草莓种植""#, r#"value="周末上午""#]
    {
        assert!(html.contains(kept), "{kept}");
    }
    assert!(html.contains(r#"<option value="agriculture" selected>"#));
    assert!(html.contains(&format!(r#"<option value="{unit}" selected>"#)));

    let r = app
        .post_form(&committee, "/venues", &[("name", "乙村会议室"), ("capacity", "0"), ("unit_id", &unit)])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "capacity").as_deref(), Some("容纳人数：请填写大于0的整数"));
    assert!(html.contains(r#"value="乙村会议室""#) && html.contains(r#"value="0""#));
    assert_eq!(app.count("lecturers").await, 0);
    assert_eq!(app.count("venues").await, 0);
}

#[tokio::test]
async fn the_campaign_forms_keep_what_was_typed() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let village = app.village_b.id.to_string();
    let backwards = [
        ("name", "倒序的冬训"),
        ("starts_on", "2027-03-01"),
        ("ends_on", "2026-11-01"),
        ("required_sessions", "5"),
        ("required_hours", "10.5"),
        ("unit", village.as_str()),
    ];
    let r = app.post_form(&committee, "/campaigns", &backwards).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "ends_on").as_deref(), Some("结束日期不能早于开始日期"));
    assert!(
        html.contains(r#"id="new-campaign""#) && html.contains(r#" open id="new-campaign""#),
        "the form is open"
    );
    for kept in [
        r#"value="倒序的冬训""#,
        r#"value="2027-03-01""#,
        r#"value="2026-11-01""#,
        r#"value="5""#,
        r#"value="10.5""#,
    ] {
        assert!(html.contains(kept), "{kept}");
    }
    assert!(html.contains(&format!(r#"name="unit" value="{village}" checked"#)));
    assert_eq!(app.count("campaigns").await, 0);

    let id = create_campaign(&app).await;
    let page = format!("/campaigns/{id}");
    let root = app.root.id.to_string();
    let edit = [
        ("name", "改过的冬训"),
        ("starts_on", "2026-11-01"),
        ("ends_on", "2027-03-31"),
        ("required_hours", "999"),
        ("unit", root.as_str()),
    ];
    let r = app.post_form(&committee, &page, &edit).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "required_hours").as_deref(), Some("学时：请填写0到500之间的数字"));
    assert!(html.contains(r#"value="改过的冬训""#) && html.contains(r#"value="999""#));

    let r =
        app.post_form(&committee, &format!("{page}/topics"), &[("name", "x"), ("compulsory", "on")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "topic-name").as_deref(), Some("专题名称应为2到40个字"));
    assert!(html.contains(r#"name="compulsory" checked"#));

    let r = app
        .post_form(
            &committee,
            &format!("{page}/exclusions"),
            &[("member", "查无此人"), ("reason", "长期住院")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "member").as_deref(), Some("没有找到党员“查无此人”"));
    assert!(html.contains(r#"value="查无此人""#) && html.contains(r#"value="长期住院""#));
}

#[tokio::test]
async fn a_refused_password_change_says_which_password_to_retype_and_keeps_where_it_was_going() {
    let app = spawn_app().await;
    let member = app.logged_in(MEMBER).await;
    let next = "/checkin/7?t=abc";
    let html = app.get(&member, "/password?next=%2Fcheckin%2F7%3Ft%3Dabc").await.text().await.unwrap();
    let csrf = extract_csrf(&html).unwrap();
    let form = [
        ("current", "wrong-one-1"),
        ("new", "newpass2026"),
        ("confirm", "newpass2026"),
        ("csrf", &csrf),
        ("next", next),
    ];
    let r = member.post(app.url("/password")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert_eq!(field_error(&html, "current").as_deref(), Some("当前密码不正确"));
    assert!(html.contains(&format!(r#"name="next" value="{next}""#)), "still on its way back");
    let form = [
        ("current", PASSWORD),
        ("new", "newpass2026"),
        ("confirm", "newpass2027"),
        ("csrf", &csrf),
        ("next", next),
    ];
    let html = member.post(app.url("/password")).form(&form).send().await.unwrap().text().await.unwrap();
    assert_eq!(field_error(&html, "confirm").as_deref(), Some("两次输入的新密码不一致"));
}
