//! The uncovered list: filtering by reason, and creating door-to-door tasks from it (bad input,
//! covered members skipped, no duplicates, filters kept on return).

use chrono::Duration;
use reqwest::StatusCode;

use dongxun::people::model::{MemberCategories, MemberStatus};

use super::{member, scenario, text};
use crate::helpers::*;

#[tokio::test]
async fn the_uncovered_list_filters_by_reason_and_creates_tasks_once() {
    let app = spawn_app().await;
    let s = scenario(&app).await;
    dongxun::delivery::seed_materials(&app.db).await.unwrap();
    let client = app.logged_in(COMMITTEE).await;
    let html = text(&app, &client, "/coverage/uncovered").await;
    for name in ["李四", "王五", "钱七"] {
        assert!(html.contains(name), "{name}");
    }
    assert!(!html.contains("张三") && !html.contains("赵六"));
    assert!(
        html.contains("老党员（1人）")
            && html.contains("流动党员（1人）")
            && html.contains("尚未学完（2人）"),
        "a member counts under every reason they have: {html}"
    );
    assert!(html.contains("志愿者甲（志愿者）") && html.contains("宣讲员甲（宣讲员）"));
    assert!(html.contains("《习近平谈治国理政》第三卷"));
    let html = text(&app, &client, "/coverage/uncovered?reason=elderly").await;
    assert!(html.contains("王五") && !html.contains("李四") && !html.contains("钱七"));

    let lecturer = dongxun::auth::store::by_phone(&app.db, LECTURER).await.unwrap().unwrap();
    let assignee = lecturer.id.to_string();
    let due = (dongxun::time::today() + Duration::days(7)).to_string();
    let material = dongxun::delivery::store::materials(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == "《习近平谈治国理政》第三卷")
        .unwrap()
        .id
        .to_string();
    let (wang, qian) = (s.wang.to_string(), s.qian.to_string());

    // Bad input: clear message, nothing stored.
    let yesterday = (dongxun::time::today() - Duration::days(1)).to_string();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("assignee", &assignee), ("due_on", &due)], "请至少勾选一名党员"),
        (
            vec![("member_id", &wang), ("assignee", "999"), ("due_on", &due)],
            "送学人员：请选择本辖区的宣讲员或志愿者",
        ),
        (
            vec![("member_id", &wang), ("assignee", &assignee), ("due_on", &yesterday)],
            "截止日期：不能早于今天",
        ),
        (vec![("member_id", &wang), ("assignee", &assignee), ("due_on", "下周")], "截止日期：请填写日期"),
        (
            vec![("member_id", &wang), ("assignee", &assignee), ("due_on", &due), ("material", "999")],
            "学习材料：所选材料不存在或已停用",
        ),
    ];
    for (fields, message) in cases {
        let r = app.post_form(&client, "/coverage/deliveries", &fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{message}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    // A covered member gets no task.
    let zhang = s.zhang.to_string();
    let fields = [
        ("member_id", wang.as_str()),
        ("member_id", qian.as_str()),
        ("member_id", zhang.as_str()),
        ("assignee", &assignee),
        ("due_on", &due),
        ("material", &material),
    ];
    let r = app.post_form(&client, "/coverage/deliveries", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/coverage/uncovered");
    let html = text(&app, &client, "/coverage/uncovered").await;
    assert!(html.contains("已为2名党员派送学任务"), "{html}");
    assert!(html.contains("1人已完成学习，无需送学"));
    assert!(html.contains("已派送学"));
    assert_eq!(app.count("deliveries").await, 2);

    // Submitting again creates nothing and says so.
    let r = app.post_form(&client, "/coverage/deliveries", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = text(&app, &client, "/coverage/uncovered").await;
    assert!(html.contains("2人已有未完成的送学任务，未重复创建"), "{html}");
    assert!(!html.contains("已为2名党员派送学任务"));
    assert_eq!(app.count("deliveries").await, 2);
    let tasks = text(&app, &client, "/deliveries").await;
    assert!(tasks.contains("王五") && tasks.contains("钱七") && tasks.contains("《习近平谈治国理政》第三卷"));
    assert!(tasks.contains("老党员"), "the task keeps its reason");

    // Acting from a filtered list returns to the same filters; forged filters are dropped.
    let unit = app.village_a.id.to_string();
    let mut filtered = fields.to_vec();
    filtered.extend([("unit", unit.as_str()), ("reason", "elderly")]);
    let r = app.post_form(&client, "/coverage/deliveries", &filtered).await;
    assert_eq!(location(&r), format!("/coverage/uncovered?unit={unit}&reason=elderly"));
    let mut forged = fields.to_vec();
    forged.extend([("unit", "https://evil.example/"), ("reason", "<script>")]);
    let r = app.post_form(&client, "/coverage/deliveries", &forged).await;
    assert_eq!(location(&r), "/coverage/uncovered");
}

#[tokio::test]
async fn every_reason_counts_select_all_takes_every_member_found_and_an_empty_submit_keeps_the_filter() {
    let app = spawn_app().await;
    let s = scenario(&app).await;
    let categories = MemberCategories::ELDERLY | MemberCategories::NO_SMARTPHONE;
    let sun = member(&app, app.branch_a.id, "吴十一", "13800000081", categories, MemberStatus::Active).await;
    let categories = MemberCategories::MOBILE | MemberCategories::NO_SMARTPHONE;
    let zhou = member(&app, app.branch_b.id, "郑十二", "13800000091", categories, MemberStatus::Active).await;
    let client = app.logged_in(COMMITTEE).await;

    // 无智能手机 finds both though each has an earlier category; 李四's category does not hide
    // that he studied some (尚未学完).
    let html = text(&app, &client, "/coverage/uncovered").await;
    assert!(html.contains("无智能手机（2人）") && html.contains("老党员（2人）"), "{html}");
    let li = &html[html.find("李四").unwrap()..];
    let li = &li[..li.find("</li>").unwrap()];
    assert!(li.contains("尚未学完") && li.contains("流动党员"), "{li}");
    let html = text(&app, &client, "/coverage/uncovered?reason=no_smartphone").await;
    assert!(html.contains("吴十一") && html.contains("郑十二") && !html.contains("李四"), "{html}");
    assert!(html.contains("name=\"all\" value=\"1\"") && html.contains("全选：筛选出的全部 2 人"), "{html}");

    // An empty submit: the list again under the same filter, the problem named, what was chosen kept.
    let lecturer = dongxun::auth::store::by_phone(&app.db, LECTURER).await.unwrap().unwrap().id.to_string();
    let due = (dongxun::time::today() + Duration::days(7)).to_string();
    let r = app
        .post_form(
            &client,
            "/coverage/deliveries",
            &[("assignee", &lecturer), ("due_on", &due), ("reason", "no_smartphone")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("请至少勾选一名党员，或勾选“全选”"), "{html}");
    assert!(html.contains("<option value=\"no_smartphone\" selected>"), "the filter is kept: {html}");
    assert!(html.contains("吴十一") && html.contains("郑十二") && !html.contains("李四"), "{html}");
    assert!(html.contains(&format!("<option value=\"{lecturer}\" selected>")), "{html}");
    assert_eq!(app.count("deliveries").await, 0);
    assert!(app.audit("delivery").await.is_empty());

    // 全选 under the filter: a task for every member it finds, audited in the same transaction.
    let fields =
        [("all", "1"), ("assignee", lecturer.as_str()), ("due_on", &due), ("reason", "no_smartphone")];
    let r = app.post_form(&client, "/coverage/deliveries", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/coverage/uncovered?reason=no_smartphone");
    let tasks = dongxun::delivery::store::open_member_ids(&app.db, s.campaign.id).await.unwrap();
    let mut tasks = tasks.clone();
    tasks.sort();
    assert_eq!(tasks, vec![sun, zhou]);
    let audited = app.audit("delivery").await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(
        audited[0].contains("派送学任务2个")
            && audited[0].contains("吴十一")
            && audited[0].contains("郑十二")
    );
    assert!(audited[0].contains("宣讲员甲"), "{audited:?}");
    let task = dongxun::delivery::store::tasks(
        &app.db,
        &dongxun::delivery::store::TaskFilter {
            scope: app.root.scope(),
            assignee_user_id: None,
            member_id: Some(sun),
            campaign_id: None,
            status: String::new(),
        },
        dongxun::time::today(),
        10,
    )
    .await
    .unwrap();
    assert_eq!(task[0].reason, "老党员、无智能手机、尚未参学", "every reason kept with the task");
}

#[tokio::test]
async fn a_list_longer_than_a_page_pages_on_and_select_all_takes_every_page() {
    let app = spawn_app().await;
    let campaign = super::make_campaign(&app, 1, 0).await;
    // 305 members of 甲村第一支部 without a smartphone, none reached yet.
    let bits = MemberCategories::NO_SMARTPHONE.bits();
    app.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 305) \
         INSERT INTO members (unit_id, name, name_pinyin, name_initials, categories, status, created_at, updated_at) \
         SELECT {}, '党员' || i, 'dangyuan' || (1000 + i), 'dy', {bits}, 'active', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n",
        app.branch_a.id
    ))
    .await;
    let client = app.logged_in(COMMITTEE).await;
    let html = text(&app, &client, "/coverage/uncovered?reason=no_smartphone").await;
    assert!(html.contains("共 305 人，第 1 页显示 300 人"), "{html}");
    assert_eq!(html.matches("name=\"member_id\"").count(), 300);
    assert!(html.contains("href=\"/coverage/uncovered?reason=no_smartphone&#38;page=2\">下一页"), "{html}");
    let second = text(&app, &client, "/coverage/uncovered?reason=no_smartphone&page=2").await;
    assert_eq!(second.matches("name=\"member_id\"").count(), 5, "{second}");
    assert!(second.contains("上一页") && !second.contains("下一页"));

    let lecturer = dongxun::auth::store::by_phone(&app.db, LECTURER).await.unwrap().unwrap().id.to_string();
    let due = (dongxun::time::today() + Duration::days(7)).to_string();
    let fields =
        [("all", "1"), ("assignee", lecturer.as_str()), ("due_on", &due), ("reason", "no_smartphone")];
    let r = app.post_form(&client, "/coverage/deliveries", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let open = dongxun::delivery::store::open_member_ids(&app.db, campaign.id).await.unwrap();
    assert_eq!(open.len(), 305, "both pages");
}
