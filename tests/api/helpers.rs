//! `spawn_app()` and friends.

use std::time::Duration;

use dongxun::accounts::store::{self as account_store, NewUser};
use dongxun::accounts::{Role, password};
use dongxun::db::{Db, Location};
use dongxun::org::model::UnitKind;
use dongxun::org::store::{self as org_store, Unit};
use dongxun::startup::Application;
use dongxun::web::WebConfig;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

/// The password of every seeded test account.
pub const PASSWORD: &str = "test1234pass";

/// Seeded accounts (phones).
pub const COMMITTEE: &str = "13900000001";
pub const STATION_A: &str = "13900000101";
pub const STATION_B: &str = "13900000102";
pub const LECTURER: &str = "13900000201";
pub const VOLUNTEER: &str = "13900000301";
pub const MEMBER: &str = "13900000401";

/// A running app with a small seeded tree: 测试街道 → 甲村 (甲村第一支部), 乙村 (乙村第一支部).
pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub root: Unit,
    pub village_a: Unit,
    pub branch_a: Unit,
    pub village_b: Unit,
    pub branch_b: Unit,
    /// Kept so the SQLite file outlives the test.
    pub _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(WebConfig::default()).await
}

/// Whether this run is on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("DONGXUN_TEST_PG").is_ok_and(|v| !v.is_empty())
}

async fn fresh_location(dir: &tempfile::TempDir) -> Location {
    let Ok(admin_url) = std::env::var("DONGXUN_TEST_PG") else {
        return Location::SqliteFile(dir.path().join("dongxun.db"));
    };
    if admin_url.is_empty() {
        return Location::SqliteFile(dir.path().join("dongxun.db"));
    }
    let name = format!("dx_test_{}", dongxun::accounts::session::random_token()[..16].to_owned());
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect to DONGXUN_TEST_PG");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("create test database");
    admin.close().await;
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
    Location::Postgres(format!("{base}/{name}"))
}

pub async fn spawn_app_with(config: WebConfig) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let location = fresh_location(&dir).await;
    let app = Application::build(&location, "127.0.0.1:0", config).await.expect("build app");
    let address = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    let (root, village_a, branch_a, village_b, branch_b) = seed(&db).await;
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp { address, db, root, village_a, branch_a, village_b, branch_b, _dir: dir }
}

async fn seed(db: &Db) -> (Unit, Unit, Unit, Unit, Unit) {
    let root = org_store::insert(db, None, UnitKind::Subdistrict, "测试街道", 0).await.unwrap();
    let village_a = org_store::insert(db, Some(&root), UnitKind::Station, "甲村", 1).await.unwrap();
    let branch_a =
        org_store::insert(db, Some(&village_a), UnitKind::Branch, "甲村第一支部", 0).await.unwrap();
    let village_b = org_store::insert(db, Some(&root), UnitKind::Station, "乙村", 2).await.unwrap();
    let branch_b =
        org_store::insert(db, Some(&village_b), UnitKind::Branch, "乙村第一支部", 0).await.unwrap();
    let hash = password::hash(PASSWORD.to_owned()).await.unwrap();
    let accounts = [
        (COMMITTEE, "街道管理员", Role::CommitteeAdmin, root.id),
        (STATION_A, "甲村书记", Role::StationAdmin, village_a.id),
        (STATION_B, "乙村书记", Role::StationAdmin, village_b.id),
        (LECTURER, "宣讲员甲", Role::Lecturer, root.id),
        (VOLUNTEER, "志愿者甲", Role::Volunteer, village_a.id),
        (MEMBER, "党员甲", Role::Member, branch_a.id),
    ];
    for (phone, name, role, unit_id) in accounts {
        let user = NewUser {
            phone,
            name,
            password_hash: &hash,
            role,
            unit_id,
            member_id: None,
            must_change_password: false,
        };
        account_store::insert(db, &user).await.unwrap();
    }
    (root, village_a, branch_a, village_b, branch_b)
}

impl TestApp {
    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.expect("GET")
    }

    /// The CSRF token a page's forms carry.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        let html = self.get(client, path).await.text().await.unwrap();
        extract_csrf(&html).unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    /// Posts a form with the token of `/` (or of `/login` when logged out).
    pub async fn post_form(&self, client: &Client, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.token(client).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &token));
        client.post(self.url(path)).form(&form).send().await.expect("POST")
    }

    async fn token(&self, client: &Client) -> String {
        let response = self.get(client, "/password").await;
        if response.status() == StatusCode::OK {
            return extract_csrf(&response.text().await.unwrap()).expect("csrf on /password");
        }
        self.csrf(client, "/login").await
    }

    /// Logs in and returns the response to the login POST.
    pub async fn login_response(&self, client: &Client, phone: &str, password: &str) -> Response {
        let token = self.csrf(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[("phone", phone), ("password", password), ("csrf", &token), ("next", "/")])
            .send()
            .await
            .unwrap()
    }

    /// A client logged in as `phone`.
    pub async fn logged_in(&self, phone: &str) -> Client {
        let client = self.client();
        let response = self.login_response(&client, phone, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login as {phone}");
        client
    }

    /// Uploads a roster as the multipart form the import page sends.
    pub async fn upload_roster(&self, client: &Client, file_name: &str, bytes: Vec<u8>) -> Response {
        let token = self.token(client).await;
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part).text("unit_id", "0");
        client.post(self.url(&format!("/members/import?csrf={token}"))).multipart(form).send().await.unwrap()
    }

    /// Counts rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.db {
            Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// Audit entries of one action code, newest first, as "target|detail|succeeded".
    pub async fn audit(&self, action: &str) -> Vec<String> {
        let action = dongxun::audit::Action::from_code(action).expect("known action");
        dongxun::audit::recent(&self.db, Some(action), None, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{}|{}|{}", e.target, e.detail, e.succeeded))
            .collect()
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Where a redirect points.
pub fn location(response: &Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// A running app over an empty (migrated) database: its address, database and data dir.
pub async fn spawn_empty_app() -> (String, Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let location = fresh_location(&dir).await;
    let app = Application::build(&location, "127.0.0.1:0", WebConfig::default()).await.expect("build app");
    let address = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    (address, db, dir)
}
