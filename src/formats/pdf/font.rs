//! Finding and loading a font that can draw Simplified Chinese.
//!
//! PDFs must embed their fonts, and no font ships inside the binary (a CJK font is ~20 MB), so
//! the server looks for one on the machine once at start-up and keeps it in memory.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustybuzz::ttf_parser;

/// Where system packages put CJK fonts, best first.
///
/// Noto Sans CJK (Debian/Ubuntu `fonts-noto-cjk`, Fedora, Arch, Alpine) is preferred because it
/// is what the layout was tuned with; the WenQuanYi and Droid fonts are older fallbacks that
/// still draw every common hanzi. Collections (`.ttc`) hold several faces: the face is picked by
/// [`FontSource::load`], which prefers the Simplified Chinese one (index 2 in Noto's collection).
const SYSTEM_FONT_PATHS: &[&str] = &[
    // Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    // Arch: noto-fonts-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJKsc-Regular.otf",
    // Fedora, RHEL: google-noto-sans-cjk-fonts
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJKsc-Regular.otf",
    // Alpine: font-noto-cjk
    "/usr/share/fonts/noto/NotoSansCJK-Regular.ttc",
    // openSUSE and others shipping the per-language OTF files
    "/usr/share/fonts/truetype/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/OTF/NotoSansCJKsc-Regular.otf",
    // WenQuanYi (Debian fonts-wqy-microhei / fonts-wqy-zenhei, Fedora wqy-*-fonts)
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    // Debian fonts-droid-fallback
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    // Windows (Microsoft YaHei, SimHei) and macOS, for developers running the binary there
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
];

/// Characters a font must have to be accepted: everything the sheet's own labels use, so that a
/// Latin-only font given by mistake is refused at start-up rather than printing empty boxes.
const REQUIRED_CHARS: &str = "签到表序号姓名所在单位备注第页";

/// Why no usable Chinese font could be had. Every message tells the operator what to do.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// Nothing was configured and none of the usual system paths holds a font.
    #[error(
        "未找到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）或用 --font 指定字体文件"
    )]
    NotFound,
    /// The font file exists (or was configured) but could not be read.
    #[error("无法读取字体文件 {}：{source}", path.display())]
    Unreadable {
        /// The file that was tried.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file was read but is not a font, or lacks Chinese characters.
    #[error(
        "字体文件 {} 不能用于中文：{reason}；请安装 fonts-noto-cjk 或用 --font 指定其他中文字体",
        path.display()
    )]
    Unusable {
        /// The file that was tried.
        path: PathBuf,
        /// Why it was refused (Chinese).
        reason: String,
    },
}

/// A loaded font face that can draw Simplified Chinese, ready to embed in PDFs.
///
/// Load it once (it reads and hashes a file of ~20 MB) and share it: cloning is cheap.
#[derive(Clone)]
pub struct FontSource {
    path: PathBuf,
    index: u32,
    family: String,
    data: Arc<Vec<u8>>,
    font: krilla::text::Font,
}

impl fmt::Debug for FontSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The font bytes are megabytes of noise in a log line; show where they came from.
        f.debug_struct("FontSource")
            .field("path", &self.path)
            .field("index", &self.index)
            .field("family", &self.family)
            .finish_non_exhaustive()
    }
}

impl FontSource {
    /// Reads a font file (`.ttf`, `.otf` or collection `.ttc`/`.otc`) and picks its Simplified
    /// Chinese face: in a collection, the first face whose family name marks it as SC/CN
    /// (e.g. "Noto Sans CJK SC", index 2 in Noto's collection), else the first face that has
    /// the sheet's characters.
    pub fn load(path: &Path) -> Result<Self, FontError> {
        let data = std::fs::read(path)
            .map_err(|source| FontError::Unreadable { path: path.to_path_buf(), source })?;
        Self::from_bytes(path, data)
    }

    /// Like [`FontSource::load`], for bytes already in memory; `path` is only remembered for
    /// messages and [`FontSource::path`].
    pub fn from_bytes(path: &Path, data: Vec<u8>) -> Result<Self, FontError> {
        let unusable =
            |reason: &str| FontError::Unusable { path: path.to_path_buf(), reason: reason.to_owned() };
        let (index, family) = pick_face(&data).map_err(unusable)?;
        let data = Arc::new(data);
        let font = krilla::text::Font::new(data.clone().into(), index)
            .ok_or_else(|| unusable("字体文件无法解析"))?;
        Ok(Self { path: path.to_path_buf(), index, family, data, font })
    }

    /// The file the font was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The face's index inside a collection (0 for a single-face file).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The face's family name as the font states it, e.g. "Noto Sans CJK SC".
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The raw file bytes (the whole collection, not just the chosen face).
    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    /// The face as krilla needs it for drawing.
    pub(crate) fn krilla_font(&self) -> &krilla::text::Font {
        &self.font
    }
}

/// Finds a Chinese font: the configured file if one is given, else the first usable one among
/// the usual system paths.
///
/// A configured file that cannot be used is an error rather than a silent fall-back, so a typo
/// in `--font` is noticed at start-up instead of printing in some other font.
pub fn find_cjk_font(configured: Option<&Path>) -> Result<FontSource, FontError> {
    let system: Vec<&Path> = SYSTEM_FONT_PATHS.iter().map(Path::new).collect();
    find_in(configured, &system)
}

