//! Rankings: competition ranks over HTTP right after the write, what each role may see, "my
//! rank" on 我的, a moved member, the exports read back (web and CLI). The live index itself:
//! `rankings_live.rs`.

use chrono::Utc;
use dongxun::points::PointKind;
use dongxun::points::store::{self, Award};
use reqwest::StatusCode;

use crate::cli::dongxun;
use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// `times` attendance awards (5 points each) for `member` today, keyed by `tag`.
pub async fn earn(app: &TestApp, member: i64, times: usize, tag: &str) {
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..times {
        let award = Award {
            member_id: member,
            kind: PointKind::Attendance,
            item_key: format!("session:{tag}{i}"),
            idempotency_key: format!("test:{tag}:{member}:{i}"),
            at: Utc::now(),
            quantity: 1,
            reason: String::new(),
            recorded_by: None,
            campaign_id: None,
        };
        store::award(&mut tx, &award).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Four members of 甲村 (15, 10, 10, 5 points today) and two of 乙村 (20, 0 points).
struct Board {
    a: [i64; 4],
    b: [i64; 2],
}

async fn board(app: &TestApp) -> Board {
    let names = ["甲一", "甲二", "甲三", "甲四"];
    let mut a = [0; 4];
    for (i, name) in names.iter().enumerate() {
        a[i] = add_member(app, app.branch_a.id, name, &format!("1380000100{i}")).await;
    }
    let b = [
        add_member(app, app.branch_b.id, "乙一", "13800002001").await,
        add_member(app, app.branch_b.id, "乙二", "13800002002").await,
    ];
    for (member, times) in [(a[0], 3), (a[1], 2), (a[2], 2), (a[3], 1), (b[0], 4)] {
        earn(app, member, times, "s").await;
    }
    Board { a, b }
}

/// The (rank, name) rows of a member ranking page, in order.
pub fn ranked_names(html: &str) -> Vec<(u32, String)> {
    let mut rows = Vec::new();
    for part in html.split("<td class=\"num rank\">").skip(1) {
        let rank: u32 = part[..part.find('<').unwrap()].parse().unwrap();
        let name_start = part.find("<th scope=\"row\">").unwrap() + "<th scope=\"row\">".len();
        let name = &part[name_start..name_start + part[name_start..].find('<').unwrap()];
        rows.push((rank, name.to_owned()));
    }
    rows
}

#[tokio::test]
async fn ties_share_a_rank_and_the_next_skips_right_after_the_write() {
    let app = spawn_app().await;
    let board = board(&app).await;
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, "/rankings?period=day&by=member").await.text().await.unwrap();
    let rows = ranked_names(&html);
    let expected: Vec<(u32, String)> = [(1, "乙一"), (2, "甲一"), (3, "甲二"), (3, "甲三"), (5, "甲四")]
        .map(|(r, n)| (r, n.to_owned()))
        .into();
    assert_eq!(rows, expected, "{html}");
    // Within 甲村: 1, 2, 2, 4.
    let path = format!("/rankings?period=week&by=member&unit={}", app.village_a.id);
    let rows = ranked_names(&app.get(&committee, &path).await.text().await.unwrap());
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 2, 4]);
    // A write acknowledged is in the very next answer: 甲四 earns 15 more and leads 甲村.
    earn(&app, board.a[3], 3, "late").await;
    let rows = ranked_names(&app.get(&committee, &path).await.text().await.unwrap());
    assert_eq!(rows[0], (1, "甲四".to_owned()));
    // Units: 甲村 has 45 points over 4 members; 乙村 20 over 2 (11.3 vs 10.0 per member), and
    // participation 4/4 against 1/2.
    let html = app.get(&committee, "/rankings?by=unit&order=participation").await.text().await.unwrap();
    assert!(html.contains("100%") && html.contains("50%"), "{html}");
    // Long-past days are no longer kept: said so, not shown as empty.
    let old = app.get(&committee, "/rankings?period=day&date=2020-01-01").await.text().await.unwrap();
    assert!(old.contains("不再保留"), "{old}");
    let bad = app.get(&committee, "/rankings?date=12/01").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("请写成 2026-12-01"));
    let bad = app.get(&committee, "/rankings?period=year").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("排名周期只能是"));
}

