//! The exam form, pure: what staff typed, checked into a [`NewExam`] or into its problems, each
//! beside its field, the form keeping what was typed.

use serde::Deserialize;

use super::store::NewExam;
use crate::web::extract::labels;
use crate::web::form::FieldErrors;

/// Most questions an exam may draw.
pub const MAX_QUESTIONS: i64 = 100;
/// Longest exam, in minutes.
pub const MAX_MINUTES: i64 = 300;

/// An exam as typed (every field text, so a refused form comes back as it was).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExamInput {
    /// 考试名称.
    pub title: String,
    /// 分类.
    pub category: String,
    /// 题数.
    pub question_count: String,
    /// 时长（分钟）.
    pub minutes: String,
    /// 及格分（百分制）.
    pub pass_mark: String,
}

labels! {
    ExamInput {
        title: "考试名称",
        category: "分类",
        question_count: "题数",
        minutes: "时长（分钟）",
        pass_mark: "及格分",
    }
}

impl ExamInput {
    /// A blank form with the usual values.
    pub fn usual() -> Self {
        ExamInput {
            question_count: "10".into(),
            minutes: "20".into(),
            pass_mark: "60".into(),
            ..ExamInput::default()
        }
    }

    /// Checks the input as an exam for `unit_id`; `bank` is each category with its number of
    /// questions.
    pub fn validate(&self, unit_id: i64, bank: &[(String, i64)]) -> Result<NewExam, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim();
        if title.is_empty() {
            errors.add("title", "请填写考试名称");
        } else if title.chars().count() > 50 {
            errors.add("title", "考试名称不能超过50个字");
        }
        let count = whole(&mut errors, "question_count", "题数", &self.question_count, MAX_QUESTIONS);
        let minutes = whole(&mut errors, "minutes", "时长", &self.minutes, MAX_MINUTES);
        let pass_mark = whole(&mut errors, "pass_mark", "及格分", &self.pass_mark, 100);
        let category = self.category.trim();
        match bank.iter().find(|(c, _)| c == category) {
            None => errors.add("category", "请从题库已有的分类中选择"),
            Some((_, held)) => {
                if count.is_some_and(|n| n > *held) {
                    errors.add("question_count", format!("“{category}”分类只有{held}题，题数不能超过{held}"));
                }
            }
        }
        match (count, minutes, pass_mark) {
            (Some(question_count), Some(minutes), Some(pass_mark)) if errors.is_empty() => Ok(NewExam {
                unit_id,
                title: title.to_owned(),
                category: category.to_owned(),
                question_count,
                minutes,
                pass_mark,
            }),
            _ => Err(errors),
        }
    }
}

/// A whole number from 1 to `max`, or its problem beside `field`.
fn whole(errors: &mut FieldErrors, field: &str, label: &str, text: &str, max: i64) -> Option<i64> {
    let parsed = text.trim().parse::<i64>().ok().filter(|n| (1..=max).contains(n));
    if parsed.is_none() {
        errors.add(field, format!("{label}应为1到{max}之间的整数"));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> Vec<(String, i64)> {
        vec![("党章".into(), 30), ("党史".into(), 5)]
    }

    #[test]
    fn a_whole_exam_is_accepted() {
        let input =
            ExamInput { title: " 党章测试 ".into(), category: "党章".into(), ..ExamInput::usual() };
        let exam = input.validate(7, &bank()).unwrap();
        assert_eq!(
            (exam.title.as_str(), exam.question_count, exam.minutes, exam.pass_mark),
            ("党章测试", 10, 20, 60)
        );
        assert_eq!(exam.unit_id, 7);
    }

    #[test]
    fn every_problem_is_named_beside_its_field() {
        let input = ExamInput {
            title: String::new(),
            category: "党史".into(),
            question_count: "6".into(),
            minutes: "0".into(),
            pass_mark: "一百".into(),
        };
        let errors = input.validate(7, &bank()).unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("question_count").unwrap().contains("只有5题"));
        assert!(errors.get("minutes").is_some());
        assert!(errors.get("pass_mark").is_some());
        let unknown = ExamInput { title: "x".into(), category: "天文".into(), ..ExamInput::usual() };
        assert!(unknown.validate(7, &bank()).unwrap_err().get("category").is_some());
    }
}