/// [`find_cjk_font`], read once per process (the file is ~20 MB) and shared by every PDF after
/// it: sign-in sheets and certificates alike. The first caller's `configured` path decides; the
/// server passes the same `--font` every time. The error is its Chinese message.
pub fn shared_cjk_font(configured: Option<&Path>) -> Result<FontSource, String> {
    static FONT: std::sync::OnceLock<Result<FontSource, String>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| find_cjk_font(configured).map_err(|e| e.to_string())).clone()
}

/// [`find_cjk_font`] over an explicit candidate list, so tests can point it at temp files.
fn find_in(configured: Option<&Path>, candidates: &[&Path]) -> Result<FontSource, FontError> {
    if let Some(path) = configured {
        return FontSource::load(path);
    }
    for path in candidates {
        // A missing file is the common case; an unreadable or unsuitable one is skipped too,
        // because the operator did not choose it and a later candidate may well work.
        if path.is_file()
            && let Ok(font) = FontSource::load(path)
        {
            return Ok(font);
        }
    }
    Err(FontError::NotFound)
}

/// Chooses the face to use in a font file; returns its index and family name.
fn pick_face(data: &[u8]) -> Result<(u32, String), &'static str> {
    let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    let mut best: Option<(u8, u32, String)> = None;
    let mut parsed_any = false;
    for index in 0..count {
        let Ok(face) = ttf_parser::Face::parse(data, index) else {
            continue;
        };
        parsed_any = true;
        let covers = REQUIRED_CHARS.chars().all(|c| face.glyph_index(c).is_some());
        if !covers {
            continue;
        }
        let family = family_name(&face).unwrap_or_default();
        let score = if names_simplified_chinese(&family) { 2 } else { 1 };
        // Strictly greater: among equals the lowest index wins (the regular, proportional face
        // comes before the monospaced one in Noto's and WenQuanYi's collections).
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, index, family));
        }
    }
    match best {
        Some((_, index, family)) => Ok((index, family)),
        None if parsed_any => Err("字体中没有中文字符"),
        None => Err("不是字体文件"),
    }
}

/// The typographic family name if present (it groups weights), else the legacy family name.
fn family_name(face: &ttf_parser::Face<'_>) -> Option<String> {
    [ttf_parser::name_id::TYPOGRAPHIC_FAMILY, ttf_parser::name_id::FAMILY].into_iter().find_map(|id| {
        face.names().into_iter().filter(|name| name.name_id == id).find_map(|name| name.to_string())
    })
}

/// Whether a family name marks a Simplified Chinese face ("Noto Sans CJK SC", "… CN", "… GB").
fn names_simplified_chinese(family: &str) -> bool {
    family.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| matches!(word, "SC" | "CN" | "GB" | "Hans"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN_NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

    #[test]
    fn not_found_message_names_the_package_and_the_flag() {
        let err = find_in(None, &[Path::new("/nonexistent/font.ttc")]).unwrap_err();
        assert!(matches!(err, FontError::NotFound));
        assert_eq!(
            err.to_string(),
            "未找到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）或用 --font 指定字体文件"
        );
    }

    #[test]
    fn a_missing_configured_file_is_an_error_not_a_fallback() {
        let missing = Path::new("/nonexistent/字体.ttc");
        let err = find_in(Some(missing), &[Path::new(DEBIAN_NOTO)]).unwrap_err();
        assert!(matches!(err, FontError::Unreadable { .. }), "{err:?}");
        assert!(err.to_string().contains("/nonexistent/字体.ttc"));
    }

    #[test]
    fn garbage_is_not_a_font() {
        let err = FontSource::from_bytes(Path::new("x.ttf"), b"not a font".to_vec()).unwrap_err();
        assert!(err.to_string().contains("不是字体文件"), "{err}");
    }

    #[test]
    fn a_latin_only_font_is_refused() {
        let path = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        // A missing file fails the test rather than passing it unchecked.
        let data = std::fs::read(path).unwrap_or_else(|e| {
            panic!("{}: {e}; apt-get install fonts-dejavu-core (scripts/test does it)", path.display())
        });
        let err = FontSource::from_bytes(path, data).unwrap_err();
        assert!(err.to_string().contains("没有中文字符"), "{err}");
    }

    #[test]
    fn unusable_candidates_are_skipped() {
        let dir = std::env::temp_dir().join(format!("dongxun-font-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.ttf");
        std::fs::write(&junk, b"junk").unwrap();
        let found = find_in(None, &[junk.as_path(), Path::new(DEBIAN_NOTO)]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.expect("fonts-noto-cjk is installed").path(), Path::new(DEBIAN_NOTO));
    }

    #[test]
    fn the_system_font_is_noto_simplified_chinese() {
        // The project's test script installs fonts-noto-cjk, so this is expected to be found.
        let font = find_cjk_font(None).expect("install fonts-noto-cjk");
        assert_eq!(font.path(), Path::new(DEBIAN_NOTO));
        assert_eq!(font.index(), 2, "index 2 of Noto's collection is SC");
        assert_eq!(font.family(), "Noto Sans CJK SC");
        assert!(format!("{font:?}").contains("Noto Sans CJK SC"));
    }

    #[test]
    fn simplified_chinese_names() {
        assert!(names_simplified_chinese("Noto Sans CJK SC"));
        assert!(names_simplified_chinese("Source Han Sans CN"));
        assert!(!names_simplified_chinese("Noto Sans CJK JP"));
        assert!(!names_simplified_chinese("DejaVu Sans"));
        assert!(!names_simplified_chinese("DESCRIPTION"));
    }

    #[test]
    fn font_source_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<FontSource>();
    }
}
