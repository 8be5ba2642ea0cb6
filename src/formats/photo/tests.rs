//! Tests with images made in memory.

use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, Rgba, RgbaImage};

use super::*;

const TEN_MB: usize = 10 * 1024 * 1024;

/// A smooth gradient: compresses well, and any resize artefact would show as a wrong pixel.
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128]))
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95).encode_image(image).unwrap();
    out
}

/// A JPEG with an EXIF APP1 segment right after the start-of-image marker, holding one IFD
/// entry: Orientation (tag 0x0112, SHORT) = `orientation`, plus a GPS IFD pointer (tag 0x8825)
/// standing in for the location phones record.
fn jpeg_with_exif(image: &RgbImage, orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0"); // little-endian TIFF header
    tiff.extend_from_slice(&8u32.to_le_bytes()); // first IFD right after the header
    tiff.extend_from_slice(&2u16.to_le_bytes()); // two entries
    for (tag, kind, value) in [(0x0112u16, 3u16, u32::from(orientation)), (0x8825, 4, 0)] {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes()); // count
        tiff.extend_from_slice(&value.to_le_bytes()); // SHORT is left-aligned in the 4 bytes
    }
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD

    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let plain = jpeg(image);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// Left half red, right half blue: after a rotation it is clear which way it turned.
fn red_left_blue_right(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([220, 0, 0]) } else { Rgb([0, 0, 220]) })
}

fn decode(jpeg: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap().into_rgb8()
}

fn is_reddish(p: &Rgb<u8>) -> bool {
    p.0[0] > 150 && p.0[2] < 80
}

fn is_bluish(p: &Rgb<u8>) -> bool {
    p.0[2] > 150 && p.0[0] < 80
}

/// CRC-32 (IEEE), to build PNG chunks whose checksums the decoder accepts.
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

#[test]
fn a_large_png_becomes_a_1600_px_jpeg() {
    let photo = reencode_photo(&png(&gradient(3000, 2000)), TEN_MB).unwrap();
    assert_eq!(photo.width, 1600);
    assert!((1066..=1067).contains(&photo.height), "{}", photo.height);
    assert!(photo.jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
    let decoded = decode(&photo.jpeg);
    assert_eq!(decoded.dimensions(), (photo.width, photo.height));
    // The gradient survived: left edge dark red channel, right edge bright.
    assert!(decoded.get_pixel(2, 500).0[0] < 20);
    assert!(decoded.get_pixel(1597, 500).0[0] > 235);
}

#[test]
fn a_photo_twice_the_limit_takes_the_fast_path_to_1600_px() {
    // Like a 12 MP phone photo (4000 × 3000) but smaller, to keep debug-build tests quick.
    let photo = reencode_photo(&jpeg(&gradient(3200, 600)), TEN_MB).unwrap();
    assert_eq!((photo.width, photo.height), (1600, 300));
    let decoded = decode(&photo.jpeg);
    // Still a smooth gradient: the box filter averaged, it did not drop pixels into noise.
    let row: Vec<u8> = (0..1600).step_by(100).map(|x| decoded.get_pixel(x, 150).0[0]).collect();
    assert!(row.windows(2).all(|w| w[1] >= w[0]), "{row:?}");
}

#[test]
fn a_portrait_photo_is_limited_by_its_height() {
    let photo = reencode_photo(&jpeg(&gradient(850, 1700)), TEN_MB).unwrap();
    assert_eq!((photo.width, photo.height), (800, 1600));
}

#[test]
fn a_small_photo_is_not_enlarged() {
    let photo = reencode_photo(&png(&gradient(640, 480)), TEN_MB).unwrap();
    assert_eq!((photo.width, photo.height), (640, 480));
}

#[test]
fn exif_orientation_turns_the_photo_upright() {
    // Orientation 6: the camera was held so the picture must be turned 90° clockwise. The
    // stored left (red) edge becomes the top.
    let bytes = jpeg_with_exif(&red_left_blue_right(80, 40), 6);
    let photo = reencode_photo(&bytes, TEN_MB).unwrap();
    assert_eq!((photo.width, photo.height), (40, 80));
    let upright = decode(&photo.jpeg);
    assert!(is_reddish(upright.get_pixel(20, 10)), "{:?}", upright.get_pixel(20, 10));
    assert!(is_bluish(upright.get_pixel(20, 70)), "{:?}", upright.get_pixel(20, 70));
}

#[test]
fn exif_orientation_8_turns_the_other_way() {
    let bytes = jpeg_with_exif(&red_left_blue_right(80, 40), 8);
    let upright = decode(&reencode_photo(&bytes, TEN_MB).unwrap().jpeg);
    assert_eq!(upright.dimensions(), (40, 80));
    assert!(is_bluish(upright.get_pixel(20, 10)));
    assert!(is_reddish(upright.get_pixel(20, 70)));
}

#[test]
fn a_photo_without_exif_keeps_its_orientation() {
    let bytes = jpeg(&red_left_blue_right(80, 40));
    let upright = decode(&reencode_photo(&bytes, TEN_MB).unwrap().jpeg);
    assert_eq!(upright.dimensions(), (80, 40));
    assert!(is_reddish(upright.get_pixel(10, 20)));
}

#[test]
fn metadata_including_gps_is_stripped() {
    let bytes = jpeg_with_exif(&red_left_blue_right(80, 40), 1);
    assert!(bytes.windows(6).any(|w| w == b"Exif\0\0"));
    let photo = reencode_photo(&bytes, TEN_MB).unwrap();
    assert!(!photo.jpeg.windows(4).any(|w| w == b"Exif"));
    // No APP1 (EXIF/XMP) segment at all.
    assert!(!photo.jpeg.windows(2).any(|w| w == [0xFF, 0xE1]));
}

#[test]
fn webp_is_accepted() {
    let image = gradient(300, 200);
    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp).encode(image.as_raw(), 300, 200, ExtendedColorType::Rgb8).unwrap();
    let photo = reencode_photo(&webp, TEN_MB).unwrap();
    assert_eq!((photo.width, photo.height), (300, 200));
}

