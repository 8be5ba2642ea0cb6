//! The audit log: recorded, browsable by the committee, and append-only in the database itself.

use dongxun::db::Db;

use crate::helpers::*;

#[tokio::test]
async fn the_committee_browses_the_log_and_nobody_can_rewrite_it() {
    let app = spawn_app().await;
    app.login_response(&app.client(), COMMITTEE, "wrong-pass1").await;
    let client = app.logged_in(COMMITTEE).await;
    let html = app.get(&client, "/audit").await.text().await.unwrap();
    assert!(html.contains("登录成功") && html.contains("手机号或密码不正确") && html.contains("127.0.0.1"));
    let html = app.get(&client, "/audit?action=export").await.text().await.unwrap();
    assert!(!html.contains("登录成功"));

    let update = "UPDATE audit_log SET detail = 'x'";
    let delete = "DELETE FROM audit_log";
    for sql in [update, delete] {
        let refused = match &app.db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.is_err(),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }
    assert_eq!(app.count("audit_log").await, 2);
}
