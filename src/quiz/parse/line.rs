//! One line of a plain-text bank: the stem, the answer in brackets after it (（A）, （√）,
//! 【答案】…), after 答案：, or after a tab or a wide gap; options inline or none.

use super::rough::{self, BLANK, split_options, strip_numbering};
use crate::quiz::model::{Question, answer_letters, judgement};

fn is_gap(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\u{a0}'
}

/// Whether a bracket's content reads as an answer: option letters or a judgement.
fn answer_like(inner: &str) -> bool {
    let inner = inner.trim();
    !inner.is_empty()
        && inner.chars().count() <= 8
        && (answer_letters(inner).is_some() || judgement(inner).is_some())
}

/// The bracket groups of `text`: (start byte, end byte, content).
fn brackets(text: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text.char_indices() {
        match c {
            '(' | '（' => open = Some(at),
            ')' | '）' => {
                if let Some(start) = open.take() {
                    let inner_start = start + text[start..].chars().next().map_or(1, char::len_utf8);
                    found.push((start, at + c.len_utf8(), &text[inner_start..at]));
                }
            }
            _ => {}
        }
    }
    found
}

/// Splits the answer off a line: (the line without it, the answer).
fn split_answer(line: &str) -> Option<(String, String)> {
    for marker in ["【答案】", "[答案]", "【正确答案】", "正确答案：", "正确答案:", "答案：", "答案:"]
    {
        if let Some(at) = line.find(marker) {
            let answer = line[at + marker.len()..].trim().to_owned();
            return Some((line[..at].to_owned(), answer));
        }
    }
    if let Some((stem, answer)) =
        line.rsplit_once('\t').filter(|(s, a)| !s.trim().is_empty() && !a.trim().is_empty())
    {
        return Some((stem.to_owned(), answer.to_owned()));
    }
    // The options, if any, end the stem; an answer bracket sits in the stem or closes the line.
    let (stem_part, options) = split_options(line);
    let stem_end = if options.is_empty() { line.len() } else { stem_part.len() };
    if let Some((start, end, inner)) = brackets(line).into_iter().find(|(s, e, inner)| {
        answer_like(inner) && (*e <= stem_end || line[*e..].trim().is_empty()) && *s < line.len()
    }) {
        let rest = format!("{}{BLANK}{}", &line[..start], &line[end..]);
        return Some((rest, inner.to_owned()));
    }
    // Written after the stem, past a wide gap: "…是   A".
    let trimmed = line.trim_end_matches(is_gap);
    if let Some(at) = trimmed.rfind("  ").or_else(|| trimmed.rfind("\u{3000}")) {
        let answer = trimmed[at..].trim_matches(is_gap);
        if answer_like(answer) {
            return Some((trimmed[..at].to_owned(), answer.to_owned()));
        }
    }
    // A blank's text in the last brackets: "党的根本宗旨是（全心全意为人民服务）。"
    if options.is_empty() {
        let (start, end, inner) = brackets(line).into_iter().rev().find(|(_, _, i)| {
            let n = i.trim().chars().count();
            (1..=40).contains(&n)
        })?;
        let rest = format!("{}{BLANK}{}", &line[..start], &line[end..]);
        return Some((rest, inner.trim().to_owned()));
    }
    None
}

/// Understands one line of a plain-text bank.
pub fn understand_line(line: &str) -> Result<Question, String> {
    let line = strip_numbering(line);
    let (clean, source) = rough::strip_source(line);
    if clean.trim().is_empty() {
        return Err("只有出处，没有题目".into());
    }
    let (rest, answer) =
        split_answer(&clean).ok_or("没有找到答案：请把答案写在题干后的括号里，如（A），或写“答案：…”")?;
    let mut question = rough::understand(&rest, &answer, &[])?;
    if question.source.is_empty() {
        question.source = source;
    }
    Ok(question)
}