#[test]
fn transparency_becomes_white() {
    let image =
        RgbaImage::from_fn(20, 20, |x, _| if x < 10 { Rgba([0, 0, 0, 0]) } else { Rgba([0, 0, 200, 255]) });
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes).write_image(image.as_raw(), 20, 20, ExtendedColorType::Rgba8).unwrap();
    let out = decode(&reencode_photo(&bytes, TEN_MB).unwrap().jpeg);
    assert!(out.get_pixel(2, 10).0.iter().all(|&c| c > 240), "{:?}", out.get_pixel(2, 10));
    assert!(is_bluish(out.get_pixel(17, 10)));
}

#[test]
fn garbage_is_not_an_image() {
    let err = reencode_photo(b"this is not a picture at all", TEN_MB).unwrap_err();
    assert_eq!(err, PhotoError::UnknownFormat);
    assert!(err.to_string().starts_with("图片格式无法识别"));
}

#[test]
fn other_image_formats_are_refused() {
    // A GIF header: recognisable, but not a format phones send photos in.
    let err = reencode_photo(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", TEN_MB).unwrap_err();
    assert_eq!(err, PhotoError::UnknownFormat);
}

#[test]
fn nothing_uploaded() {
    assert_eq!(reencode_photo(b"", TEN_MB).unwrap_err(), PhotoError::Empty);
}

#[test]
fn oversized_input_is_refused_before_decoding() {
    let bytes = png(&gradient(300, 200));
    let err = reencode_photo(&bytes, bytes.len() - 1).unwrap_err();
    assert_eq!(err, PhotoError::TooLarge { max_bytes: bytes.len() - 1 });
    let err = reencode_photo(&vec![0u8; TEN_MB + 1], TEN_MB).unwrap_err();
    assert_eq!(err.to_string(), "图片太大：不能超过10 MB");
    // Exactly at the limit is allowed (and here fails later, on the format).
    assert_eq!(reencode_photo(&[0u8; 16], 16).unwrap_err(), PhotoError::UnknownFormat);
}

#[test]
fn limits_are_shown_in_megabytes() {
    assert_eq!(megabytes(20 * 1024 * 1024), "20");
    assert_eq!(megabytes(1536 * 1024), "1.5");
    assert_eq!(megabytes(512 * 1024), "0.5");
}

#[test]
fn heic_is_refused_with_advice() {
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0; 64]);
    let err = reencode_photo(&heic, TEN_MB).unwrap_err();
    assert_eq!(err, PhotoError::Heic);
    assert_eq!(err.to_string(), "暂不支持 HEIC 格式，请在手机设置中改为“兼容性最佳”或截图后上传");
    heic[8..12].copy_from_slice(b"mif1");
    assert_eq!(reencode_photo(&heic, TEN_MB).unwrap_err(), PhotoError::Heic);
}

