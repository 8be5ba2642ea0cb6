//! The route × role matrix: every route, every role, the expected status.

use reqwest::{Client, StatusCode};

use crate::helpers::*;
use crate::people::add_member;

#[derive(Clone, Copy)]
enum Who {
    Anonymous,
    Committee,
    Station,
    Lecturer,
    Volunteer,
    Member,
}

const ALL: [Who; 6] =
    [Who::Anonymous, Who::Committee, Who::Station, Who::Lecturer, Who::Volunteer, Who::Member];

fn phone(who: Who) -> Option<&'static str> {
    match who {
        Who::Anonymous => None,
        Who::Committee => Some(COMMITTEE),
        Who::Station => Some(STATION_A),
        Who::Lecturer => Some(LECTURER),
        Who::Volunteer => Some(VOLUNTEER),
        Who::Member => Some(MEMBER),
    }
}

/// Expected statuses in the order of `ALL`: anonymous, committee, station, lecturer, volunteer, member.
type Row = (&'static str, String, [u16; 6]);

#[tokio::test]
async fn every_route_answers_every_role_as_designed() {
    let app = spawn_app().await;
    let member = add_member(&app, app.branch_a.id, "王小明", "13811112222").await;
    let a = app.village_a.id;
    let branch = app.branch_a.id;
    const LOGIN: u16 = 303;
    let rows: Vec<Row> = vec![
        ("GET", "/".into(), [LOGIN, 200, 200, 200, 200, 200]),
        ("GET", "/login".into(), [200; 6]),
        ("GET", "/healthz".into(), [200; 6]),
        ("GET", "/static/app.css".into(), [200; 6]),
        ("GET", "/static/htmx.min.js".into(), [200; 6]),
        ("GET", "/password".into(), [LOGIN, 200, 200, 200, 200, 200]),
        ("GET", "/org".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", format!("/org/units/{a}"), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/members".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/members?q=wxm".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/members/new".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", format!("/members/{member}"), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", format!("/members/{member}/edit"), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/members/import".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/members/export".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/accounts".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/accounts/new".into(), [LOGIN, 200, 200, 403, 403, 403]),
        ("GET", "/audit".into(), [LOGIN, 200, 403, 403, 403, 403]),
        ("GET", "/no-such-page".into(), [404; 6]),
        ("POST", format!("/members/{member}/reveal"), [LOGIN, 200, 200, 403, 403, 403]),
        ("POST", format!("/org/units/{branch}/rename"), [LOGIN, 303, 403, 403, 403, 403]),
        ("POST", format!("/org/units/{a}/profile"), [LOGIN, 303, 303, 403, 403, 403]),
    ];
    for (i, who) in ALL.into_iter().enumerate() {
        let client = match phone(who) {
            Some(phone) => app.logged_in(phone).await,
            None => app.client(),
        };
        for (method, path, expected) in &rows {
            let status = request(&app, &client, method, path).await;
            assert_eq!(status.as_u16(), expected[i], "{method} {path} as role #{i}");
        }
    }
}

async fn request(app: &TestApp, client: &Client, method: &str, path: &str) -> StatusCode {
    match method {
        "GET" => app.get(client, path).await.status(),
        _ => {
            let fields: &[(&str, &str)] = if path.ends_with("/rename") {
                &[("name", "甲村第一支部")]
            } else if path.ends_with("/profile") {
                &[
                    ("service_brand", "甲村先锋"),
                    ("training_brand", "口袋冬训"),
                    ("slogan", ""),
                    ("story", ""),
                ]
            } else {
                &[]
            };
            app.post_form(client, path, fields).await.status()
        }
    }
}
