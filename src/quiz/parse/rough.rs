//! One rough question: a stem (options maybe inline, an attribution maybe inside) and an answer
//! written any usual way, understood into a [`Question`] or refused with the reason.

use crate::quiz::model::{
    LETTERS, MAX_OPTIONS, Question, QuestionKind, answer_letters, duplicate_key, judgement, tidy,
};

/// The words an attribution starts with.
const ATTRIBUTIONS: [&str; 6] = ["出题", "来源", "出处", "供题", "命题", "选自"];
/// The blank every stem writes.
pub const BLANK: &str = "（ ）";

fn fold(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' | '\u{a0}' => ' ',
        '【' => '[',
        '】' => ']',
        other => other,
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}'
}

fn closing(open: char) -> Option<char> {
    match fold(open) {
        '(' => Some(')'),
        '[' => Some(']'),
        _ => None,
    }
}

/// Removes attributions (【出题：…】, （来源：…）, a trailing 来源：…) and returns them as the source.
pub fn strip_source(text: &str) -> (String, String) {
    let chars: Vec<char> = text.chars().collect();
    let mut kept = String::new();
    let mut sources = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(close) = closing(chars[i]) {
            let inner: String = chars[i + 1..].iter().take_while(|c| fold(**c) != close).collect();
            let end = i + 1 + inner.chars().count();
            if end < chars.len() && attribution(&inner).is_some() {
                sources.push(attribution(&inner).unwrap_or_default());
                i = end + 1;
                continue;
            }
        }
        let rest: String = chars[i..].iter().collect();
        if let Some(source) = attribution(&rest).filter(|_| !kept.trim().is_empty()) {
            sources.push(source);
            break;
        }
        kept.push(chars[i]);
        i += 1;
    }
    (kept, sources.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("；"))
}

/// The attribution's text when `text` starts with 出题：… or 来源：….
fn attribution(text: &str) -> Option<String> {
    let word = ATTRIBUTIONS.iter().find(|w| text.starts_with(**w))?;
    let rest = text[word.len()..].trim_start_matches(['人', '者']);
    let rest = rest.strip_prefix('：').or_else(|| rest.strip_prefix(':'))?;
    Some(tidy(rest))
}

/// A stem's blanks — （ ）, (  ), runs of underscores, runs of spaces inside the text — as
/// [`BLANK`]; whether it had any.
pub fn normalise_blanks(stem: &str) -> (String, bool) {
    let chars: Vec<char> = stem.trim_matches(is_space).chars().collect();
    let mut out = String::new();
    let mut blanks = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if fold(c) == '(' {
            let spaces = chars[i + 1..].iter().take_while(|c| is_space(**c)).count();
            if chars.get(i + 1 + spaces).is_some_and(|c| fold(*c) == ')') {
                out.push_str(BLANK);
                blanks = true;
                i += spaces + 2;
                continue;
            }
        }
        let run = chars[i..].iter().take_while(|d| **d == c).count();
        if (c == '_' || c == '＿') && run >= 2 || is_space(c) && run >= 3 {
            let spaces_then_underscores =
                chars[i..].iter().take_while(|d| is_space(**d) || **d == '_').count();
            out.push_str(BLANK);
            blanks = true;
            i += spaces_then_underscores;
            continue;
        }
        out.push(c);
        i += 1;
    }
    (out, blanks)
}

/// Where an option marker for `letter` starts at `i` — `(A)` when `paren`, else A. A、 A: A)
/// (and full-width forms) — returns the index just after it.
fn marker_at(chars: &[char], i: usize, letter: char, paren: bool) -> Option<usize> {
    if paren {
        let at = |k: usize| chars.get(i + k).map(|c| fold(*c));
        return (at(0) == Some('(') && at(1) == Some(letter) && at(2) == Some(')')).then_some(i + 3);
    }
    let before = if i > 0 { fold(chars[i - 1]) } else { ' ' };
    if fold(chars[i]) != letter || before.is_ascii_alphanumeric() || before == '(' {
        return None;
    }
    let next = chars.get(i + 1).map(|c| fold(*c))?;
    matches!(next, '.' | '、' | ':' | ')' | '。').then_some(i + 2)
}

fn find_marker(chars: &[char], from: usize, letter: char, paren: bool) -> Option<(usize, usize)> {
    (from..chars.len()).find_map(|i| marker_at(chars, i, letter, paren).map(|end| (i, end)))
}

/// Splits options written inline (A. … B. …) off a stem; none unless at least A and B are found.
pub fn split_options(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    for paren in [false, true] {
        if let Some(split) = split_with(&chars, paren) {
            return split;
        }
    }
    (text.to_owned(), Vec::new())
}

