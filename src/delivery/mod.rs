//! Door-to-door study (送学上门, S15): for elderly and hardship members who cannot attend, a
//! lecturer or volunteer brings chosen materials and books home and studies one-on-one.
//!
//! The committee keeps the materials catalogue; admins create tasks from the coverage page's
//! uncovered list; the assignee records the visit from a phone. A recorded visit is private to
//! the member, the assignee and staff in scope: it is no training session (no calendar, nobody
//! else's upcoming list), and triggers add it to the member's progress; what it counts for is the
//! campaign's `VisitCredit` (by default, a visit delivering the compulsory topics completes).

mod pages;
pub mod store;
pub mod visit;

use axum::Router;
use axum::routing::{get, post};

use crate::coded_enum;
use crate::db::Db;
use crate::state::AppState;

/// Door-to-door pages: tasks, the visit form, the photo, the materials catalogue.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deliveries", get(pages::list))
        .route("/deliveries/materials", get(pages::materials).post(pages::add_material))
        .route("/deliveries/materials/{id}/active", post(pages::set_material_active))
        .route("/deliveries/photo-input.js", get(pages::photo_input_script))
        .route("/deliveries/{id}", get(pages::detail))
        .route("/deliveries/{id}/phone", post(pages::reveal_phone))
        .route("/deliveries/{id}/visit", post(pages::record_visit))
        .route("/deliveries/{id}/photo", get(pages::photo))
}

/// An assignee as "name（role）". Demo and imported names often carry a bracketed note already
/// ("志愿者1（演示）"); the role joins that note instead of opening a second pair of brackets.
pub fn assignee_label(name: &str, role_label: &str) -> String {
    let name = name.trim();
    if role_label.is_empty() {
        return name.to_owned();
    }
    for close in ['）', ')'] {
        if let Some(inner) = name.strip_suffix(close) {
            return format!("{inner}，{role_label}{close}");
        }
    }
    format!("{name}（{role_label}）")
}

coded_enum! {
    /// What a catalogue entry is.
    MaterialKind {
        /// 书籍.
        Book = ("book", "书籍"),
        /// 学习资料 (booklets, printed study packs).
        Booklet = ("booklet", "学习资料"),
        /// 宣传单.
        Leaflet = ("leaflet", "宣传单"),
        /// 音像资料 (a USB stick with party-lesson videos, …).
        Video = ("video", "音像资料"),
    }
}

coded_enum! {
    /// Who confirmed that the visit happened.
    Confirmer {
        /// 本人.
        Member = ("self", "本人"),
        /// 家属.
        Family = ("family", "家属"),
        /// 村社工作人员.
        Staff = ("staff", "村社工作人员"),
    }
}

coded_enum! {
    /// Where a door-to-door task stands.
    TaskStatus {
        /// Still to visit.
        Open = ("open", "待走访"),
        /// The visit is recorded.
        Done = ("done", "已完成"),
    }
}

/// Largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// Checks a visit photo and returns the bytes to store: the one place every visit photo passes
/// through on its way to `delivery_visits.photo`. `Err` is a Chinese reason for the form.
pub fn prepare_photo(bytes: &[u8]) -> Result<Vec<u8>, String> {
    // Decoded, turned upright, shrunk to 1600 px and re-encoded as JPEG: this also strips EXIF,
    // GPS position included, and refuses decompression bombs.
    crate::formats::photo::reencode_photo(bytes, MAX_PHOTO_BYTES)
        .map(|photo| photo.jpeg)
        .map_err(|e| e.to_string())
}

/// The MIME type of a stored photo, by its magic bytes.
pub fn photo_mime(bytes: &[u8]) -> Option<&'static str> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() > 3 && bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() > PNG.len() && bytes.starts_with(PNG) {
        Some("image/png")
    } else {
        None
    }
}

/// A few materials for a new deployment or the demo, the books with copies in stock; existing
/// names are left alone.
pub async fn seed_materials(db: &Db) -> Result<(), sqlx::Error> {
    let books = [
        ("《习近平谈治国理政》第三卷", "", "外文出版社", 30),
        ("《中国共产党简史》", "本书编写组", "人民出版社、中共党史出版社", 20),
    ];
    for (title, author, publisher, stock) in books {
        let book = crate::library::stock::NewBook {
            title,
            author,
            publisher,
            category: "图书",
            tags: "送学上门",
            stock,
            created_by: None,
        };
        let mut tx = db.begin().await?;
        if store::insert_book(&mut tx, &book).await?.is_some() {
            tx.commit().await?;
        }
    }
    let materials = [
        ("党的十九届五中全会精神学习辅导", MaterialKind::Booklet),
        ("冬训学习资料汇编", MaterialKind::Booklet),
        ("冬春季疫情防控宣传单", MaterialKind::Leaflet),
        ("党课视频U盘", MaterialKind::Video),
    ];
    for (name, kind) in materials {
        store::insert_material(db, name, kind).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_re_encoded_and_garbage_is_refused() {
        let mut png = Vec::new();
        image::RgbImage::from_pixel(40, 30, image::Rgb([200, 20, 20]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(photo_mime(&png), Some("image/png"));
        let jpeg = prepare_photo(&png).unwrap();
        assert_eq!(photo_mime(&jpeg), Some("image/jpeg"), "stored as JPEG");
        let err = prepare_photo(b"GIF89a......").unwrap_err();
        assert!(err.contains("JPG"), "{err}");
        let mut huge = jpeg.clone();
        huge.resize(MAX_PHOTO_BYTES + 1, 0);
        assert!(prepare_photo(&huge).unwrap_err().contains("5 MB"));
    }

    #[test]
    fn kinds_round_trip() {
        for &k in MaterialKind::ALL {
            assert_eq!(MaterialKind::from_code(k.code()), Some(k));
        }
        for &c in Confirmer::ALL {
            assert_eq!(Confirmer::from_code(c.code()), Some(c));
        }
        assert_eq!(Confirmer::Member.code(), "self", "the stored code, not the variant's name");
    }

    #[test]
    fn assignee_labels_have_one_pair_of_brackets() {
        assert_eq!(assignee_label("张三", "志愿者"), "张三（志愿者）");
        assert_eq!(assignee_label("志愿者1（演示）", "志愿者"), "志愿者1（演示，志愿者）");
        assert_eq!(assignee_label("李四(退休) ", "宣讲员"), "李四(退休，宣讲员)");
        assert_eq!(assignee_label("王五", ""), "王五");
    }
}
