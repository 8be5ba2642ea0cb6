//! The demo sub-district: the shape the issue asks for, seeded once, and its logins work.

use chrono::Datelike;
use dongxun::demo::{DEMO_MEMBER_PHONE, DEMO_PASSWORD, seed_if_empty};
use dongxun::org::model::UnitKind;
use dongxun::people::model::MemberCategories;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_is_a_living_sub_district_with_every_role() {
    let (address, db, _dir) = spawn_empty_app().await;
    let key_file = _dir.path().join(dongxun::people::vault::KEY_FILE_NAME);
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file).await.unwrap();
    assert!(seed_if_empty(&db, &vault).await.unwrap());
    assert!(!seed_if_empty(&db, &vault).await.unwrap(), "seeds only an empty database");
    // One finished speech contest with its placings paid (first, second, third).
    let speech: Vec<(String, i64)> = dongxun::on_db!(&db, pool => sqlx::query_as(
        "SELECT c.status, (SELECT COUNT(*) FROM point_entries p WHERE p.item_key = 'speech:' || CAST(c.id AS TEXT)) \
         FROM speech_contests c").fetch_all(pool).await.unwrap());
    assert_eq!(speech, vec![("finished".to_owned(), 3)]);
    let bank = dongxun::quiz::store::all(&db).await.unwrap();
    assert!(bank.len() >= 195, "the demo's question bank: {}", bank.len());
    for topic in ["党章", "党史", "乡村振兴", "防疫", "农技"] {
        assert!(bank.iter().filter(|q| q.category == topic).count() >= 35, "{topic}");
    }

    let units = dongxun::org::store::units_in_scope(&db, &dongxun::org::Scope::whole_tree()).await.unwrap();
    let stations: Vec<&str> =
        units.iter().filter(|u| u.kind == UnitKind::Station).map(|u| u.name.as_str()).collect();
    assert_eq!(stations.len(), 14);
    let marked: Vec<&str> = units.iter().map(|u| u.name.as_str()).filter(|n| n.contains("示例")).collect();
    assert!(marked.is_empty(), "village names carry no （示例）: {marked:?}");
    for named in ["蟹塘社区", "九塘村", "塘窦村社区", "桑园蒲村", "三星村", "横山村", "社东社区"]
    {
        assert!(stations.contains(&named), "{named}");
    }
    assert_eq!(units.iter().filter(|u| u.kind == UnitKind::Hub).count(), 1);
    let tangdou = units.iter().find(|u| u.name == "塘窦村社区").unwrap();
    assert_eq!(dongxun::org::store::profile(&db, tangdou.id).await.unwrap().training_brand, "口袋冬训");

    let members =
        dongxun::people::store::all_in_scope(&db, &dongxun::org::Scope::whole_tree()).await.unwrap();
    assert!((1400..=1600).contains(&members.len()), "{}", members.len());
    let year = dongxun::time::today().year();
    let over_70 = members.iter().filter(|m| year - m.birth_date.unwrap().year() > 70).count();
    let share = over_70 as f64 / members.len() as f64;
    assert!((0.15..0.26).contains(&share), "a fifth over 70, got {share}");
    for category in [MemberCategories::HARDSHIP, MemberCategories::MOBILE, MemberCategories::NO_SMARTPHONE] {
        assert!(members.iter().any(|m| m.category_set().contains(category)));
    }
    // Every demo member has a 住址 in their own village, so a demo volunteer finds the door.
    for m in &members {
        let address = m.address.as_deref().unwrap_or_default();
        assert!(address.ends_with('号') && address.contains('组'), "{}: {address:?}", m.name);
        let village: String = m.unit_name.chars().take(2).collect();
        assert!(m.unit_name.starts_with("街道机关") || address.starts_with(&village), "{address}");
    }

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for phone in ["13900000001", "13900000100", "13900000200", "13900000300", DEMO_MEMBER_PHONE] {
        let html = client.get(format!("{address}/login")).send().await.unwrap().text().await.unwrap();
        let token = extract_csrf(&html).unwrap();
        let r = client
            .post(format!("{address}/login"))
            .form(&[("phone", phone), ("password", DEMO_PASSWORD), ("csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{phone}");
        assert_eq!(location(&r), "/");
    }

    // Last month's award is published: a few per station, 蟹塘社区's tie at the third place all
    // in, the hub's one added by hand; the demo member (logged in last) is among them.
    let campaign = dongxun::campaign::store::current(&db).await.unwrap().unwrap();
    let rounds = dongxun::awards::store::rounds(&db, campaign.id).await.unwrap();
    let last_month = dongxun::awards::Month::of(dongxun::time::today()).previous();
    assert_eq!(rounds.len(), 1);
    assert_eq!((rounds[0].month(), rounds[0].status), (last_month, dongxun::awards::RoundStatus::Published));
    let awardees = dongxun::awards::store::awardees(&db, rounds[0].id, &dongxun::org::Scope::whole_tree())
        .await
        .unwrap();
    assert_eq!(awardees.len(), 14 * 3 + 1 + 1, "three per station, one tie, one added");
    assert_eq!(awardees.iter().filter(|a| a.unit_name == "蟹塘社区").count(), 4);
    assert!(awardees.iter().all(|a| a.points > 0 || !a.proposed));
    let me = client.get(format!("{address}/me")).send().await.unwrap().text().await.unwrap();
    assert!(me.contains("我的荣誉") && me.contains(&format!("{}月度学习之星", last_month.label())), "{me}");
    assert!(me.contains("月度评优"), "the award's points in the history");
}
