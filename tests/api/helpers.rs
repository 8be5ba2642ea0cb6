//! `spawn_app()` and friends.

use std::time::Duration;

use dongxun::accounts::store::{self as account_store, NewUser};
use dongxun::auth::{Role, password};
use dongxun::checkin::limits::GuessLimits;
pub use dongxun::checkin::model::Channel;
use dongxun::checkin::store::{self as attendance, Attendance};
use dongxun::db::{Db, Location};
use dongxun::org::model::UnitKind;
use dongxun::org::store::{self as org_store, Unit};
pub use dongxun::schedule::model::SessionKind;
use dongxun::schedule::store::sessions::{self, NewSession};
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
    /// The ID-card vault the app was started with (its key file is in `_dir`).
    pub vault: dongxun::people::IdCardVault,
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

/// The key file a test app uses: the CLI finds it too, as `--data-dir` points at the same folder.
pub fn key_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join(dongxun::people::vault::KEY_FILE_NAME)
}

/// With `TEST_LOG=1`, the app's log (e.g. the cause behind a 500) goes to the test's output;
/// silent otherwise, so a passing run stays readable.
fn init_test_log() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_env_filter(std::env::var("TEST_LOG_FILTER").unwrap_or_else(|_| "info".into()))
                .with_test_writer()
                .init();
        }
    });
}

async fn fresh_location(dir: &tempfile::TempDir) -> Location {
    let Ok(admin_url) = std::env::var("DONGXUN_TEST_PG") else {
        return Location::SqliteFile(dir.path().join("dongxun.db"));
    };
    if admin_url.is_empty() {
        return Location::SqliteFile(dir.path().join("dongxun.db"));
    }
    let name = format!("dx_test_{}", dongxun::web::csrf::random_token()[..16].to_owned());
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect to DONGXUN_TEST_PG");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("create test database");
    admin.close().await;
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
    Location::Postgres(format!("{base}/{name}"))
}

pub async fn spawn_app_with(config: WebConfig) -> TestApp {
    spawn_app_limited(config, GuessLimits::default()).await
}

/// An app whose guessing budgets (check-in, online study) are `limits`.
pub async fn spawn_app_limited(config: WebConfig, limits: GuessLimits) -> TestApp {
    init_test_log();
    let dir = tempfile::tempdir().expect("temp dir");
    let location = fresh_location(&dir).await;
    let app = Application::build(&location, &key_file(&dir), "127.0.0.1:0", config).await.expect("build app");
    let app = app.with_guess_limits(limits);
    let address = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    let vault = app.vault().clone();
    let (root, village_a, branch_a, village_b, branch_b) = seed(&db).await;
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp { address, db, vault, root, village_a, branch_a, village_b, branch_b, _dir: dir }
}

