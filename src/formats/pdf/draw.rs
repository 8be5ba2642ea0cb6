//! Drawing primitives over krilla: shaped text that can be measured before it is placed,
//! ruled lines and filled boxes.

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, LineCap, Stroke};
use krilla::surface::Surface;
use krilla::text::{GlyphId, KrillaGlyph};

use super::font::FontSource;

/// Text weight. The sheet embeds one regular face; "bold" is the regular outline filled and
/// stroked with a hairline, which reads as bold on paper without embedding a second ~20 MB font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Shapes text with one font; measuring and drawing use the same glyphs, so centred text is
/// centred exactly.
pub(crate) struct Shaper<'f> {
    face: rustybuzz::Face<'f>,
    font: &'f FontSource,
}

impl<'f> Shaper<'f> {
    /// `None` only if the font's bytes no longer parse, which [`FontSource`] already checked.
    pub(crate) fn new(font: &'f FontSource) -> Option<Self> {
        let face = rustybuzz::Face::from_slice(font.data(), font.index())?;
        Some(Self { face, font })
    }

    /// Glyphs for one line of text, advances in ems (krilla scales them by the font size).
    pub(crate) fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        // The sheet only holds horizontal Chinese and Latin text.
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.face, &[], buffer);
        let upem = self.face.units_per_em() as f32;
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        infos
            .iter()
            .zip(positions)
            .enumerate()
            .map(|(i, (info, pos))| {
                // A glyph's text range runs to the start of the next cluster; krilla writes it
                // into the PDF so copy-paste and pdftotext recover the original characters.
                let start = info.cluster as usize;
                let end = infos[i + 1..]
                    .iter()
                    .map(|next| next.cluster as usize)
                    .find(|&c| c != start)
                    .unwrap_or(text.len());
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    pos.x_advance as f32 / upem,
                    pos.x_offset as f32 / upem,
                    pos.y_offset as f32 / upem,
                    pos.y_advance as f32 / upem,
                    start..end,
                    None,
                )
            })
            .collect()
    }

    /// Advance width of `text` at `size` points.
    pub(crate) fn measure(&self, text: &str, size: f32) -> f32 {
        self.shape(text).iter().map(|g| g.x_advance).sum::<f32>() * size
    }

    /// Draws `text` with its left end of the baseline at (`x`, `baseline`).
    pub(crate) fn draw(
        &self,
        surface: &mut Surface<'_>,
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        let glyphs = self.shape(text);
        surface.set_fill(Some(Fill::default()));
        surface.set_stroke(match weight {
            Weight::Regular => None,
            Weight::Bold => Some(Stroke { width: size * 0.035, ..Stroke::default() }),
        });
        surface.draw_glyphs(
            Point::from_xy(x, baseline),
            &glyphs,
            self.font.krilla_font().clone(),
            text,
            size,
            false,
        );
        surface.set_stroke(None);
    }

    /// Draws `text` centred on `centre_x`.
    pub(crate) fn draw_centred(
        &self,
        surface: &mut Surface<'_>,
        centre_x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        text: &str,
    ) {
        let width = self.measure(text, size);
        self.draw(surface, centre_x - width / 2.0, baseline, size, weight, text);
    }
}

/// Strokes straight line segments `(x1, y1, x2, y2)` in black at `width` points.
pub(crate) fn rule(surface: &mut Surface<'_>, width: f32, segments: &[(f32, f32, f32, f32)]) {
    let mut builder = PathBuilder::new();
    for &(x1, y1, x2, y2) in segments {
        builder.move_to(x1, y1);
        builder.line_to(x2, y2);
    }
    let Some(path) = builder.finish() else {
        return;
    };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        width,
        // Square caps close the corners where a horizontal and a vertical rule meet.
        line_cap: LineCap::Square,
        ..Stroke::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

/// Fills a rectangle with a grey of the given lightness (0 black … 255 white).
pub(crate) fn shade(surface: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, lightness: u8) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut builder = PathBuilder::new();
    builder.push_rect(rect);
    let Some(path) = builder.finish() else {
        return;
    };
    surface.set_stroke(None);
    surface.set_fill(Some(Fill {
        paint: luma::Color::new(lightness).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
    surface.draw_path(&path);
}
