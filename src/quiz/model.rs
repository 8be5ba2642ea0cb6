//! Questions and the pure rules about them: the four kinds, width folding, the key that finds
//! duplicates, and what a well-formed question is. No I/O.

use crate::coded_enum;

coded_enum! {
    /// A question's kind (题型). Stored as its code; shown and imported by its Chinese label.
    QuestionKind {
        /// 单选: one option letter.
        Single = ("single", "单选"),
        /// 多选: two or more option letters.
        Multiple = ("multiple", "多选"),
        /// 判断: 正确 or 错误.
        Judge = ("judge", "判断"),
        /// 填空: the text of the blank (several accepted answers separated by `|`).
        Blank = ("blank", "填空"),
    }
}

impl QuestionKind {
    /// Reads a 题型 cell: the label, with or without 题, or 单项/多项选择.
    pub fn from_header_cell(text: &str) -> Option<QuestionKind> {
        let text = fold_width(text).replace(' ', "");
        let text = text.trim_end_matches('题');
        match text {
            "单选" | "单项选择" | "单选择" | "选择" => Some(QuestionKind::Single),
            "多选" | "多项选择" | "多选择" => Some(QuestionKind::Multiple),
            "判断" | "是非" => Some(QuestionKind::Judge),
            "填空" => Some(QuestionKind::Blank),
            _ => None,
        }
    }
}

/// Most options a question may have: A–F.
pub const MAX_OPTIONS: usize = 6;
/// The option letters, in order.
pub const LETTERS: [char; MAX_OPTIONS] = ['A', 'B', 'C', 'D', 'E', 'F'];
/// The stored answer of a true 判断.
pub const TRUE: &str = "正确";
/// The stored answer of a false 判断.
pub const FALSE: &str = "错误";

/// One question as imported, exported and stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Question {
    /// 题型.
    pub kind: Option<QuestionKind>,
    /// 题干, blanks written as （ ）.
    pub stem: String,
    /// 选项A… in order; empty for 判断 and 填空.
    pub options: Vec<String>,
    /// 答案: letters (sorted) for choices, 正确/错误, or the blank's text.
    pub answer: String,
    /// 解析.
    pub explanation: String,
    /// 分类.
    pub category: String,
    /// 难度.
    pub difficulty: String,
    /// 来源 (an attribution stripped from the stem).
    pub source: String,
}

impl Question {
    /// The kind; every checked question has one.
    pub fn kind(&self) -> QuestionKind {
        self.kind.unwrap_or(QuestionKind::Blank)
    }

    /// The key two questions share when they are the same question.
    pub fn key(&self) -> String {
        duplicate_key(&self.stem)
    }

    /// The options with their letters.
    pub fn lettered(&self) -> Vec<(char, String)> {
        LETTERS.iter().copied().zip(self.options.iter().cloned()).collect()
    }

    /// Checks the question is whole: a stem, an answer its kind allows, options where needed.
    /// The answer is normalised (letters sorted, 对/√ read as 正确).
    pub fn checked(mut self) -> Result<Question, String> {
        let kind = self.kind.ok_or("题型应为单选、多选、判断或填空")?;
        self.stem = tidy(&self.stem);
        if self.stem.is_empty() {
            return Err("题干为空".into());
        }
        self.options = self.options.iter().map(|o| tidy(o)).collect();
        while self.options.last().is_some_and(String::is_empty) {
            self.options.pop();
        }
        if self.options.iter().any(String::is_empty) {
            return Err("选项之间有空缺".into());
        }
        let answer = tidy(&self.answer);
        match kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                if self.options.len() < 2 {
                    return Err("选择题至少要有两个选项".into());
                }
                let letters = answer_letters(&answer).ok_or_else(|| format!("答案“{answer}”应为选项字母"))?;
                if let Some(beyond) = letters.chars().find(|l| letter_index(*l) >= self.options.len()) {
                    return Err(format!("答案{beyond}超出了选项范围"));
                }
                match (kind, letters.len()) {
                    (QuestionKind::Single, 1) | (QuestionKind::Multiple, 2..) => {}
                    (QuestionKind::Single, _) => {
                        return Err(format!("单选题只能有一个答案，这里是{letters}"));
                    }
                    _ => return Err(format!("多选题至少要有两个答案，这里是{letters}")),
                }
                self.answer = letters;
            }
            QuestionKind::Judge => {
                self.answer = judgement(&answer)
                    .ok_or_else(|| format!("判断题答案应为正确或错误，这里是“{answer}”"))?
                    .into();
                self.options.clear();
            }
            QuestionKind::Blank => {
                if answer.is_empty() {
                    return Err("答案为空".into());
                }
                if !self.options.is_empty() {
                    return Err("填空题不应有选项".into());
                }
                self.answer = answer;
            }
        }
        for field in [&mut self.explanation, &mut self.category, &mut self.difficulty, &mut self.source] {
            *field = tidy(field);
        }
        Ok(self)
    }
}

