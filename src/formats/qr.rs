//! QR codes as standalone SVG, for check-in links shown on a screen or printed on a poster.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code. The QR standard asks for four: phone cameras find the code
/// by its finder patterns, and those need a quiet border to stand out from the page.
pub const QUIET_ZONE: usize = 4;

/// Encodes `data` (usually a check-in URL) as a QR code and returns a standalone `<svg>`
/// element: black modules on a white background including the quiet zone, a `viewBox` in
/// module units, `width`/`height` of `module_px` pixels per module (at least 1), crisp edges
/// and no external references, so it can be inlined in a page or served as `image/svg+xml`.
///
/// Uses medium error correction (recovers ~15 % damage, enough for a creased printout). Data
/// too long for that falls back to low correction; data too long for any QR code (about 2.9 KB)
/// yields a same-shaped placeholder that says so in Chinese rather than failing a page.
pub fn qr_svg(data: &str, module_px: u32) -> String {
    let module_px = module_px.max(1);
    let code = QrCode::with_error_correction_level(data, EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(data, EcLevel::L));
    match code {
        Ok(code) => render(&code, module_px),
        Err(_) => too_long(module_px),
    }
}

fn render(code: &QrCode, module_px: u32) -> String {
    let width = code.width();
    let side = width + 2 * QUIET_ZONE;
    let px = side as u64 * u64::from(module_px);
    let colors = code.to_colors();
    let mut svg = String::with_capacity(64 + width * width * 4);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{px}" height="{px}" shape-rendering="crispEdges" role="img"><title>二维码</title><rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d=""##
    );
    // One sub-path per horizontal run of dark modules: far smaller than a <rect> per module,
    // and whole-unit coordinates keep edges sharp at any zoom.
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Light {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let _ = write!(svg, "M{} {}h{}v1h-{}z", start + QUIET_ZONE, y + QUIET_ZONE, x - start, x - start);
        }
    }
    svg.push_str(r#""/></svg>"#);
    svg
}

/// A white square the size of a version-10 code, with a short message, for data no QR code can
/// hold; the page around it keeps its layout.
fn too_long(module_px: u32) -> String {
    let side = 57 + 2 * QUIET_ZONE;
    let px = side as u64 * u64::from(module_px);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{px}" height="{px}" role="img"><title>内容过长，无法生成二维码</title><rect width="{side}" height="{side}" fill="#fff" stroke="#999" stroke-width="0.5"/><text x="{c}" y="{c}" font-size="5" text-anchor="middle" dominant-baseline="middle" font-family="Noto Sans CJK SC, sans-serif" fill="#666">内容过长，无法生成二维码</text></svg>"##,
        c = side as f64 / 2.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the SVG back into a grid of dark modules (`side` × `side`, quiet zone included)
    /// from its `viewBox` and path runs, so the decode test checks what a browser would draw.
    fn modules(svg: &str) -> (usize, Vec<bool>) {
        let view_box = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        let side: usize = view_box.split(' ').next().unwrap().parse().unwrap();
        let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut dark = vec![false; side * side];
        for run in d.split('z').filter(|r| !r.is_empty()) {
            // "M{x} {y}h{n}v1h-{n}"
            let rest = run.strip_prefix('M').unwrap();
            let (xy, rest) = rest.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let n: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            for i in x..x + n {
                dark[y * side + i] = true;
            }
        }
        (side, dark)
    }

    /// Rasterises the SVG at `scale` pixels per module and decodes it with rqrr.
    fn decode(svg: &str) -> (rqrr::MetaData, String) {
        let (side, dark) = modules(svg);
        let scale = 4;
        let px = side * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| {
            if dark[(y / scale) * side + x / scale] { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code expected");
        grids[0].decode().unwrap()
    }

    const URL: &str = "https://dongxun.example/checkin/2f9c0e7a?s=118";

    #[test]
    fn a_check_in_url_decodes_back() {
        let (meta, content) = decode(&qr_svg(URL, 8));
        assert_eq!(content, URL);
        // rqrr reports the raw format bits: 0 is medium (M), 1 low, 2 high, 3 quartile.
        assert_eq!(meta.ecc_level, 0, "medium error correction");
    }

    #[test]
    fn chinese_text_decodes_back() {
        let text = "石湫街道 2020–2021年度冬训 书记开讲第一课";
        assert_eq!(decode(&qr_svg(text, 4)).1, text);
    }

    #[test]
    fn the_svg_is_standalone_and_sized_by_module() {
        let svg = qr_svg(URL, 8);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        let (side, _) = modules(&svg);
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", side * 8)));
        assert!(svg.contains(&format!("height=\"{}\"", side * 8)));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert!(svg.contains("fill=\"#fff\"") && svg.contains("fill=\"#000\""));
        for external in ["href", "url(", "<image", "<script", "<style"] {
            assert!(!svg.contains(external), "{external}");
        }
        // Exactly one namespace URI, the SVG one; nothing is fetched.
        assert_eq!(svg.matches("http").count(), 1);
    }

    #[test]
    fn the_quiet_zone_is_four_light_modules() {
        let (side, dark) = modules(&qr_svg(URL, 1));
        for i in 0..side {
            for q in 0..QUIET_ZONE {
                assert!(!dark[q * side + i], "top row {q}");
                assert!(!dark[(side - 1 - q) * side + i], "bottom row {q}");
                assert!(!dark[i * side + q], "left column {q}");
                assert!(!dark[i * side + side - 1 - q], "right column {q}");
            }
        }
        // The top-left finder pattern starts right inside the quiet zone.
        assert!(dark[QUIET_ZONE * side + QUIET_ZONE]);
    }

    #[test]
    fn zero_pixel_modules_become_one() {
        let svg = qr_svg("x", 0);
        let (side, _) = modules(&svg);
        assert!(svg.contains(&format!("width=\"{side}\"")));
    }

    #[test]
    fn data_too_long_for_medium_falls_back_to_low() {
        // 2,400 bytes exceed version 40-M (2,331) but fit 40-L (2,953).
        let data = "a".repeat(2400);
        let (meta, content) = decode(&qr_svg(&data, 1));
        assert_eq!(content, data);
        assert_eq!(meta.ecc_level, 1, "low error correction");
    }

    #[test]
    fn data_too_long_for_any_code_gives_a_placeholder() {
        let svg = qr_svg(&"链接".repeat(2000), 4);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("内容过长，无法生成二维码"));
        assert!(svg.contains("width=\"260\""));
    }
}
