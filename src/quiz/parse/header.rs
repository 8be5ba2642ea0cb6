//! The template's shape: a header row naming 题型, 题干, 选项A…选项F, 答案, 解析, 分类, 难度 and
//! 来源 in any order. Every row is checked; the import is all or nothing.

use super::{Shape, Understood, rough};
use crate::formats::table::{Table, TableRow};
use crate::quiz::model::{LETTERS, MAX_OPTIONS, Question, QuestionKind, fold_width};

/// The header, in the order the export writes it.
pub const HEADER: [&str; 13] = [
    "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "分类", "难度",
    "来源",
];

/// The columns found: index of each field's column.
#[derive(Debug, Default)]
pub struct Columns {
    row: usize,
    kind: Option<usize>,
    stem: usize,
    options: [Option<usize>; MAX_OPTIONS],
    answer: usize,
    explanation: Option<usize>,
    category: Option<usize>,
    difficulty: Option<usize>,
    source: Option<usize>,
}

fn name(cell: &str) -> String {
    fold_width(cell).replace([' ', '：', ':', '*'], "").to_uppercase()
}

/// Finds the header among the first five rows: a row naming both 题干 (or 题目) and 答案.
pub fn find(table: &Table) -> Option<Columns> {
    table.rows.iter().take(5).find_map(|row| {
        let names: Vec<String> = row.cells.iter().map(|c| name(&c.to_text())).collect();
        let at = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        let mut columns = Columns {
            row: row.number,
            kind: at(&["题型", "题目类型", "类型"]),
            stem: at(&["题干", "题目", "试题", "题目内容"])?,
            answer: at(&["答案", "正确答案", "参考答案", "标准答案"])?,
            explanation: at(&["解析", "答案解析", "试题解析"]),
            category: at(&["分类", "类别", "题目分类", "知识点"]),
            difficulty: at(&["难度", "难易程度"]),
            source: at(&["来源", "出处", "出题"]),
            ..Columns::default()
        };
        for (i, letter) in LETTERS.iter().enumerate() {
            columns.options[i] = at(&[&format!("选项{letter}"), &letter.to_string()]);
        }
        Some(columns)
    })
}

fn text(row: &TableRow, column: Option<usize>) -> String {
    column.map(|c| row.cell(c).to_text().trim().to_owned()).unwrap_or_default()
}

/// Reads every row under the header.
pub fn read(table: &Table, columns: &Columns) -> Understood {
    let mut understood = Understood::new(Shape::Header);
    for row in table.rows.iter().filter(|r| r.number > columns.row) {
        let stem = text(row, Some(columns.stem));
        let options: Vec<String> = columns.options.iter().map(|c| text(row, *c)).collect();
        let kind_text = text(row, columns.kind);
        let answer = text(row, Some(columns.answer));
        let result = if kind_text.is_empty() {
            // No 题型: inferred as for a rough bank.
            let given: Vec<String> = options.iter().filter(|o| !o.is_empty()).cloned().collect();
            rough::understand(&stem, &answer, &given)
        } else {
            match QuestionKind::from_header_cell(&kind_text) {
                None => Err(format!("题型“{kind_text}”应为单选、多选、判断或填空")),
                Some(kind) => {
                    let (stem, _) = rough::normalise_blanks(&stem);
                    Question { kind: Some(kind), stem, options, answer, ..Question::default() }.checked()
                }
            }
        };
        let result = result.map(|mut q| {
            q.explanation = crate::quiz::model::tidy(&text(row, columns.explanation));
            q.category = crate::quiz::model::tidy(&text(row, columns.category));
            q.difficulty = crate::quiz::model::tidy(&text(row, columns.difficulty));
            let source = crate::quiz::model::tidy(&text(row, columns.source));
            if !source.is_empty() {
                q.source = source;
            }
            q
        });
        understood.push(row.number, &stem, result);
    }
    understood
}
