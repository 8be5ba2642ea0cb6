//! Visit photos are decoded only for an otherwise valid visit, and a photo whose pixels would
//! take too much memory is refused in Chinese with nothing stored (issue 8, item 6).

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use reqwest::StatusCode;

use super::setup;
use super::visits::{counts, post_visit, visit_form};
use crate::helpers::*;

/// CRC-32 (IEEE) for the PNG header chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A 300-byte PNG whose header claims 6300 × 6300 at 16 bits per channel: 238 MB once decoded.
fn sixteen_bit_bomb() -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes).write_image(&[200, 100, 50], 1, 1, ExtendedColorType::Rgb8).unwrap();
    let ihdr = 8;
    bytes[ihdr + 8..ihdr + 12].copy_from_slice(&6_300u32.to_be_bytes());
    bytes[ihdr + 12..ihdr + 16].copy_from_slice(&6_300u32.to_be_bytes());
    bytes[ihdr + 16] = 16;
    let crc = crc32(&bytes[ihdr + 4..ihdr + 21]);
    bytes[ihdr + 21..ihdr + 25].copy_from_slice(&crc.to_be_bytes());
    bytes
}

#[tokio::test]
async fn a_photo_too_big_to_decode_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let client = app.logged_in(VOLUNTEER).await;
    let r = post_visit(&app, &client, s.task, visit_form(Some(sixteen_bit_bomb()), &[])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("照片：图片尺寸太大：不能超过 4000 万像素"), "{html}");
    // What was typed is kept; only the photo must be chosen again.
    assert!(html.contains("感谢组织还记得我们老党员"));
    assert_eq!(counts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn a_form_with_errors_is_refused_without_decoding_its_photo() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let client = app.logged_in(VOLUNTEER).await;
    // Were the photo decoded, its problem would be listed too.
    let form = visit_form(Some(b"this is not a photo".to_vec()), &[("content", "")]);
    let r = post_visit(&app, &client, s.task, form).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("学习内容：请填写宣讲学习了什么"), "{html}");
    assert!(!html.contains("图片格式无法识别"), "the photo was decoded before the form was checked");
    assert_eq!(counts(&app).await, (0, 0, 0));
    // Once the form is right, the photo's own problem is reported.
    let r = post_visit(&app, &client, s.task, visit_form(Some(b"this is not a photo".to_vec()), &[])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("照片：图片格式无法识别"));
    assert_eq!(counts(&app).await, (0, 0, 0));
}
