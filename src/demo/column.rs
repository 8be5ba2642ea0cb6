//! The demo's 冬训专栏: the founding document (imported as any Hexo post is) and eleven short
//! articles written for the demo by the hub and the stations, all published over the last weeks,
//! with the outlets that carried them (微溧水, 学习强国, 新华网, …).

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use crate::column::import::{fields_of, read_file};
use crate::column::model::{ArticleInput, ArticleStatus};
use crate::column::store::{self as column, NewArticle, Syndication};
use crate::db::Db;
use crate::org::store::Unit;

/// The founding document, a Hexo post of 2021.
pub const FOUNDING: &str = include_str!("column_founding.md");

/// (title, categories, station index or none for the hub, body paragraphs).
const ARTICLES: [(&str, &str, Option<usize>, &str); 11] = [
    (
        "书记开讲第一课：冬训开班聚人心",
        "工作动态",
        None,
        "街道党工委书记为全体党员讲授冬训第一课，围绕高质量发展谈认识、讲方法。\n\n各村社同步收看，党员们纷纷表示要把学习成果转化为干事创业的动力。",
    ),
    (
        "口袋冬训：党员手机上的学习课堂",
        "特色品牌",
        Some(2),
        "塘窦村社区把冬训课程做成一张张“口袋卡片”，党员扫码就能听、随时能学。\n\n社区还在微信群里每天推送一题，答对的党员获得积分。",
    ),
    (
        "志愿者送学上门，老党员不掉队",
        "送学上门",
        Some(0),
        "蟹塘社区志愿者带着《习近平谈治国理政》（第三卷）走进高龄党员家中，一对一读原文、讲要点。\n\n“你们送来的不只是书，更是组织的关心。”82岁的老党员说。",
    ),
    (
        "晓园云冬训：直播课堂不停学",
        "云课堂",
        Some(3),
        "桑园蒲村开设“晓园云冬训”直播课，外出务工党员在线参学、留言交流。\n\n直播回放同步上传，错过的党员可以补学。",
    ),
    (
        "星火冬训进田头，农技专家话春耕",
        "宣讲活动",
        Some(4),
        "三星村邀请农技专家到田间地头开展实境宣讲，讲解春耕备耕技术要点。\n\n党员示范户现场分享种植经验，带动农户增收。",
    ),
    (
        "红色冬训：横山村重温入党誓词",
        "宣讲活动",
        Some(5),
        "横山村组织党员走进红色教育基地，重温入党誓词、聆听革命故事。\n\n年轻党员表示要赓续红色血脉，在乡村振兴中当先锋。",
    ),
    (
        "欣苗冬训：红色故事伴成长",
        "新时代文明实践",
        Some(6),
        "社东社区志愿者为未成年人讲述红色故事，丰富寒假生活。\n\n孩子们用画笔描绘心中的英雄，作品在文明实践站展出。",
    ),
    (
        "九塘村手工灯笼迎新春",
        "新时代文明实践",
        Some(1),
        "九塘村组织村民利用废旧红包制作小灯笼，既环保又喜庆。\n\n活动把冬训与“我们的节日”结合起来，拉近了党群距离。",
    ),
    (
        "冬训知识竞赛激发学习热情",
        "工作动态",
        None,
        "街道举办冬训知识竞赛，14支村社代表队同台竞技。\n\n竞赛题目涵盖党章党规、党史和乡村振兴政策，现场气氛热烈。",
    ),
    (
        "每月评优：学习积分排名揭晓",
        "工作动态",
        None,
        "街道公布上月学习积分排名，对学习积极的党员进行表彰。\n\n评优结果在各村社公示栏和专栏同步发布。",
    ),
    (
        "对标找差交流会：擦亮党建品牌",
        "特色品牌",
        None,
        "街道组织各村社党组织书记开展对标找差交流，学习先进经验。\n\n大家围绕冬训品牌建设谈做法、找差距、定措施。",
    ),
];

/// Outlets that carried demo articles, in turn.
const OUTLETS: [&str; 5] = ["微溧水", "学习强国", "新华网", "南京日报", "微石湫"];

/// Stores the demo column: every article published, dated one every two days back from `today`.
pub async fn seed(db: &Db, stations: &[Unit], today: NaiveDate) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let founding = read_file("000_founding.md", FOUNDING.as_bytes());
    if let Some(Ok((key, post))) = founding.posts.first() {
        let fields = fields_of(post);
        let new = NewArticle {
            fields: &fields,
            comments: post.comments,
            status: ArticleStatus::Published,
            dated_at: post.date.unwrap_or_else(Utc::now),
            unit_id: None,
            created_by: None,
            source_key: Some(key),
        };
        if let Some(id) = column::insert(&mut tx, &new).await? {
            for (outlet, url) in
                [("微溧水", "https://example.com/weilishui/2021-03-02"), ("学习强国", ""), ("新华网", "")]
            {
                let day = NaiveDate::from_ymd_opt(2021, 3, 3).unwrap_or(today);
                let entry = Syndication { outlet: outlet.into(), url: url.into(), carried_on: day };
                column::add_syndication(&mut tx, id, &entry, None).await?;
            }
        }
    }
    let noon = today.and_hms_opt(4, 0, 0).map(|t| Utc.from_utc_datetime(&t)).unwrap_or_else(Utc::now);
    for (i, (title, category, station, body)) in ARTICLES.iter().enumerate() {
        let station = station.and_then(|s| stations.get(s));
        let input = ArticleInput {
            title: (*title).into(),
            author: station.map_or("石湫街道党工委", |s| s.name.as_str()).into(),
            categories: (*category).into(),
            body: (*body).into(),
            ..Default::default()
        };
        let fields = input.check().map_err(|p| anyhow::anyhow!("demo article {title}: {p:?}"))?;
        let dated_at = noon - Duration::days(2 * (ARTICLES.len() - i) as i64);
        let new = NewArticle {
            fields: &fields,
            comments: false,
            status: ArticleStatus::Published,
            dated_at,
            unit_id: station.map(|s| s.id),
            created_by: None,
            source_key: None,
        };
        let Some(id) = column::insert(&mut tx, &new).await? else { continue };
        for k in 0..(i % 3) {
            let outlet = OUTLETS[(i + k) % OUTLETS.len()];
            let carried_on = dated_at.date_naive() + Duration::days(1 + k as i64);
            let entry = Syndication { outlet: outlet.into(), url: String::new(), carried_on };
            column::add_syndication(&mut tx, id, &entry, None).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
