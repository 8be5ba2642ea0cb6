//! The demo sub-district: 石湫街道 with its hub, 14 village stations (the seven the founding
//! document names, seven clearly made up), branches, ~1,500 members with realistic ages and
//! categories, accounts for every role, a running campaign (see [`training`]) and last month's
//! published award (see [`awards`]).
//! Deterministic: the same seed gives the same people.

mod activities;
mod awards;
mod brands;
mod column;
mod contest;
mod debate;
mod deliveries;
mod library;
mod points;
mod practice;
mod questions;
mod speech;
mod training;

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::accounts::store::{self as account_store, NewUser};
use crate::auth::{Role, password};
use crate::db::{Db, Tx};
use crate::org::model::UnitKind;
use crate::org::store::{self as org_store, StationProfile, Unit};
use crate::people::model::{Gender, MemberCategories, MemberStatus};
use crate::people::store::{self as member_store, MemberFields};

/// The password of every demo account (printed in the log; demo only).
pub const DEMO_PASSWORD: &str = "dongxun2021";

/// The login of the demo member account.
pub const DEMO_MEMBER_PHONE: &str = "13900000400";

/// Stations: name, service brand, training brand (the seed's five named brands where it gives them).
const STATIONS: [(&str, &str, &str); 14] = [
    ("蟹塘社区", "蟹塘先锋", ""),
    ("九塘村", "九塘巧手", ""),
    ("塘窦村社区", "塘窦红帆", "口袋冬训"),
    ("桑园蒲村", "晓园志愿", "晓园云冬训"),
    ("三星村", "三星暖心", "星火冬训"),
    ("横山村", "横山红韵", "红色冬训"),
    ("社东社区", "社东新苗", "欣苗冬训"),
    ("青禾村", "青禾互助", ""),
    ("云溪社区", "云溪邻里", ""),
    ("竹岭村", "竹岭清风", ""),
    ("梅岗村", "梅岗义工", ""),
    ("枫林村", "枫林夕阳红", ""),
    ("荷塘社区", "荷塘月色", ""),
    ("松涧村", "松涧守望", ""),
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强春梅海燕文斌红梅德明凤英永忠桂兰金凤宝林国庆立新卫东晓燕雪梅俊杰子涵浩然欣怡";

/// Fills the demo sub-district if the database has no units yet; returns whether it did.
pub async fn seed_if_empty(db: &Db, vault: &crate::people::IdCardVault) -> anyhow::Result<bool> {
    if org_store::root(db).await?.is_some() {
        return Ok(false);
    }
    let mut rng = StdRng::seed_from_u64(20210302);
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    // The tree, its members and the accounts commit together: a failed seed leaves no half
    // sub-district behind to stop the next start from seeding.
    let mut tx = db.begin().await?;
    let root = org_store::insert(&mut tx, None, UnitKind::Subdistrict, "石湫街道", 0).await?;
    let hub = org_store::insert(&mut tx, Some(&root), UnitKind::Hub, "石湫街道新时代文明实践所", 0).await?;
    org_store::save_profile(
        &mut tx,
        hub.id,
        &StationProfile {
            service_brand: "石湫志愿".into(),
            training_brand: "冬训大补汤".into(),
            slogan: "书记带头第一课，志愿队伍齐宣讲，广大党员共传播".into(),
            story: "以石湫街道新时代文明实践所为主阵地，各村社新时代文明实践站为大舞台。".into(),
        },
    )
    .await?;
    let hub_branch = org_store::insert(&mut tx, Some(&hub), UnitKind::Branch, "街道机关党支部", 0).await?;
    let mut stations = Vec::new();
    let mut branches = vec![hub_branch.clone()];
    for (i, (name, service, training)) in STATIONS.iter().enumerate() {
        let station = org_store::insert(&mut tx, Some(&root), UnitKind::Station, name, i as i64 + 1).await?;
        let profile = StationProfile {
            service_brand: (*service).into(),
            training_brand: (*training).into(),
            slogan: format!("{}党员冬训，学思践悟", name),
            story: String::new(),
        };
        org_store::save_profile(&mut tx, station.id, &profile).await?;
        let count = 2 + i % 3;
        for (b, label) in
            ["第一党支部", "第二党支部", "第三党支部", "老年党支部"].iter().take(count).enumerate()
        {
            let branch_name = format!("{}{}", name, label);
            let branch = org_store::insert(&mut tx, Some(&station), UnitKind::Branch, &branch_name, b as i64);
            branches.push(branch.await?);
        }
        stations.push(station);
    }
    let mut members = demo_members(&mut rng, &branches, 1500);
    // One smartphone-owning member of the first station gets a memorable phone, so the member
    // login is easy to try — and can check in to the demo session, which is for that station.
    let first_station: Vec<i64> =
        branches.iter().filter(|b| b.path.starts_with(&stations[0].path)).map(|b| b.id).collect();
    let member_index = members
        .iter()
        .position(|m| {
            first_station.contains(&m.unit_id) && !m.categories.contains(MemberCategories::NO_SMARTPHONE)
        })
        .expect("the first station has members");
    members[member_index].phone = Some(DEMO_MEMBER_PHONE.to_owned());
    let ids = member_store::apply_changes(&mut tx, vault, &members, &[]).await?;
    let member = (&members[member_index], ids[member_index]);
    seed_accounts(&mut tx, &hash, &root, &hub_branch, &stations, member).await?;
    tx.commit().await?;
    training::seed(db, &mut rng, &root, &hub, &stations).await?;
    deliveries::seed(db, &stations, crate::time::today()).await?;
    points::seed(db, &root, &stations, crate::time::today()).await?;
    awards::seed(db, &hub, &stations, DEMO_MEMBER_PHONE).await?;
    questions::seed(db).await?;
    practice::seed(db, &root, DEMO_MEMBER_PHONE, crate::time::today()).await?;
    library::seed(db, &stations, crate::time::today()).await?;
    column::seed(db, &stations, crate::time::today()).await?;
    contest::seed(db, &root, &stations, DEMO_MEMBER_PHONE).await?;
    brands::seed(db, &hub, &stations).await?;
    speech::seed(db, &stations, &["13900000001", "13900000100"], DEMO_MEMBER_PHONE).await?;
    debate::seed(db, &root, &stations).await?;
    activities::seed(db, &stations, DEMO_MEMBER_PHONE, crate::time::today()).await?;
    Ok(true)
}

/// [`seed_if_empty`], and when it seeded, the classroom's 党课视频 series with its recordings
/// written into the configured media directory.
pub async fn seed_with_media(
    db: &Db,
    vault: &crate::people::IdCardVault,
    config: &crate::web::WebConfig,
) -> anyhow::Result<bool> {
    if !seed_if_empty(db, vault).await? {
        return Ok(false);
    }
    library::seed_series(db, &crate::classroom::media::dir(config)).await?;
    Ok(true)
}

fn demo_members(rng: &mut StdRng, branches: &[Unit], count: usize) -> Vec<MemberFields> {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let today = crate::time::today();
    let mut phones = HashSet::new();
    let mut id_cards = HashSet::new();
    (0..count)
        .map(|i| {
            // The hub's own branch gets a few staff; stations share the rest.
            let unit =
                if i < 12 { &branches[0] } else { &branches[1 + rng.random_range(0..branches.len() - 1)] };
            let name: String = std::iter::once(surnames[rng.random_range(0..surnames.len())])
                .chain((0..rng.random_range(1..=2)).map(|_| given[rng.random_range(0..given.len())]))
                .collect();
            let age = match rng.random_range(0..100) {
                0..20 => rng.random_range(70..93),
                20..55 => rng.random_range(50..70),
                _ => rng.random_range(22..50),
            };
            let birth = NaiveDate::from_ymd_opt(
                today.year() - age,
                rng.random_range(1..=12),
                rng.random_range(1..=28),
            )
            .expect("valid demo date");
            let gender = if rng.random_range(0..100) < 70 { Gender::Male } else { Gender::Female };
            let mut categories = MemberCategories::NONE;
            if age >= 70 {
                categories |= MemberCategories::ELDERLY;
                if rng.random_range(0..100) < 60 {
                    categories |= MemberCategories::NO_SMARTPHONE;
                }
            }
            if rng.random_range(0..100) < 6 {
                categories |= MemberCategories::HARDSHIP;
            }
            if age < 50 && rng.random_range(0..100) < 15 {
                categories |= MemberCategories::MOBILE;
            }
            let phone = loop {
                let prefix = ["138", "139", "151", "152", "157", "177", "181", "189"][rng.random_range(0..8)];
                let candidate = format!("{prefix}{:08}", rng.random_range(0..100_000_000));
                if phones.insert(candidate.clone()) {
                    break candidate;
                }
            };
            let id_card = (rng.random_range(0..100) < 90).then(|| demo_id_card(birth, gender, &mut id_cards));
            let joined_age = rng.random_range(19..40).min(age - 1);
            MemberFields {
                unit_id: unit.id,
                name,
                gender: Some(gender),
                birth_date: Some(birth),
                phone: Some(phone),
                id_card,
                joined_party_on: NaiveDate::from_ymd_opt(
                    birth.year() + joined_age,
                    rng.random_range(1..=12),
                    1,
                ),
                categories,
                status: MemberStatus::Active,
                address: Some(demo_address(&unit.name, i)),
            }
        })
        .collect()
}

/// A plausible 住址 in the member's village (「和凤村3组12号」; the hub's staff live in 石湫街道),
/// from the member's index alone, so the random draws of everything else stay as they were.
fn demo_address(branch: &str, i: usize) -> String {
    let place = ["党支部", "第一", "第二", "第三", "老年", "街道机关"]
        .iter()
        .fold(branch.to_owned(), |name, part| name.replace(part, ""));
    let place = if place.is_empty() { "石湫街道".to_owned() } else { place };
    format!("{place}{}组{}号", i % 12 + 1, (i * 7) % 58 + 1)
}

/// A valid (GB 11643 checksum) but invented ID number from 溧水区 (320117), unique among `taken`.
fn demo_id_card(birth: NaiveDate, gender: Gender, taken: &mut HashSet<String>) -> String {
    // The 17th digit's parity is the sex; step by two to keep it while finding a free number.
    let mut sequence = if gender == Gender::Male { 1 } else { 0 };
    loop {
        let body = format!("320117{}{:03}", birth.format("%Y%m%d"), sequence);
        let check = crate::people::id_card::compute_check_char(&body).expect("17 digits");
        let card = format!("{body}{check}");
        if taken.insert(card.clone()) {
            return card;
        }
        sequence += 2;
    }
}

async fn seed_accounts(
    tx: &mut Tx,
    hash: &str,
    root: &Unit,
    hub_branch: &Unit,
    stations: &[Unit],
    (member, member_id): (&MemberFields, i64),
) -> anyhow::Result<()> {
    // (phone, name, role, unit, member), in the order they always had.
    let mut accounts = vec![(
        "13900000001".to_owned(),
        "街道管理员（演示）".to_owned(),
        Role::CommitteeAdmin,
        root.id,
        None,
    )];
    for (i, station) in stations.iter().enumerate() {
        let name = format!("{}书记（演示）", station.name);
        accounts.push((format!("139000001{i:02}"), name, Role::StationAdmin, station.id, None));
    }
    // Each station has a volunteer of its own, so its secretary can send someone door to door.
    for (i, station) in stations.iter().enumerate() {
        let name = format!("{}志愿者（演示）", station.name);
        accounts.push((format!("139000005{i:02}"), name, Role::Volunteer, station.id, None));
    }
    for i in 0..4 {
        let lecturer = format!("宣讲员{}（演示）", i + 1);
        accounts.push((format!("139000002{i:02}"), lecturer, Role::Lecturer, hub_branch.id, None));
        let volunteer = format!("志愿者{}（演示）", i + 1);
        accounts.push((format!("139000003{i:02}"), volunteer, Role::Volunteer, hub_branch.id, None));
    }
    accounts.push((
        DEMO_MEMBER_PHONE.into(),
        member.name.clone(),
        Role::Member,
        member.unit_id,
        Some(member_id),
    ));
    for (phone, name, role, unit_id, member_id) in accounts {
        let user = NewUser {
            phone: &phone,
            name: &name,
            password_hash: hash,
            role,
            unit_id,
            member_id,
            must_change_password: false,
        };
        account_store::insert(tx, &user).await?;
    }
    Ok(())
}

/// The demo logins, for the log.
pub fn logins_text() -> String {
    format!(
        "演示账号（密码均为 {DEMO_PASSWORD}）：\n  街道管理员 13900000001\n  村社管理员 13900000100（蟹塘社区）… 13900000113\n  宣讲员 13900000200  志愿者 13900000300（各村社志愿者 13900000500…13900000513）\n  党员 {DEMO_MEMBER_PHONE}"
    )
}
