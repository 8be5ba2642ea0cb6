//! Certificates (奖状): one A4 landscape page per awardee, in the sign-in sheet's font and
//! shaping ([`Shaper`]), so a unit's certificates print as one file.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;

use super::draw::{Shaper, Weight};
use super::fit::{fit_text, one_line};
use super::layout::MM;
use super::{FontSource, PdfError};

/// What one certificate says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificate {
    /// The member's name.
    pub name: String,
    /// Their unit (the station the award is for).
    pub unit: String,
    /// The month, as read: "2026年11月".
    pub month: String,
    /// Why they are awarded.
    pub reason: String,
    /// Who awards it: "石湫街道党工委".
    pub issuer: String,
    /// The date it is issued: "2026年12月1日".
    pub date: String,
    /// What it is for, when not a monthly award: replaces the month's sentence and the reason
    /// ("　　在“…演讲比赛”中……荣获一等奖。").
    pub citation: Option<String>,
}

/// The most certificates one file holds (a unit has a handful a month).
pub const MAX_CERTIFICATES: usize = 500;

const PAGE_W: f32 = 297.0 * MM;
const PAGE_H: f32 = 210.0 * MM;
const TEXT_LEFT: f32 = 34.0 * MM;
const TEXT_RIGHT: f32 = PAGE_W - 34.0 * MM;
const BODY_SIZE: f32 = 19.0;
const BODY_LINE_H: f32 = BODY_SIZE * 1.7;
/// Characters a line must not start with.
const NO_LINE_START: &str = "·、，。：；！？）》」』…,.;:!?)";
/// Party red, for the frame.
const FRAME_RED: (u8, u8, u8) = (190, 22, 34);

/// Renders `certificates` as one PDF, a landscape A4 page each, in the order given.
pub fn certificates_pdf(certificates: &[Certificate], font: &FontSource) -> Result<Vec<u8>, PdfError> {
    if certificates.len() > MAX_CERTIFICATES {
        return Err(PdfError::TooManyCertificates { max: MAX_CERTIFICATES });
    }
    let shaper = Shaper::new(font).ok_or_else(|| PdfError::Render("字体无法解析".into()))?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title("奖状".into()).language("zh-CN".into()).creator("dongxun".into()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Render("页面尺寸无效".into()))?;
    for certificate in certificates {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        draw_certificate(&mut surface, &shaper, certificate);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Render(e.to_string()))
}

fn draw_certificate(surface: &mut Surface<'_>, shaper: &Shaper<'_>, c: &Certificate) {
    frame(surface, 9.0 * MM, 2.4);
    frame(surface, 12.5 * MM, 0.8);
    shaper.draw_centred(surface, PAGE_W / 2.0, 48.0 * MM, 46.0, Weight::Bold, "奖　状");

    let width = TEXT_RIGHT - TEXT_LEFT;
    let name = format!("{}　同志：", one_line(&c.name));
    let fitted = fit_text(&name, width, 24.0, 14.0, |t, s| shaper.measure(t, s));
    shaper.draw(surface, TEXT_LEFT, 80.0 * MM, fitted.size, Weight::Bold, &fitted.text);

    let paragraphs = match &c.citation {
        Some(citation) => vec![format!("　　{}", one_line(citation)), "　　特发此状，以资鼓励。".to_owned()],
        None => vec![
            format!(
                "　　在{}的冬训学习中表现突出，被评为{}月度学习之星。",
                one_line(&c.month),
                one_line(&c.unit)
            ),
            format!("　　评选理由：{}", sentence(&one_line(&c.reason))),
            "　　特发此状，以资鼓励。".to_owned(),
        ],
    };
    let mut lines: Vec<String> = Vec::new();
    for paragraph in &paragraphs {
        lines.extend(wrap(paragraph, width, |t| shaper.measure(t, BODY_SIZE)));
    }
    // Five lines fit above the signature; a longer reason is cut, never drawn over it.
    let lines = fit_lines(lines, 5);
    let mut baseline = 98.0 * MM;
    for line in &lines {
        shaper.draw(surface, TEXT_LEFT, baseline, BODY_SIZE, Weight::Regular, line);
        baseline += BODY_LINE_H;
    }

    let issuer = one_line(&c.issuer);
    let date = one_line(&c.date);
    let right = TEXT_RIGHT;
    let issuer_w = shaper.measure(&issuer, 20.0);
    let date_w = shaper.measure(&date, 18.0);
    let block = issuer_w.max(date_w);
    let centre = right - block / 2.0;
    shaper.draw_centred(surface, centre, PAGE_H - 42.0 * MM, 20.0, Weight::Bold, &issuer);
    shaper.draw_centred(surface, centre, PAGE_H - 31.0 * MM, 18.0, Weight::Regular, &date);
}

/// `text` ending in a full stop (「。」 added unless it ends in punctuation already).
fn sentence(text: &str) -> String {
    match text.chars().last() {
        Some(c) if "。！？.!?".contains(c) => text.to_owned(),
        Some(_) => format!("{text}。"),
        None => String::new(),
    }
}

/// Strokes a red rectangle `inset` from the page edge.
fn frame(surface: &mut Surface<'_>, inset: f32, width: f32) {
    let Some(rect) = Rect::from_xywh(inset, inset, PAGE_W - 2.0 * inset, PAGE_H - 2.0 * inset) else {
        return;
    };
    let mut builder = PathBuilder::new();
    builder.push_rect(rect);
    let Some(path) = builder.finish() else {
        return;
    };
    let (r, g, b) = FRAME_RED;
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke { paint: rgb::Color::new(r, g, b).into(), width, ..Stroke::default() }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

/// Breaks `text` into lines no wider than `width` (`measure` gives a string's width), between
/// any two characters (Chinese has no spaces to wait for).
fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for ch in text.chars() {
        line.push(ch);
        if measure(&line) > width && line.chars().count() > 1 {
            line.pop();
            // 禁则: a line does not start with closing punctuation; the character before it
            // goes down with it.
            let carried =
                if NO_LINE_START.contains(ch) && line.chars().count() > 1 { line.pop() } else { None };
            lines.push(std::mem::take(&mut line));
            line.extend(carried);
            line.push(ch);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// At most `max` lines; when cut, the last kept line ends with "…" (the closing paragraph kept).
fn fit_lines(mut lines: Vec<String>, max: usize) -> Vec<String> {
    if lines.len() <= max {
        return lines;
    }
    let last = lines.pop().expect("more than max lines");
    lines.truncate(max - 1);
    if let Some(cut) = lines.last_mut() {
        cut.pop();
        cut.push('…');
    }
    lines.push(last);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monospace(text: &str) -> f32 {
        text.chars().count() as f32
    }

    #[test]
    fn wraps_between_any_two_characters() {
        assert_eq!(wrap("一二三四五六七", 3.0, monospace), vec!["一二三", "四五六", "七"]);
        assert_eq!(wrap("", 3.0, monospace), Vec::<String>::new());
        assert_eq!(wrap("一二三。五", 3.0, monospace), vec!["一二", "三。五"], "no line starts with 。");
    }

    #[test]
    fn too_many_lines_keep_the_closing_one() {
        let lines: Vec<String> = (1..=7).map(|i| format!("行{i}")).collect();
        assert_eq!(fit_lines(lines, 4), vec!["行1", "行2", "行…", "行7"]);
    }
}
