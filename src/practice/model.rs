//! Quiz practice, pure: grading an answer of every kind, drawing a round's questions (unseen
//! first, spread over categories and difficulties), a round's score and an exam's pass mark.
//! No I/O.

use std::collections::BTreeMap;

use crate::coded_enum;
use crate::quiz::model::{QuestionKind, answer_letters, duplicate_key, judgement};

coded_enum! {
    /// What a round is for.
    RoundKind {
        /// 每日答题: five questions, points once a day.
        Daily = ("daily", "每日答题"),
        /// 专题练习: one category, no points.
        Topic = ("topic", "专题练习"),
        /// 错题重练: questions from the mistakes book.
        Mistakes = ("mistakes", "错题重练"),
        /// 专题考试: timed, with a pass mark.
        Exam = ("exam", "专题考试"),
    }
}

/// Questions in a daily quiz.
pub const DAILY_COUNT: usize = 5;
/// Questions in a practice round (topic or mistakes).
pub const PRACTICE_COUNT: usize = 10;
/// Longest answer stored (a 填空 typed by hand).
pub const MAX_ANSWER_CHARS: usize = 200;

/// Whether `given` answers a question of `kind` whose stored answer is `answer`.
///
/// 单选 and 多选 compare option letters, in any order and written any usual way (`CA`, `A、C`);
/// 判断 reads 对/错/√/× as 正确/错误; 填空 accepts any of the answers stored separated by `|`,
/// `;` or `；` (or all of them as written), ignoring spaces, punctuation, width and case.
pub fn grade(kind: QuestionKind, answer: &str, given: &str) -> bool {
    match kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            answer_letters(given).is_some_and(|g| Some(g) == answer_letters(answer))
        }
        QuestionKind::Judge => judgement(given).is_some_and(|g| Some(g) == judgement(answer)),
        QuestionKind::Blank => {
            let given = duplicate_key(given);
            !given.is_empty()
                && (duplicate_key(answer) == given
                    || answer.split(['|', ';', '；']).any(|accepted| duplicate_key(accepted) == given))
        }
    }
}

/// The accepted answers of a stored answer, as shown after grading (`答案1 或 答案2`).
pub fn shown_answer(kind: QuestionKind, answer: &str) -> String {
    match kind {
        QuestionKind::Blank => answer
            .split(['|', ';', '；'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect::<Vec<_>>()
            .join(" 或 "),
        _ => answer.to_owned(),
    }
}

/// A question a round may draw, and whether this member has answered it before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The question's id.
    pub id: i64,
    /// 分类.
    pub category: String,
    /// 难度.
    pub difficulty: String,
    /// Answered by this member in any earlier round.
    pub seen: bool,
}

/// Draws up to `count` questions: every unseen one before any seen one; within each, taken in
/// turn from each (category, difficulty) group so a round mixes topics and levels; the order
/// inside groups and of the groups shuffled by `seed` (the same seed draws the same round).
pub fn draw(candidates: &[Candidate], count: usize, seed: u64) -> Vec<i64> {
    let mut rng = SplitMix(seed);
    let mut drawn = Vec::with_capacity(count);
    for seen in [false, true] {
        let mut groups: BTreeMap<(&str, &str), Vec<i64>> = BTreeMap::new();
        for c in candidates.iter().filter(|c| c.seen == seen) {
            groups.entry((&c.category, &c.difficulty)).or_default().push(c.id);
        }
        let mut groups: Vec<Vec<i64>> = groups.into_values().collect();
        for group in &mut groups {
            rng.shuffle(group);
        }
        rng.shuffle(&mut groups);
        let mut turn = 0;
        while drawn.len() < count && groups.iter().any(|g| turn < g.len()) {
            for group in &groups {
                if drawn.len() < count
                    && let Some(id) = group.get(turn)
                {
                    drawn.push(*id);
                }
            }
            turn += 1;
        }
    }
    drawn
}

/// A small deterministic generator (SplitMix64): a round is drawn the same way from its seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// The seed of a round: its member and day, so reopening draws nothing new.
pub fn seed(member_id: i64, day_number: i64, salt: u64) -> u64 {
    (member_id as u64).wrapping_mul(1_000_003) ^ (day_number as u64).wrapping_mul(7_919) ^ salt
}

/// A round's score out of 100: the share answered right, rounded down.
pub fn score(correct: i64, total: i64) -> i64 {
    if total <= 0 { 0 } else { correct * 100 / total }
}

/// Whether a score passes an exam's pass mark (both out of 100).
pub fn passed(score: i64, pass_mark: i64) -> bool {
    score >= pass_mark
}

/// The first position (1-based) of `total` without an answer: where a reopened round resumes.
pub fn resume_at(total: i64, answered: &[i64]) -> Option<i64> {
    (1..=total).find(|p| !answered.contains(p))
}

/// What one answer form sends, as one text: the letters ticked (多选: several) or the text typed.
pub fn given_answer(kind: QuestionKind, choices: &[String], text: &str) -> String {
    match kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            choices.iter().map(|c| c.trim()).collect::<Vec<_>>().concat()
        }
        QuestionKind::Judge => choices.first().map(|c| c.trim().to_owned()).unwrap_or_default(),
        QuestionKind::Blank => text.trim().chars().take(MAX_ANSWER_CHARS).collect(),
    }
}

#[cfg(test)]
mod tests;