/// Full-width ASCII forms and the ideographic and non-breaking spaces as their half-width forms.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' | '\u{2002}'..='\u{200a}' | '\u{202f}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// A stored text: full-width letters and digits folded, spaces runs collapsed, trimmed. Chinese
/// punctuation stays as written (folded only where letters and digits are).
pub fn tidy(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' | '\u{2002}'..='\u{200a}' | '\u{202f}' | '\t' | '\r' | '\n' => ' ',
            '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
                char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
            }
            other => other,
        })
        .collect();
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The duplicate key of a stem: width folded, lower case, without spaces, punctuation or blanks.
pub fn duplicate_key(stem: &str) -> String {
    fold_width(stem).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The option letters an answer names (`A`, `abc`, `A,C`, `A、C`), sorted and once each.
pub fn answer_letters(answer: &str) -> Option<String> {
    let mut found = [false; MAX_OPTIONS];
    let mut any = false;
    for c in fold_width(answer).chars() {
        match c.to_ascii_uppercase() {
            l @ 'A'..='F' => {
                found[letter_index(l)] = true;
                any = true;
            }
            ' ' | ',' | '、' | '，' | ';' | '；' | '/' => {}
            _ => return None,
        }
    }
    any.then(|| LETTERS.iter().zip(found).filter(|(_, f)| *f).map(|(l, _)| *l).collect())
}

/// 0 for A, 1 for B…
pub fn letter_index(letter: char) -> usize {
    (letter as usize).wrapping_sub('A' as usize)
}

/// 正确 or 错误 for the ways a judgement is written (对/错, √/×, 是/否, T/F…).
pub fn judgement(answer: &str) -> Option<&'static str> {
    let text = fold_width(answer).trim().trim_matches(['。', '.']).to_lowercase();
    match text.as_str() {
        "正确" | "对" | "√" | "✓" | "✔" | "是" | "t" | "true" | "yes" | "y" => Some(TRUE),
        "错误" | "错" | "×" | "x" | "✗" | "✘" | "否" | "f" | "false" | "no" | "n" => Some(FALSE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: QuestionKind, options: &[&str], answer: &str) -> Question {
        Question {
            kind: Some(kind),
            stem: "党的最高领导机关是（ ）".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            answer: answer.into(),
            ..Question::default()
        }
    }

    #[test]
    fn width_folds_and_spaces_collapse() {
        assert_eq!(tidy("　ＡＢＣ１２３\u{a0}\u{a0}党章 "), "ABC123 党章");
        assert_eq!(fold_width("（Ａ）"), "(A)");
        assert_eq!(tidy("中国，党。"), "中国，党。", "Chinese punctuation stays");
    }

    #[test]
    fn duplicates_ignore_spaces_width_and_punctuation() {
        assert_eq!(duplicate_key("党的最高领导机关是（  ）。"), duplicate_key("党的最高领导机关是___"));
        assert_eq!(duplicate_key("ＷＴＯ 是 什么?"), duplicate_key("wto是什么？"));
        assert_ne!(duplicate_key("党章"), duplicate_key("党史"));
    }

    #[test]
    fn letters_are_sorted_and_bounded() {
        assert_eq!(answer_letters("cA").as_deref(), Some("AC"));
        assert_eq!(answer_letters("Ａ、Ｃ").as_deref(), Some("AC"));
        assert_eq!(answer_letters("AG"), None);
        assert_eq!(answer_letters(""), None);
    }

    #[test]
    fn judgements_are_read_every_usual_way() {
        for t in ["正确", "对", "√", "T"] {
            assert_eq!(judgement(t), Some(TRUE), "{t}");
        }
        for f in ["错误", "错", "×", "F"] {
            assert_eq!(judgement(f), Some(FALSE), "{f}");
        }
        assert_eq!(judgement("也许"), None);
    }

    #[test]
    fn a_checked_question_keeps_a_kind_its_answer_allows() {
        assert_eq!(question(QuestionKind::Single, &["甲", "乙"], "b").checked().unwrap().answer, "B");
        assert!(question(QuestionKind::Single, &["甲", "乙"], "AB").checked().is_err());
        assert!(question(QuestionKind::Single, &["甲", "乙"], "C").checked().unwrap_err().contains("超出"));
        assert_eq!(
            question(QuestionKind::Multiple, &["甲", "乙", "丙"], "CA").checked().unwrap().answer,
            "AC"
        );
        assert!(question(QuestionKind::Multiple, &["甲", "乙"], "A").checked().is_err());
        assert_eq!(question(QuestionKind::Judge, &[], "√").checked().unwrap().answer, "正确");
        assert!(question(QuestionKind::Blank, &[], "").checked().is_err());
        assert!(question(QuestionKind::Single, &["甲", "", "丙"], "A").checked().is_err());
        let no_kind = Question { kind: None, ..question(QuestionKind::Blank, &[], "x") };
        assert!(no_kind.checked().unwrap_err().contains("题型"));
    }

    #[test]
    fn kinds_are_read_from_the_usual_labels() {
        assert_eq!(QuestionKind::from_header_cell("单选题"), Some(QuestionKind::Single));
        assert_eq!(QuestionKind::from_header_cell("多项选择题"), Some(QuestionKind::Multiple));
        assert_eq!(QuestionKind::from_header_cell("判断"), Some(QuestionKind::Judge));
        assert_eq!(QuestionKind::from_header_cell("问答"), None);
    }
}
