//! Reading a question bank file of any shape the branches pass around: a sheet with the header
//! (题型, 题干, 选项A…F, 答案, 解析, 分类, 难度, 来源 — any order), a headerless sheet or CSV of stem
//! and answer, JSON, or plain text one question a line. Pure: the caller reads the table (under
//! the table gate) and hands over text or rows. Every input is bounded.

pub mod header;
pub mod line;
pub mod rough;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use crate::formats::table::Table;
use crate::quiz::model::{Question, QuestionKind, tidy};

/// Largest text or JSON bank accepted (a bank of thousands of questions is a few hundred KB).
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
/// Most questions one file may hold.
pub const MAX_QUESTIONS: usize = 20_000;
/// Longest line or question, in characters; longer ones are reported, not read.
pub const MAX_QUESTION_CHARS: usize = 4_000;

/// How a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A sheet with the template's header: all or nothing.
    Header,
    /// A sheet or CSV without a header.
    Sheet,
    /// JSON.
    Json,
    /// Plain text, a question a line.
    Text,
}

impl Shape {
    /// In Chinese, for the preview.
    pub fn label(self) -> &'static str {
        match self {
            Shape::Header => "带表头的题库表格",
            Shape::Sheet => "无表头的表格（题干、答案）",
            Shape::Json => "JSON",
            Shape::Text => "纯文本（每行一题）",
        }
    }
}

/// A question and the line or row it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Line or row number (1-based; rows as Excel shows them; JSON: the item's position).
    pub place: usize,
    /// The question.
    pub question: Question,
}

/// Something not understood: where, what it said (shortened), why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line or row number.
    pub place: usize,
    /// The text, at most 60 characters.
    pub text: String,
    /// Why, in Chinese.
    pub reason: String,
}

impl Problem {
    fn new(place: usize, text: &str, reason: impl Into<String>) -> Self {
        let text = tidy(text);
        let short: String = text.chars().take(60).collect();
        let text = if short.len() < text.len() { format!("{short}…") } else { short };
        Problem { place, text, reason: reason.into() }
    }
}

/// A question already in the file or in the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Where it is.
    pub place: usize,
    /// Its stem.
    pub stem: String,
    /// The earlier line or row it repeats; `None` when it is in the bank already.
    pub of: Option<usize>,
}

/// What a file was understood to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Understood {
    /// How it was read.
    pub shape: Shape,
    /// The questions understood, each once, in file order.
    pub questions: Vec<Located>,
    /// What was not understood.
    pub problems: Vec<Problem>,
    /// Questions left out as repeats.
    pub duplicates: Vec<Duplicate>,
}

impl Understood {
    fn new(shape: Shape) -> Self {
        Understood { shape, questions: Vec::new(), problems: Vec::new(), duplicates: Vec::new() }
    }

    fn push(&mut self, place: usize, text: &str, result: Result<Question, String>) {
        if self.questions.len() >= MAX_QUESTIONS {
            if self.problems.last().is_none_or(|p| !p.reason.starts_with("超过")) {
                self.problems.push(Problem::new(place, text, format!("超过{MAX_QUESTIONS}题，其后未读取")));
            }
            return;
        }
        match result {
            Ok(question) => self.questions.push(Located { place, question }),
            Err(reason) => self.problems.push(Problem::new(place, text, reason)),
        }
    }

    /// Questions per kind, every kind listed.
    pub fn counts(&self) -> Vec<(QuestionKind, usize)> {
        QuestionKind::ALL
            .iter()
            .map(|k| (*k, self.questions.iter().filter(|q| q.question.kind() == *k).count()))
            .collect()
    }

    /// Leaves out repeats within the file (the first kept) and questions whose key `bank` holds.
    pub fn drop_duplicates(&mut self, bank: &HashSet<String>) {
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut kept = Vec::with_capacity(self.questions.len());
        for located in std::mem::take(&mut self.questions) {
            let key = located.question.key();
            let of = if bank.contains(&key) { Some(None) } else { first.get(&key).map(|p| Some(*p)) };
            match of {
                Some(of) => self.duplicates.push(Duplicate {
                    place: located.place,
                    stem: located.question.stem.clone(),
                    of,
                }),
                None => {
                    first.insert(key, located.place);
                    kept.push(located);
                }
            }
        }
        self.questions = kept;
    }
}

/// What kind of file the bytes are: by name, else by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// .xlsx/.xls/.csv: read with `formats::table`.
    Table,
    /// .json.
    Json,
    /// .txt and anything else that is text.
    Text,
}

