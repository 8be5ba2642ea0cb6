//! The demo's village brands: both brands of the hub and every station, each with a slogan, a
//! story and a photo or two — small pictures drawn here (a coloured banner per village), encoded
//! as JPEG, so the brand pages and the index have something to show. 蟹塘社区's are the founding
//! document's “莲心”服务 and “莲说”宣讲.

use image::{Rgb, RgbImage};

use crate::brands::model::{Brand, Profile};
use crate::brands::store;
use crate::db::Db;
use crate::org::store::Unit;

/// Per station, in the demo's order: (service brand, its slogan, training brand, its slogan).
const BRANDS: [(&str, &str, &str, &str); 14] = [
    ("“莲心”服务", "莲心向党，服务为民", "“莲说”宣讲", "莲说百姓事，讲好党的话"),
    ("九塘巧手", "巧手传情，温暖邻里", "塘边课堂", "家门口的党课"),
    ("塘窦红帆", "红帆领航，志愿同行", "口袋冬训", "装进口袋的学习课堂"),
    ("晓园志愿", "晓园有爱，服务到家", "晓园云冬训", "云上学习不停步"),
    ("三星暖心", "三星闪耀，暖心相伴", "星火冬训", "星星之火，照亮田间"),
    ("横山红韵", "红韵横山，志愿先行", "红色冬训", "重温初心，赓续血脉"),
    ("社东新苗", "新苗成长，志愿护航", "欣苗冬训", "红色故事伴成长"),
    ("青禾互助", "青禾互助，邻里一家", "禾下讲堂", "田埂上的宣讲"),
    ("云溪邻里", "云溪有你，邻里无忧", "溪畔夜校", "夜校灯火为党员亮"),
    ("竹岭清风", "清风竹岭，廉洁为民", "竹林微课", "十分钟学一点"),
    ("梅岗义工", "梅香义工，寒冬送暖", "梅岗论坛", "对标找差，比学赶超"),
    ("枫林夕阳红", "老有所为，夕阳更红", "枫林书屋", "书香润初心"),
    ("荷塘月色", "荷塘月色，清廉为民", "荷韵宣讲", "一池荷香话发展"),
    ("松涧守望", "守望相助，松涧长青", "松涧讲习所", "讲习一堂课，致富一条路"),
];

/// A small banner picture: a band of the village's colour over a lighter ground, with a disc.
fn picture(seed: usize, variant: u32) -> Vec<u8> {
    let hue = [[200u8, 22, 29], [31, 122, 58], [179, 92, 0], [40, 90, 160], [130, 50, 140]][seed % 5];
    let (w, h) = (320u32, 200u32);
    let centre = (80 + variant * 140, 90);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as i64 - centre.0 as i64, y as i64 - centre.1 as i64);
        if dx * dx + dy * dy < 40 * 40 {
            Rgb([250, 210, 60])
        } else if y > 140 {
            Rgb(hue)
        } else {
            let t = (y * 60 / h) as u8;
            Rgb([255 - t, 245 - t, 235 - t / 2])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).expect("encode a demo picture");
    out.into_inner()
}

/// Both brands of the hub and every station, with photos.
pub async fn seed(db: &Db, hub: &Unit, stations: &[Unit]) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let hub_profile = Profile {
        service_brand: "石湫志愿".into(),
        service_slogan: "书记带头第一课，志愿队伍齐宣讲，广大党员共传播".into(),
        service_story: "以石湫街道新时代文明实践所为主阵地，各村社新时代文明实践站为大舞台。".into(),
        training_brand: "冬训大补汤".into(),
        training_slogan: "一村一品牌，一站一特色".into(),
        training_story: "“冬训+”把学习和服务连在一起：春联义写、走访慰问、农技实境宣讲……".into(),
    };
    store::save_profile(&mut tx, hub.id, &hub_profile).await?;
    store::insert_photo(&mut tx, hub.id, Brand::Service, &picture(0, 0), None).await?;
    for (i, (station, (service, service_slogan, training, training_slogan))) in
        stations.iter().zip(BRANDS).enumerate()
    {
        let profile = Profile {
            service_brand: service.into(),
            service_slogan: service_slogan.into(),
            service_story: format!(
                "{}的党员志愿者组成“{}”服务队，冬训期间开展春联义写、走访慰问、防疫宣传入户，把学习成果变成为群众办的实事。",
                station.name,
                service.trim_matches(['“', '”'])
            ),
            training_brand: training.into(),
            training_slogan: training_slogan.into(),
            training_story: format!(
                "“{}”由书记带头讲第一课，理论宣讲志愿者、农技专家走进田间地头和党员家中，让冬训学得进、用得上。",
                training.trim_matches(['“', '”'])
            ),
        };
        store::save_profile(&mut tx, station.id, &profile).await?;
        store::insert_photo(&mut tx, station.id, Brand::Service, &picture(i, 0), None).await?;
        if i % 2 == 0 {
            store::insert_photo(&mut tx, station.id, Brand::Training, &picture(i + 1, 1), None).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
