//! The points ledger as people see it: a member's own history and today's caps, staff reading a
//! member's ledger and correcting an entry (audited, totals derived), and corrections that
//! arrive at the same moment.

use chrono::{TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::audit::Actor;
use dongxun::points::PointKind;
use dongxun::points::store::{self, Award, Awarded, Entry};

use crate::helpers::*;
use crate::people::add_member;

/// Records one attendance-like award for `member` and returns its entry.
pub async fn give(app: &TestApp, member: i64, kind: PointKind, key: &str, day: u32) -> Entry {
    let at = Shanghai.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap().with_timezone(&Utc);
    let award = Award {
        member_id: member,
        kind,
        item_key: key.into(),
        idempotency_key: key.into(),
        at,
        quantity: 1,
        reason: String::new(),
        recorded_by: None,
        campaign_id: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let Awarded::Recorded(entry) = store::award(&mut tx, &award).await.unwrap() else { panic!("not recorded") };
    tx.commit().await.unwrap();
    entry
}

#[tokio::test]
async fn simultaneous_corrections_of_one_entry_all_count() {
    let app = spawn_app().await;
    let m = add_member(&app, app.branch_a.id, "李更正", "13900006666").await;
    let entry = give(&app, m, PointKind::Attendance, "session:1", 3).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let db = app.db.clone();
            tokio::spawn(async move {
                let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
                let mut tx = db.begin().await.unwrap();
                store::correct(&mut tx, entry.id, -1, &format!("第{i}次更正"), &by).await?;
                tx.commit().await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every correction is written, none fails on a duplicate key");
    }
    assert_eq!(store::total(&app.db, m).await.unwrap(), 5 - 8);
    assert_eq!(app.count("point_entries").await, 9);
    assert_eq!(app.audit("points").await.len(), 8);
}