#[test]
fn a_truncated_png_is_corrupt() {
    let bytes = png(&gradient(300, 200));
    let err = reencode_photo(&bytes[..bytes.len() / 2], TEN_MB).unwrap_err();
    assert_eq!(err, PhotoError::Corrupt);
    assert!(err.to_string().starts_with("图片已损坏"));
}

#[test]
fn a_jpeg_with_nothing_after_its_header_is_corrupt() {
    let err = reencode_photo(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00], TEN_MB).unwrap_err();
    assert_eq!(err, PhotoError::Corrupt);
}

#[test]
fn a_png_bomb_is_refused_from_its_header() {
    // A real 1×1 PNG whose header is rewritten to claim 20000 × 20000 (400 MP), with a valid
    // checksum, so only the size check can stop it.
    let mut bytes = png(&gradient(1, 1));
    let ihdr = 8; // after the signature: length(4) "IHDR"(4) data(13) crc(4)
    assert_eq!(&bytes[ihdr + 4..ihdr + 8], b"IHDR");
    bytes[ihdr + 8..ihdr + 12].copy_from_slice(&20_000u32.to_be_bytes());
    bytes[ihdr + 12..ihdr + 16].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32(&bytes[ihdr + 4..ihdr + 21]);
    bytes[ihdr + 21..ihdr + 25].copy_from_slice(&crc.to_be_bytes());
    let err = reencode_photo(&bytes, TEN_MB).unwrap_err();
    assert_eq!(err, PhotoError::TooManyPixels);
    assert_eq!(err.to_string(), "图片尺寸太大：不能超过 4000 万像素");
}

#[test]
fn a_jpeg_bomb_is_refused_from_its_header() {
    // Rewrite the frame header (SOF0: FF C0, length, precision, height, width) to 60000².
    let mut bytes = jpeg(&gradient(16, 16));
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline JPEG");
    bytes[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    assert_eq!(reencode_photo(&bytes, TEN_MB).unwrap_err(), PhotoError::TooManyPixels);
}

#[test]
fn the_heif_check_needs_an_ftyp_box() {
    assert!(is_heif(b"\0\0\0\x18ftypheic\0\0\0\0"));
    assert!(!is_heif(b"\0\0\0\x18ftypavif\0\0\0\0"));
    assert!(!is_heif(b"\0\0\0\x18moovheic\0\0\0\0"));
    assert!(!is_heif(b"ftyp"));
}

#[test]
fn a_16_bit_png_whose_pixels_would_take_too_much_memory_is_refused_from_its_header() {
    // 6300 × 6300 is under 40 MP, but at 16 bits per RGB channel it is 238 MB once decoded:
    // the file that was once accepted at 327 MB. The header alone must stop it.
    let mut bytes = png(&gradient(1, 1));
    let ihdr = 8;
    bytes[ihdr + 8..ihdr + 12].copy_from_slice(&6_300u32.to_be_bytes());
    bytes[ihdr + 12..ihdr + 16].copy_from_slice(&6_300u32.to_be_bytes());
    bytes[ihdr + 16] = 16; // bit depth
    let crc = crc32(&bytes[ihdr + 4..ihdr + 21]);
    bytes[ihdr + 21..ihdr + 25].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(reencode_photo(&bytes, TEN_MB).unwrap_err(), PhotoError::TooManyPixels);
}

#[test]
fn an_over_long_side_is_refused_even_when_the_pixel_count_is_small() {
    let mut bytes = png(&gradient(1, 1));
    let ihdr = 8;
    bytes[ihdr + 8..ihdr + 12].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bytes[ihdr + 4..ihdr + 21]);
    bytes[ihdr + 21..ihdr + 25].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(reencode_photo(&bytes, TEN_MB).unwrap_err(), PhotoError::TooManyPixels);
}
