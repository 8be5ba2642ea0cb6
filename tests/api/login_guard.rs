//! Login under attack: bounded hashing, atomic throttling, trusted proxies, and `next`.

use std::net::IpAddr;
use std::time::Duration;

use dongxun::auth::password;
use dongxun::web::WebConfig;
use reqwest::{Client, StatusCode};
use tokio::task::JoinSet;

use crate::helpers::*;

/// An app that believes `X-Forwarded-For` from loopback, so tests can log in "from" many addresses.
async fn behind_proxy(hash_queue_wait: Duration) -> TestApp {
    let loopback: IpAddr = "127.0.0.1".parse().unwrap();
    spawn_app_with(WebConfig { trusted_proxies: vec![loopback], hash_queue_wait, ..WebConfig::default() })
        .await
}

/// Logs in as `phone` with `X-Forwarded-For: from`; returns the status and the page.
async fn login_from(
    app: &TestApp,
    client: &Client,
    phone: &str,
    pass: &str,
    from: &str,
) -> (StatusCode, String) {
    let token = app.csrf(client, "/login").await;
    let response = client
        .post(app.url("/login"))
        .header("x-forwarded-for", from)
        .form(&[("phone", phone), ("password", pass), ("csrf", &token), ("next", "/")])
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Sends `count` logins at once, each (phone, address) chosen by `who`; returns their statuses.
async fn at_once(
    app: &TestApp,
    count: usize,
    who: impl Fn(usize) -> (String, String),
) -> Vec<(StatusCode, String)> {
    // Fetch every login form first so the posts really arrive together.
    let mut ready = Vec::new();
    for i in 0..count {
        let client = app.client();
        let token = app.csrf(&client, "/login").await;
        let (phone, from) = who(i);
        ready.push((client, token, phone, from));
    }
    let mut set = JoinSet::new();
    for (client, token, phone, from) in ready {
        let url = app.url("/login");
        set.spawn(async move {
            let response = client
                .post(url)
                .header("x-forwarded-for", from)
                .form(&[("phone", phone.as_str()), ("password", "wrong-pass1"), ("csrf", &token)])
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        });
    }
    set.join_all().await
}

fn count(answers: &[(StatusCode, String)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

#[tokio::test]
async fn concurrent_logins_never_hash_more_than_the_cores_at_once() {
    let app = behind_proxy(Duration::ZERO).await;
    let answers = at_once(&app, 24, |i| (format!("137000{:05}", i), format!("10.20.0.{}", i + 1))).await;
    let gate = password::gate();
    assert!(gate.peak() <= gate.capacity(), "peak {} > {}", gate.peak(), gate.capacity());
    let busy = count(&answers, StatusCode::SERVICE_UNAVAILABLE);
    assert!(busy > 0, "no login was told to wait: {:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    assert_eq!(busy + count(&answers, StatusCode::UNAUTHORIZED), 24);
    let (_, page) = answers.iter().find(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE).unwrap();
    assert!(page.contains("系统繁忙，请稍后再试"));
}

#[tokio::test]
async fn parallel_guesses_from_one_address_check_at_most_five_passwords() {
    let app = spawn_app().await;
    let answers = at_once(&app, 30, |_| (STATION_A.to_owned(), "10.0.0.1".to_owned())).await;
    assert!(
        count(&answers, StatusCode::UNAUTHORIZED) <= 5,
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(
        count(&answers, StatusCode::TOO_MANY_REQUESTS) + count(&answers, StatusCode::UNAUTHORIZED),
        30
    );
}

#[tokio::test]
async fn parallel_guesses_from_many_addresses_at_one_account_are_bounded() {
    let app = behind_proxy(Duration::from_secs(600)).await;
    let answers = at_once(&app, 60, |i| (STATION_A.to_owned(), format!("10.30.{}.1", i))).await;
    let checked = count(&answers, StatusCode::UNAUTHORIZED);
    assert!(checked <= 20, "{checked} guesses were checked");
    assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 60 - checked);
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let app = behind_proxy(Duration::from_secs(600)).await;
    let client = app.client();
    // The owner's usual address.
    let (status, _) = login_from(&app, &app.client(), STATION_A, PASSWORD, "10.0.0.9").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A stranger's address that failed five times waits; the owner elsewhere does not.
    for _ in 0..5 {
        login_from(&app, &client, STATION_A, "wrong-pass1", "10.1.0.1").await;
    }
    let (status, page) = login_from(&app, &client, STATION_A, PASSWORD, "10.1.0.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("登录失败次数过多"));
    let (status, _) = login_from(&app, &app.client(), STATION_A, PASSWORD, "10.2.0.1").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the right password from another address");
    // Guesses spread over many addresses stop strangers, but not the owner's usual address.
    for i in 0..25 {
        login_from(&app, &client, STATION_A, "wrong-pass1", &format!("10.3.{}.1", i / 5)).await;
    }
    let (status, _) = login_from(&app, &app.client(), STATION_A, PASSWORD, "10.4.0.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a new address while the account is attacked");
    let (status, _) = login_from(&app, &app.client(), STATION_A, PASSWORD, "10.0.0.9").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the owner's usual address");
}

#[tokio::test]
async fn an_admin_reset_unlocks_an_attacked_account() {
    let app = behind_proxy(Duration::from_secs(600)).await;
    for i in 0..25 {
        login_from(&app, &app.client(), VOLUNTEER, "wrong-pass1", &format!("10.5.{}.1", i / 5)).await;
    }
    let (status, _) = login_from(&app, &app.client(), VOLUNTEER, PASSWORD, "10.6.0.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let admin = app.logged_in(STATION_A).await;
    let id = account_id(&app, VOLUNTEER).await;
    let r = app.post_form(&admin, &format!("/accounts/{id}/reset-password"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let marker = "id=\"one-time-password\">";
    let start = html.find(marker).expect("password shown") + marker.len();
    let one_time = html[start..start + 10].to_owned();
    let (status, _) = login_from(&app, &app.client(), VOLUNTEER, &one_time, "10.6.0.1").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn members_sharing_a_station_address_are_not_shut_out_by_each_others_typos() {
    let app = behind_proxy(Duration::from_secs(600)).await;
    let station_wifi = "10.40.0.1";
    // Fourteen members at one station each mistype twice: 28 failures from one address.
    for member in 0..14 {
        for _ in 0..2 {
            let phone = format!("137400{member:05}");
            let (status, _) = login_from(&app, &app.client(), &phone, "wrong-pass1", station_wifi).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    let (status, _) = login_from(&app, &app.client(), STATION_A, PASSWORD, station_wifi).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the secretary at the same station logs in");
    // Past thirty failures at any numbers it is spraying: the whole address waits.
    for _ in 0..2 {
        login_from(&app, &app.client(), "13740099999", "wrong-pass1", station_wifi).await;
    }
    let (status, page) = login_from(&app, &app.client(), VOLUNTEER, PASSWORD, station_wifi).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("登录失败次数过多"));
    let (status, _) = login_from(&app, &app.client(), VOLUNTEER, PASSWORD, "10.41.0.1").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "other addresses are unaffected");
}

pub(crate) async fn account_id(app: &TestApp, phone: &str) -> i64 {
    let sql = format!("SELECT id FROM users WHERE phone = '{phone}'");
    match &app.db {
        dongxun::db::Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        dongxun::db::Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
    }
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    // Not trusted (the default): every header is ignored, all five failures are loopback's.
    let app = spawn_app().await;
    for i in 1..=5 {
        login_from(&app, &app.client(), COMMITTEE, "wrong-pass1", &format!("10.9.0.{i}")).await;
    }
    let (status, _) = login_from(&app, &app.client(), COMMITTEE, PASSWORD, "10.9.0.6").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Trusted: each header names its own client.
    let app = behind_proxy(Duration::from_secs(600)).await;
    for _ in 1..=5 {
        login_from(&app, &app.client(), COMMITTEE, "wrong-pass1", "10.9.0.1").await;
    }
    let (status, _) = login_from(&app, &app.client(), COMMITTEE, PASSWORD, "10.9.0.6").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(app.audit("login").await.iter().any(|e| e.contains("登录成功")));
    let ip = first_login_ip(&app, COMMITTEE).await;
    assert_eq!(ip, "10.9.0.6");
}

async fn first_login_ip(app: &TestApp, phone: &str) -> String {
    let sql = format!("SELECT ip FROM login_attempts WHERE phone = '{phone}' AND succeeded = TRUE");
    match &app.db {
        dongxun::db::Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        dongxun::db::Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
    }
}

#[tokio::test]
async fn next_after_login_stays_on_this_site() {
    let app = spawn_app().await;
    let evil = [
        "/\t/evil.example/",
        "/\\evil.example",
        "//evil.example",
        "/\r\nSet-Cookie: a=b",
        "https://evil.example",
    ];
    for next in evil {
        let client = app.client();
        let token = app.csrf(&client, "/login").await;
        let r = client
            .post(app.url("/login"))
            .form(&[("phone", COMMITTEE), ("password", PASSWORD), ("csrf", &token), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
    }
    // The same on the login page's hidden field, with the newline percent-encoded in the query.
    let page = app.get(&app.client(), "/login?next=%2F%0d%0aSet-Cookie:%20a%3Db").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(!page.text().await.unwrap().contains("Set-Cookie"));
}
