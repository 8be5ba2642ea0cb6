//! Text clean-up for values typed by people into spreadsheets and forms.
//!
//! Chinese input methods make full-width characters, ideographic spaces and
//! invisible characters easy to type by accident; every value we store or
//! compare goes through [`normalize_text`] first so that "１３８" and "138"
//! are the same thing.

/// Cleans up a typed value: full-width ASCII (U+FF01..U+FF5E) becomes
/// half-width, the ideographic space U+3000 and NBSP become a plain space,
/// zero-width characters are removed, the result is trimmed and inner runs
/// of whitespace collapse to one space.
pub fn normalize_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    // Whitespace is only written once a following visible character shows
    // up, which both collapses runs and trims the end for free.
    let mut pending_space = false;
    for ch in input.chars() {
        let Some(ch) = fold_char(ch) else { continue };
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(ch);
    }
    out
}

/// Cleans up a person's name: [`normalize_text`], then removes every space
/// that sits next to a Chinese character ("张 三" → "张三", "王 小 明" →
/// "王小明") and unifies the many middle dots used in transliterated names
/// ("阿依古丽•买买提" → "阿依古丽·买买提"). Spaces between Latin words stay.
pub fn normalize_name(input: &str) -> String {
    let text = normalize_text(input);
    let chars: Vec<char> = text.chars().map(unify_middle_dot).collect();
    let mut out = String::with_capacity(text.len());
    for (i, &ch) in chars.iter().enumerate() {
        if ch == ' ' {
            // normalize_text leaves only single spaces between visible
            // characters, so both neighbours exist.
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            if before.is_some_and(|&c| is_name_glyph(c)) || after.is_some_and(|&c| is_name_glyph(c)) {
                continue;
            }
        }
        out.push(ch);
    }
    out
}

/// True for CJK ideographs (including the extension blocks and 〇).
pub fn is_cjk(ch: char) -> bool {
    matches!(ch as u32,
        0x3007
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2EBEF
        | 0x30000..=0x3134F)
}

/// Maps one character to its canonical form, or `None` to drop it.
fn fold_char(ch: char) -> Option<char> {
    match ch {
        // Zero-width space/joiners, word joiner and a stray BOM are invisible
        // but break equality and digit parsing.
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        '\u{3000}' | '\u{00A0}' => Some(' '),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0),
        _ => Some(ch),
    }
}

fn unify_middle_dot(ch: char) -> char {
    match ch {
        '\u{2022}' | '\u{2027}' | '\u{30FB}' | '\u{FF65}' | '\u{2219}' | '\u{22C5}' => '\u{00B7}',
        _ => ch,
    }
}

fn is_name_glyph(ch: char) -> bool {
    is_cjk(ch) || ch == '\u{00B7}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_ascii_becomes_half_width() {
        assert_eq!(normalize_text("１３８１２３４５６７８"), "13812345678");
        assert_eq!(normalize_text("ＡＢｃ－（必填）"), "ABc-(必填)");
        assert_eq!(normalize_text("３２０１１７ｘ"), "320117x");
    }

    #[test]
    fn whitespace_is_trimmed_and_collapsed() {
        assert_eq!(normalize_text("  a \t\n b  "), "a b");
        assert_eq!(normalize_text("\u{3000}蟹塘\u{3000}\u{3000}社区 "), "蟹塘 社区");
        assert_eq!(normalize_text("a\u{00A0}\u{00A0}b"), "a b");
        assert_eq!(normalize_text("   "), "");
        assert_eq!(normalize_text(""), "");
    }

    #[test]
    fn invisible_characters_are_removed() {
        assert_eq!(normalize_text("\u{FEFF}138\u{200B}1234\u{200D}"), "1381234");
        assert_eq!(normalize_text("\u{200B} \u{200B}"), "");
    }

    #[test]
    fn chinese_punctuation_is_left_alone() {
        // Only the full-width ASCII block is folded; 、 and 。 are not in it.
        assert_eq!(normalize_text("老党员、困难党员。"), "老党员、困难党员。");
    }

    #[test]
    fn name_spaces_between_chinese_characters_are_removed() {
        assert_eq!(normalize_name("张 三"), "张三");
        assert_eq!(normalize_name(" 王\u{3000}小  明 "), "王小明");
        assert_eq!(normalize_name("张 San"), "张San");
        assert_eq!(normalize_name("Li  Ming"), "Li Ming");
    }

    #[test]
    fn name_middle_dots_are_unified() {
        assert_eq!(normalize_name("阿依古丽•买买提"), "阿依古丽·买买提");
        assert_eq!(normalize_name("阿依古丽 ・ 买买提"), "阿依古丽·买买提");
        assert_eq!(normalize_name("阿依古丽･买买提"), "阿依古丽·买买提");
    }

    #[test]
    fn cjk_detection() {
        assert!(is_cjk('张'));
        assert!(is_cjk('〇'));
        assert!(is_cjk('\u{20000}'));
        assert!(!is_cjk('a'));
        assert!(!is_cjk('、'));
    }
}
