//! Photos uploaded from phones (door-to-door visits, activities): checked, turned upright,
//! shrunk and re-encoded as JPEG before anything is stored.

#[cfg(test)]
mod tests;

use std::io::Cursor;
use std::time::Duration;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};

use super::gate::DecodeGate;

/// Photo decodes running at once, process-wide: the machine's two cores are busy with two anyway.
pub const MAX_CONCURRENT_DECODES: usize = 2;
/// How long an upload waits for a decoding slot before it is answered "busy".
pub const BUSY_WAIT: Duration = Duration::from_secs(10);
/// The bound every photo upload passes.
pub static PHOTO_DECODES: DecodeGate = DecodeGate::new(MAX_CONCURRENT_DECODES, BUSY_WAIT);

/// The longest side of a stored photo. 1600 px is sharp on any phone screen and in a printed
/// article, at a few hundred kilobytes.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality of stored photos: no visible loss at `MAX_SIDE`, a third of the size of 95.
pub const JPEG_QUALITY: u8 = 80;
/// Largest picture decoded, in pixels. Phone cameras reach ~50 MP only in special modes;
/// a small file claiming more is a decompression bomb.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Largest decoded picture, in bytes, checked from the header: 40 MP of 8-bit RGB (a phone
/// photo) fits; the same pixels at 16 bits per channel or with alpha do not. With
/// [`MAX_CONCURRENT_DECODES`] decodes at once this keeps photos within about 300 MB.
pub const MAX_DECODED_BYTES: u64 = 128 * 1024 * 1024;
/// Most memory the decoder may allocate, in bytes: the picture plus the decoder's own buffers.
pub const MAX_DECODER_ALLOC: u64 = MAX_DECODED_BYTES + 16 * 1024 * 1024;
/// Longest side decoded, in pixels: no camera comes near it, and a longer one is a bomb.
pub const MAX_INPUT_SIDE: u32 = 16_384;

/// A photo ready to store: an upright JPEG of at most [`MAX_SIDE`] px on its longest side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The encoded JPEG, without any metadata.
    pub jpeg: Vec<u8>,
    /// Width in pixels, after rotation.
    pub width: u32,
    /// Height in pixels, after rotation.
    pub height: u32,
}

/// Why an uploaded photo was refused. Messages are shown to the uploader as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Nothing was uploaded.
    #[error("没有收到图片，请重新选择照片")]
    Empty,
    /// More bytes than allowed.
    #[error("图片太大：不能超过{} MB", megabytes(*.max_bytes))]
    TooLarge {
        /// The limit that was passed in.
        max_bytes: usize,
    },
    /// HEIC/HEIF, the iPhone default, which no practical pure-Rust decoder reads.
    #[error("暂不支持 HEIC 格式，请在手机设置中改为“兼容性最佳”或截图后上传")]
    Heic,
    /// Not JPEG, PNG or WebP.
    #[error("图片格式无法识别，请上传 JPG、PNG 或 WebP 照片")]
    UnknownFormat,
    /// More pixels than [`MAX_PIXELS`], or more memory than [`MAX_DECODED_BYTES`].
    #[error("图片尺寸太大：不能超过 4000 万像素")]
    TooManyPixels,
    /// The file is truncated or damaged.
    #[error("图片已损坏，请重新拍摄或选择其他照片")]
    Corrupt,
    /// Encoding the JPEG failed (should not happen with an in-memory buffer).
    #[error("图片处理失败，请稍后再试")]
    Encode,
}

/// Accepts an uploaded photo and returns it ready to store.
///
/// Refuses more than `max_bytes_in` bytes, formats other than JPEG, PNG and WebP (HEIC with
/// advice on how to send a JPEG instead), and pictures over [`MAX_PIXELS`]. Applies the EXIF
/// orientation so photos taken with the phone sideways come out upright, scales the longest
/// side down to [`MAX_SIDE`] (never up), flattens transparency onto white, and encodes a JPEG
/// at quality [`JPEG_QUALITY`].
///
/// The output carries **no metadata**: EXIF, including the GPS position phones record and the
/// camera's serial number, is dropped, so a stored visit photo does not reveal where a member
/// lives beyond what the picture shows.
///
/// CPU-bound: about 0.35 s for a 12 MP phone photo on one core of a small server (release
/// build), so call it from `tokio::task::spawn_blocking`, not on the async runtime.
pub fn reencode_photo(bytes: &[u8], max_bytes_in: usize) -> Result<Photo, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > max_bytes_in {
        return Err(PhotoError::TooLarge { max_bytes: max_bytes_in });
    }
    if is_heif(bytes) {
        return Err(PhotoError::Heic);
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(PhotoError::UnknownFormat),
    };
    let (image, orientation) = decode(bytes, format)?;
    // Turned after shrinking: rotating the full-size picture would copy it. Fitting into a
    // square box and turning commute, so the result is the same.
    let mut image = shrink(image);
    image.apply_orientation(orientation);
    let rgb = flatten_on_white(image);
    let mut jpeg = Vec::with_capacity(256 * 1024);
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Encode)?;
    Ok(Photo { jpeg, width: rgb.width(), height: rgb.height() })
}

/// Decodes within the limits; returns the picture and the orientation recorded in its EXIF.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<(DynamicImage, Orientation), PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(from_image_error)?;
    // Checked from the header, before any pixel memory is allocated: the pixel count and
    // the bytes they take (16-bit channels take twice as many).
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooManyPixels);
    }
    // A broken EXIF block should not cost the member their photo: treat it as upright.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;
    Ok((image, orientation))
}

/// Scales the longest side down to [`MAX_SIDE`], keeping the aspect ratio.
fn shrink(image: DynamicImage) -> DynamicImage {
    let longest = image.width().max(image.height());
    if longest <= MAX_SIDE {
        return image;
    }
    if longest >= 2 * MAX_SIDE {
        // A phone's 12 MP photo: `thumbnail` averages whole blocks of source pixels (a box
        // filter), which is alias-free at reductions of 2× and more and twice as fast as a
        // convolution: ~0.1 s instead of ~0.25 s for 4000×3000 on this class of server.
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        // Close to the target size a box filter would alias; Triangle (bilinear widened to the
        // scale factor) does not.
        image.resize(MAX_SIDE, MAX_SIDE, FilterType::Triangle)
    }
}

/// RGB pixels for the JPEG encoder; transparent areas (PNG screenshots, stickers) become white
/// rather than the black a plain channel drop would give.
fn flatten_on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u32::from(c), u32::from(a));
            // Rounded integer form of c·α + 255·(1 − α); the result is at most 255.
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn from_image_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        ImageError::Unsupported(_) => PhotoError::UnknownFormat,
        // Decoding errors and I/O errors (an in-memory read ends early only when the data is
        // truncated) both mean a damaged file.
        _ => PhotoError::Corrupt,
    }
}

/// Whether the bytes are an ISO-BMFF HEIF/HEIC image (the iPhone's "高效" format): an `ftyp`
/// box whose major brand is one of the HEIF image brands.
fn is_heif(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 10] =
        [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"];
    bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && BRANDS.iter().any(|b| &bytes[8..12] == *b)
}

/// A byte limit in megabytes (MiB, as upload limits are set) for messages: whole numbers
/// without decimals, otherwise one decimal.
fn megabytes(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        (bytes / MIB).to_string()
    } else {
        // Display only: precision loss in the conversion is irrelevant.
        format!("{:.1}", bytes as f64 / MIB as f64)
    }
}