fn split_with(chars: &[char], paren: bool) -> Option<(String, Vec<String>)> {
    let mut from = 0;
    while let Some((a_start, a_end)) = find_marker(chars, from, 'A', paren) {
        if find_marker(chars, a_end, 'B', paren).is_some() {
            let mut options = Vec::new();
            let mut start = a_end;
            for letter in &LETTERS[1..] {
                let Some((next_start, next_end)) = find_marker(chars, start, *letter, paren) else { break };
                options.push(chars[start..next_start].iter().collect::<String>());
                start = next_end;
            }
            options.push(chars[start..].iter().collect());
            let stem = chars[..a_start].iter().collect();
            return Some((stem, options.iter().map(|o| tidy(o)).collect()));
        }
        from = a_end;
    }
    None
}

/// The items of an answer written as a list (`['a', 'c']`, `["全心全意","为人民服务"]`).
fn list_items(answer: &str) -> Option<Vec<String>> {
    let inner = answer.trim().strip_prefix('[')?.strip_suffix(']')?;
    let quotes: &[char] = &['\'', '"', '‘', '’', '“', '”', ' '];
    let items: Vec<String> = inner
        .split([',', '，'])
        .map(|i| i.trim_matches(quotes).to_owned())
        .filter(|i| !i.is_empty())
        .collect();
    (!items.is_empty()).then_some(items)
}

/// The letter of the option whose text `text` is.
fn option_letter(options: &[String], text: &str) -> Option<char> {
    let key = duplicate_key(text);
    let found = options.iter().position(|o| !key.is_empty() && duplicate_key(o) == key)?;
    Some(LETTERS[found])
}

/// The letters `answer` names, as letters or as option texts (one, or several separated).
fn letters_of(options: &[String], answer: &str) -> Option<String> {
    if let Some(letters) = answer_letters(answer) {
        return Some(letters);
    }
    if let Some(letter) = option_letter(options, answer) {
        return Some(letter.to_string());
    }
    let parts: Vec<&str> =
        answer.split(['、', '，', ',', ';', '；', '|']).filter(|p| !p.trim().is_empty()).collect();
    let letters: Option<String> = parts.iter().map(|p| option_letter(options, p)).collect();
    letters.filter(|l| l.len() > 1).and_then(|l| answer_letters(&l))
}

/// Understands a stem and its answer. `options` are the options given apart (else looked for
/// inline in the stem).
pub fn understand(stem: &str, answer: &str, options: &[String]) -> Result<Question, String> {
    let (stem, source) = strip_source(stem);
    let (answer, answer_source) = strip_source(answer);
    let source = [source, answer_source].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("；");
    let (stem, options) = if options.is_empty() { split_options(&stem) } else { (stem, options.to_vec()) };
    let (stem, _) = normalise_blanks(&stem);
    let answer = tidy(&answer);
    if tidy(&stem).is_empty() {
        return Err("没有题干".into());
    }
    if answer.is_empty() {
        return Err("没有找到答案".into());
    }
    if options.len() > MAX_OPTIONS {
        return Err(format!("选项超过{MAX_OPTIONS}个"));
    }
    let items = list_items(&answer);
    let (kind, answer) = if options.is_empty() {
        if let Some(truth) = judgement(&answer) {
            (QuestionKind::Judge, truth.to_owned())
        } else if answer_letters(&answer).is_some() && answer.chars().count() <= MAX_OPTIONS {
            return Err(format!("答案“{answer}”是选项字母，但没有找到选项"));
        } else {
            (QuestionKind::Blank, items.map_or(answer, |i| i.join("|")))
        }
    } else {
        let letters = match &items {
            Some(items) => items.iter().map(|i| letters_of(&options, i)).collect::<Option<String>>(),
            None => letters_of(&options, &answer),
        }
        .and_then(|l| answer_letters(&l))
        .ok_or_else(|| format!("答案“{answer}”既不是选项字母，也不是哪个选项的内容"))?;
        let kind = if letters.len() > 1 { QuestionKind::Multiple } else { QuestionKind::Single };
        (kind, letters)
    };
    Question { kind: Some(kind), stem, options, answer, source, ..Question::default() }.checked()
}

/// Leading numbering: 1. 1、 (1) （1） 第1题 1)
pub fn strip_numbering(line: &str) -> &str {
    let line = line.trim_start_matches(is_space);
    let after_open = line.strip_prefix(['(', '（']).unwrap_or(line);
    let after_di = after_open.strip_prefix('第').unwrap_or(after_open);
    let digits = after_di.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 4 {
        return line;
    }
    let rest = &after_di[digits..];
    for end in ['.', '、', '．', ')', '）', '题', ' '] {
        if let Some(rest) = rest.strip_prefix(end) {
            return rest.trim_start_matches(['.', '、', '：', ':', ' ']);
        }
    }
    line
}