/// Picks how to read a file.
pub fn file_kind(file_name: &str, bytes: &[u8]) -> FileKind {
    let lower = file_name.to_lowercase();
    let start = bytes.iter().find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF);
    if lower.ends_with(".txt") {
        FileKind::Text
    } else if [".xlsx", ".xlsm", ".xls", ".csv"].iter().any(|e| lower.ends_with(e))
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
    {
        FileKind::Table
    } else if lower.ends_with(".json") || matches!(start, Some(b'[' | b'{')) {
        FileKind::Json
    } else {
        FileKind::Text
    }
}

/// Decodes a text file: UTF-8 (with or without BOM), else GB18030 as Chinese Windows writes.
pub fn decode_text(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(format!("文件太大：文本或JSON题库不能超过{}MB", MAX_TEXT_BYTES / 1024 / 1024));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                Err("无法识别文件的文字编码，请另存为UTF-8后再上传".into())
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

/// Reads a sheet: with the template's header if its first rows hold one, else stem and answer.
pub fn understand_table(table: &Table) -> Understood {
    if let Some(found) = header::find(table) {
        return header::read(table, &found);
    }
    let mut understood = Understood::new(Shape::Sheet);
    for row in &table.rows {
        let cells: Vec<String> =
            row.cells.iter().map(|c| c.to_text().trim().to_owned()).filter(|c| !c.is_empty()).collect();
        let text = cells.first().cloned().unwrap_or_default();
        let result = match cells.as_slice() {
            [] => continue,
            [only] => line::understand_line(only),
            [stem, answer] => rough::understand(stem, answer, &[]),
            [stem, answer, explanation] => rough::understand(stem, answer, &[]).map(|mut q| {
                q.explanation = tidy(explanation);
                q
            }),
            [stem, options @ .., answer] => rough::understand(stem, answer, options),
        };
        understood.push(row.number, &text, result);
    }
    understood
}

/// Reads plain text, one question a line; blank lines skipped.
pub fn understand_text(text: &str) -> Understood {
    let mut understood = Understood::new(Shape::Text);
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let result = if line.chars().count() > MAX_QUESTION_CHARS {
            Err(format!("这一行超过{MAX_QUESTION_CHARS}字，不像一道题"))
        } else {
            line::understand_line(line)
        };
        understood.push(index + 1, line, result);
    }
    understood
}

/// Reads JSON: a list of {question, answer} objects, or one object mapping each question (its
/// options maybe joined with |) to its answer.
pub fn understand_json(text: &str) -> Result<Understood, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("JSON格式有误（第{}行）", e.line()))?;
    let mut understood = Understood::new(Shape::Json);
    let pairs: Vec<(String, String, Vec<String>)> = match &value {
        serde_json::Value::Array(items) => items.iter().map(json_item).collect(),
        serde_json::Value::Object(map) => {
            map.iter().map(|(q, a)| (q.clone(), json_text(a), Vec::new())).collect()
        }
        _ => return Err("JSON应为题目列表，或“题目: 答案”的对象".into()),
    };
    for (index, (question, answer, options)) in pairs.into_iter().enumerate() {
        let result = if question.chars().count() > MAX_QUESTION_CHARS {
            Err(format!("题目超过{MAX_QUESTION_CHARS}字"))
        } else {
            let mut parts: Vec<String> = question.split('|').map(str::to_owned).collect();
            let stem = parts.remove(0);
            let options = if options.is_empty() && parts.len() >= 2 { parts } else { options };
            if question.trim().is_empty() {
                Err("没有题目".into())
            } else {
                rough::understand(&stem, &answer, &options)
            }
        };
        understood.push(index + 1, &question, result);
    }
    Ok(understood)
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            format!("[{}]", items.iter().map(json_text).collect::<Vec<_>>().join(","))
        }
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn json_item(item: &serde_json::Value) -> (String, String, Vec<String>) {
    let field = |names: &[&str]| names.iter().find_map(|n| item.get(*n)).map(json_text).unwrap_or_default();
    let question = field(&["question", "题目", "题干", "stem", "q", "title"]);
    let answer = field(&["answer", "答案", "a", "correct"]);
    let options = ["options", "选项", "choices"]
        .iter()
        .find_map(|n| item.get(*n))
        .and_then(|o| o.as_array())
        .map(|o| o.iter().map(json_text).collect())
        .unwrap_or_default();
    (question, answer, options)
}