#[tokio::test]
async fn each_role_sees_what_the_setting_and_its_subtree_allow() {
    let app = spawn_app().await;
    let board = board(&app).await;
    app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", board.a[1])).await;
    let member = app.logged_in(MEMBER).await;

    // Default: a member sees units and their own rank, no other member's name.
    let html = app.get(&member, "/rankings?by=member").await.text().await.unwrap();
    assert!(html.contains("我的积分和名次") && html.contains("甲村") && html.contains("乙村"), "{html}");
    for name in ["甲一", "甲三", "乙一"] {
        assert!(!html.contains(name), "{name} must not show: {html}");
    }
    let all = app.get(&member, "/rankings?by=member&unit=all").await.text().await.unwrap();
    assert!(!all.contains("乙一") && !all.contains("甲一"));

    // Station staff see their own station's members, and another station's are refused.
    let station = app.logged_in(STATION_A).await;
    let html = app.get(&station, "/rankings?by=member").await.text().await.unwrap();
    assert!(html.contains("甲一") && html.contains("甲四") && !html.contains("乙一"), "{html}");
    let other = app.get(&station, &format!("/rankings?by=member&unit={}", app.village_b.id)).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let all = app.get(&station, "/rankings?by=member&unit=all").await.text().await.unwrap();
    assert!(!all.contains("乙一"));

    // The committee sees everyone, and only it may change the setting.
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, "/rankings?by=member").await.text().await.unwrap();
    assert!(html.contains("乙一") && html.contains("甲一") && html.contains("党员可以看到什么"));
    let refused = app.post_form(&station, "/rankings/visibility", &[("members_see_names", "names")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let r = app.post_form(&committee, "/rankings/visibility", &[("members_see_names", "names")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.audit("points").await[0].contains("排名显示设置"));

    // Now members see names: their own unit by default, the sub-district on request.
    let html = app.get(&member, "/rankings?by=member").await.text().await.unwrap();
    assert!(html.contains("甲一") && !html.contains("乙一"), "{html}");
    let all = app.get(&member, "/rankings?by=member&unit=all").await.text().await.unwrap();
    assert!(all.contains("乙一") && all.contains("甲一"), "{all}");
    let other = app.get(&member, &format!("/rankings?by=member&unit={}", app.village_b.id)).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_member_sees_their_points_and_ranks_on_their_own_page() {
    let app = spawn_app().await;
    let board = board(&app).await;
    app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", board.a[2])).await;
    let member = app.logged_in(MEMBER).await;
    let html = app.get(&member, "/me").await.text().await.unwrap();
    let card = &html[html.find("id=\"my-rank\"").expect("my rank card")..];
    let today = &card[card.find("今日").unwrap()..];
    let today = &today[..today.find("</tr>").unwrap()];
    // 10 points: second in 甲村 (tied), third overall (tied), after 乙一's 20 and 甲一's 15.
    assert!(
        today.contains("<strong>10</strong>") && today.contains("第2名") && today.contains("第3名"),
        "{today}"
    );
    assert!(card.contains("本次冬训") || card.contains("本月"), "{card}");
    // A member without any points is ranked after everyone with points.
    app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", board.b[1])).await;
    let html = app.get(&member, "/me").await.text().await.unwrap();
    let card = &html[html.find("id=\"my-rank\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(
        card.contains("<strong>0</strong>") && card.contains("第2名") && card.contains("第6名"),
        "{card}"
    );
}

/// The rows of the first sheet of an .xlsx, as strings (numbers without a trailing .0).
fn rows_of(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn rankings_and_the_ledger_export_and_read_back() {
    let app = spawn_app().await;
    let board = board(&app).await;
    let committee = app.logged_in(COMMITTEE).await;
    let r = app.get(&committee, "/rankings/export.xlsx?period=day&by=member").await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = rows_of(&r.bytes().await.unwrap());
    assert_eq!(rows[1], ["排名", "姓名", "手机号码", "所在单位", "积分"]);
    assert_eq!(rows[2], ["1", "乙一", "13800002001", "乙村第一支部", "20"]);
    assert_eq!(rows[4][0], "3");
    assert_eq!(rows[5][0], "3");
    assert_eq!(rows.len(), 2 + 5);
    assert!(app.audit("export").await[0].contains("积分排名"));

    // A station admin's export is their own station's, ranked within it.
    let station = app.logged_in(STATION_A).await;
    let rows = rows_of(&app.get(&station, "/rankings/export.xlsx?by=member").await.bytes().await.unwrap());
    let names: Vec<&str> = rows[2..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["甲一", "甲二", "甲三", "甲四"]);
    assert_eq!(rows[2..].iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["1", "2", "2", "4"]);
    let member = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member, "/rankings/export.xlsx").await.status(), StatusCode::FORBIDDEN);

    let rows = rows_of(&app.get(&committee, "/rankings/export.xlsx?by=unit").await.bytes().await.unwrap());
    assert_eq!(rows[1], ["排名", "单位", "人均积分", "参与率"]);
    assert_eq!(rows[2][..2], ["1", "甲村"]);
    assert_eq!(rows[2][3], "1");
    assert_eq!(rows[3][1..], ["乙村", "10", "0.5"]);

    // A self-declared online attendance earns points the ledger export marks 自报.
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_b.id).starts_in_minutes(-30).insert().await.id;
    let entry = dongxun::checkin::store::Attendance {
        session_id: session,
        member_id: board.b[1],
        channel: Channel::Qr,
        minutes: 60,
        late: false,
        recorded_by: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    dongxun::checkin::store::record_self_declared(&mut tx, &entry).await.unwrap();
    tx.commit().await.unwrap();

    // The command line: full phones, the whole ledger with corrections marked.
    let mut tx = app.db.begin().await.unwrap();
    let first = store::history(&app.db, board.a[0], 1).await.unwrap()[0].id;
    store::correct(&mut tx, first, -5, "重复登记", &dongxun::audit::Actor::command_line()).await.unwrap();
    tx.commit().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.xlsx");
    let out = dongxun(&app)
        .args(["export", "rankings", "--period", "month", "--by", "member", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows_of(&std::fs::read(&file).unwrap());
    assert_eq!(rows[2], ["1", "乙一", "13800002001", "乙村第一支部", "20"]);
    assert_eq!(rows[3][..2], ["2", "甲一"]);
    assert_eq!(rows[3][4], "10", "the correction counts");
    let out =
        dongxun(&app).args(["export", "rankings", "--period", "year", "-o"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("排名周期只能是"));
    let ledger = dir.path().join("p.xlsx");
    let out = dongxun(&app).args(["export", "points", "-o"]).arg(&ledger).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows_of(&std::fs::read(&ledger).unwrap());
    assert_eq!(rows[1][..6], ["编号", "姓名", "手机号码", "所在单位", "事项", "积分"]);
    assert_eq!(rows[1][9..], ["更正", "自报"]);
    assert_eq!(rows.len(), 2 + 12 + 1 + 1);
    let attended = rows.iter().find(|r| r[1] == "乙二").unwrap();
    assert_eq!(
        (attended[4].as_str(), attended[5].as_str(), attended[10].as_str()),
        ("参加学习", "5", "自报")
    );
    assert!(rows.iter().filter(|r| r[1] != "乙二").skip(2).all(|r| r[10].is_empty()));
    let last = rows.last().unwrap();
    assert_eq!((last[5].as_str(), last[8].as_str()), ("-5", "重复登记"));
    assert_eq!(last[9], format!("更正 #{first}"));
}

#[tokio::test]
async fn a_member_moved_to_another_station_is_ranked_there_on_the_next_page() {
    let app = spawn_app().await;
    let board = board(&app).await;
    let committee = app.logged_in(COMMITTEE).await;
    app.execute(&format!("UPDATE members SET unit_id = {} WHERE id = {}", app.branch_b.id, board.a[0])).await;
    let path = format!("/rankings?by=member&unit={}", app.village_b.id);
    let rows = ranked_names(&app.get(&committee, &path).await.text().await.unwrap());
    assert_eq!(rows, [(1, "乙一".to_owned()), (2, "甲一".to_owned())]);
    let html = app.get(&committee, "/rankings?by=unit&order=participation").await.text().await.unwrap();
    // 甲村 keeps 3 members, all with points; 乙村 now has 3, two of them with points.
    assert!(html.contains("3/3人") && html.contains("2/3人") && !html.contains("/4人"), "{html}");
}