async fn seed(db: &Db) -> (Unit, Unit, Unit, Unit, Unit) {
    let hash = password::hash(PASSWORD.to_owned()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let root = org_store::insert(&mut tx, None, UnitKind::Subdistrict, "测试街道", 0).await.unwrap();
    let village_a = org_store::insert(&mut tx, Some(&root), UnitKind::Station, "甲村", 1).await.unwrap();
    let branch_a =
        org_store::insert(&mut tx, Some(&village_a), UnitKind::Branch, "甲村第一支部", 0).await.unwrap();
    let village_b = org_store::insert(&mut tx, Some(&root), UnitKind::Station, "乙村", 2).await.unwrap();
    let branch_b =
        org_store::insert(&mut tx, Some(&village_b), UnitKind::Branch, "乙村第一支部", 0).await.unwrap();
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
        account_store::insert(&mut tx, &user).await.unwrap();
    }
    tx.commit().await.unwrap();
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

    /// [`Self::post_form`] for fields built at run time (numbers, repeated ids) as owned strings.
    pub async fn post_owned_form(&self, client: &Client, path: &str, fields: &[(&str, String)]) -> Response {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_form(client, path, &borrowed).await
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

    /// Runs one statement straight on the database, for a state no page offers.
    pub async fn execute(&self, sql: &str) {
        match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
            Db::Postgres(pool) => {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
        }
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

/// A session inserted straight through the store (no page, no scope check), so a test can put it
/// anywhere in time: by default a 90-minute lecture "书记开讲第一课" hosted by and for one unit,
/// starting now, without a lecturer. Made by [`TestApp::session`]; stored by [`SessionBuilder::insert`].
pub struct SessionBuilder<'a> {
    app: &'a TestApp,
    new: NewSession,
}

/// A stored session: its id and the secret its check-in codes and feedback tickets are made from.
pub struct TestSession {
    /// Its id.
    pub id: i64,
    /// Its check-in secret.
    pub secret: String,
}

impl TestApp {
    /// Starts a [`SessionBuilder`] for `campaign_id`, hosted by and for `unit_id`.
    pub fn session(&self, campaign_id: i64, unit_id: i64) -> SessionBuilder<'_> {
        let starts_at = chrono::Utc::now();
        let new = NewSession {
            campaign_id,
            batch_id: None,
            kind: SessionKind::Lecture,
            title: "书记开讲第一课".into(),
            topic_id: None,
            lecturer_id: None,
            unit_id,
            audience_unit_id: unit_id,
            venue_id: None,
            place: String::new(),
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(90),
            expected_attendees: 0,
            checkin_opens_minutes: 30,
            online_url: String::new(),
            created_by: None,
        };
        SessionBuilder { app: self, new }
    }

    /// Records one attendance straight through the store.
    pub async fn attend(&self, session_id: i64, member_id: i64, channel: Channel, minutes: i64) {
        let entry = Attendance { session_id, member_id, channel, minutes, late: false, recorded_by: None };
        let mut tx = self.db.begin().await.unwrap();
        attendance::record(&mut tx, &entry).await.unwrap();
        tx.commit().await.unwrap();
    }
}

impl SessionBuilder<'_> {
    /// Moves the start (and with it the end) `minutes` from now; negative: already under way or over.
    pub fn starts_in_minutes(mut self, minutes: i64) -> Self {
        let length = self.new.ends_at - self.new.starts_at;
        self.new.starts_at = chrono::Utc::now() + chrono::Duration::minutes(minutes);
        self.new.ends_at = self.new.starts_at + length;
        self
    }

    /// Another title, for a test whose pages should show a recognisable one.
    pub fn title(mut self, title: &str) -> Self {
        self.new.title = title.to_owned();
        self
    }

    /// Another kind (live, recording, …).
    pub fn kind(mut self, kind: SessionKind) -> Self {
        self.new.kind = kind;
        self
    }

    /// The live broadcast's or recording's address.
    pub fn online_url(mut self, url: &str) -> Self {
        self.new.online_url = url.to_owned();
        self
    }

    /// On this topic (or none).
    pub fn topic(mut self, topic_id: Option<i64>) -> Self {
        self.new.topic_id = topic_id;
        self
    }

    /// Lasting `minutes` from its start.
    pub fn minutes(mut self, minutes: i64) -> Self {
        self.new.ends_at = self.new.starts_at + chrono::Duration::minutes(minutes);
        self
    }

    /// Given by this lecturer (for workload reports).
    pub fn lecturer(mut self, lecturer_id: i64) -> Self {
        self.new.lecturer_id = Some(lecturer_id);
        self
    }

    /// Stores the session; panics on a scheduling conflict, which a test never means to cause here.
    pub async fn insert(self) -> TestSession {
        let db = &self.app.db;
        let mut tx = db.begin().await.unwrap();
        let id = sessions::insert_checked(&mut tx, &[self.new], &[None], None)
            .await
            .unwrap()
            .expect("no conflicts")[0];
        tx.commit().await.unwrap();
        let secret = sessions::by_id(db, id).await.unwrap().expect("just inserted").secret;
        TestSession { id, secret }
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
    let app = Application::build(&location, &key_file(&dir), "127.0.0.1:0", WebConfig::default())
        .await
        .expect("build app");
    let address = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    (address, db, dir)
}
