//! The demo's library and classroom: a handful of articles and links in categories, a 本周学习
//! list pushed to the first station (the demo member's) due at the end of the week, and a short
//! 党课视频 series of three tiny generated recordings (20 s VP9/Opus WebM, ~130 KB each, made with
//! `ffmpeg -f lavfi -i testsrc2 …`) with a poster, written into the media directory.

use std::path::Path;

use chrono::Duration;

use crate::classroom::{media, series};
use crate::db::Db;
use crate::library::model::{ItemKind, sanitize};
use crate::library::store::{self, NewItem};
use crate::org::store::Unit;

const ARTICLES: [(&str, &str, &str, &str); 5] = [
    (
        "中国共产党章程·总纲（节选）",
        "党章党规",
        "党章,总纲",
        "<p>中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队，是中国特色社会主义事业的领导核心。</p><p>党的最高理想和最终目标是实现共产主义。</p><p>中国共产党以马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、习近平新时代中国特色社会主义思想作为自己的行动指南。</p>",
    ),
    (
        "党员的八项义务",
        "党章党规",
        "党章,党员义务",
        "<p>党员必须履行下列义务：</p><ol><li>认真学习马克思列宁主义、毛泽东思想……</li><li>贯彻执行党的基本路线和各项方针、政策……</li><li>坚持党和人民的利益高于一切……</li><li>自觉遵守党的纪律……</li><li>维护党的团结和统一……</li><li>切实开展批评和自我批评……</li><li>密切联系群众……</li><li>发扬社会主义新风尚……</li></ol>",
    ),
    (
        "乡村振兴：产业兴旺是重点",
        "乡村振兴",
        "乡村振兴,产业",
        "<p>产业兴旺是解决农村一切问题的前提。要因地制宜发展特色种养、农产品加工和乡村旅游，让农民更多分享产业增值收益。</p><p>村集体经济要在规范管理中壮大，党员要带头致富、带领群众共同致富。</p>",
    ),
    (
        "冬季农技：大棚蔬菜防寒要点",
        "农技知识",
        "农技,大棚",
        "<p>寒潮来临前加固棚膜，夜间加盖草帘保温；晴天中午适当通风排湿，防止病害发生。</p><p>雪后及时清除棚面积雪，防止压塌。</p>",
    ),
    (
        "红色故事：一封入党申请书",
        "党史故事",
        "党史,故事",
        "<p>1949年春，一位年轻的农民在油灯下写下入党申请书：“我愿意为人民的事业贡献一切。”</p><p>七十多年过去了，这份初心依然温暖着一代又一代共产党员。</p>",
    ),
];

/// The articles, a link, and the 本周学习 list for the first station.
pub async fn seed(db: &Db, stations: &[Unit], today: chrono::NaiveDate) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    for (title, category, tags, body) in ARTICLES {
        let body = sanitize(body);
        let item = NewItem {
            kind: ItemKind::Article,
            title,
            category,
            tags,
            body: &body,
            url: "",
            min_seconds: 30,
            created_by: None,
            file_name: "",
            size_bytes: 0,
        };
        ids.push(store::insert(&mut tx, &item).await?);
    }
    let link = NewItem {
        kind: ItemKind::Link,
        title: "共产党员网：党章全文",
        category: "党章党规",
        tags: "党章",
        body: "",
        url: "https://www.12371.cn/special/zggcdzc/",
        min_seconds: 60,
        created_by: None,
        file_name: "",
        size_bytes: 0,
    };
    store::insert(&mut tx, &link).await?;
    if let Some(first) = stations.first() {
        let due = today + Duration::days(6);
        store::insert_list(&mut tx, ("本周学习", first.id, due), &ids[..3], None).await?;
    }
    tx.commit().await?;
    Ok(())
}

const EPISODES: [(&str, &[u8]); 3] = [
    ("书记讲党课：学习党章 坚定信念", include_bytes!("media/dangke-1.webm")),
    ("乡村振兴中的党员担当", include_bytes!("media/dangke-2.webm")),
    ("红色家风代代传", include_bytes!("media/dangke-3.webm")),
];

/// The 党课视频 series, its files written into `media_dir`.
pub async fn seed_series(db: &Db, media_dir: &Path) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(media_dir).await?;
    let poster = media::save_poster(media_dir, include_bytes!("media/poster.jpg")).await?;
    let mut tx = db.begin().await?;
    let Some(series_id) =
        series::insert_series(&mut tx, "党课视频", "街道党校精选党课，每集几分钟，按顺序学习").await?
    else {
        return Ok(());
    };
    for (title, bytes) in EPISODES {
        let name = media::random_name("webm");
        tokio::fs::write(media_dir.join(&name), bytes).await?;
        let episode = series::NewEpisode {
            series_id,
            title,
            file_name: &name,
            mime: "video/webm",
            size_bytes: bytes.len() as i64,
            poster_name: &poster,
        };
        series::insert_episode(&mut tx, &episode).await?;
    }
    tx.commit().await?;
    Ok(())
}
