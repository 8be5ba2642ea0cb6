//! The uncovered list: filtering by reason, and creating door-to-door tasks from it (bad input,
//! covered members skipped, no duplicates, filters kept on return).

use chrono::Duration;
use reqwest::StatusCode;

use super::{scenario, text};
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
            && html.contains("尚未学完（1人）")
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
        (vec![("member_id", &wang), ("assignee", "999"), ("due_on", &due)], "请选择送学人员"),
        (vec![("member_id", &wang), ("assignee", &assignee), ("due_on", &yesterday)], "截止日期不能早于今天"),
        (vec![("member_id", &wang), ("assignee", &assignee), ("due_on", "下周")], "请填写截止日期"),
        (
            vec![("member_id", &wang), ("assignee", &assignee), ("due_on", &due), ("material", "999")],
            "所选学习材料不存在",
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
