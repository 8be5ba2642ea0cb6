//! The live contest's pure rules: modes and states, grading a phone's answer, the score rule
//! (correctness + speed), ranking with ties, which placings earn points. No I/O.

use crate::coded_enum;
use crate::points::PointKind;
use crate::quiz::model::{QuestionKind, answer_letters, judgement, tidy};

coded_enum! {
    /// Who scores: each person, or each village team (several phones, or one shared, per team).
    Mode {
        /// 个人赛: each contestant scores for themselves.
        Individual = ("individual", "个人赛"),
        /// 团体赛: a village team scores; its first answer to a question counts.
        Team = ("team", "团体赛"),
    }
}

coded_enum! {
    /// Where a contest is in its life.
    Status {
        /// 未开始: set up, phones may join and wait.
        Draft = ("draft", "未开始"),
        /// 进行中: questions are being asked.
        Running = ("running", "进行中"),
        /// 已结束: results fixed, placings awarded.
        Finished = ("finished", "已结束"),
    }
}

/// Points for a right answer before the speed bonus.
pub const BASE_POINTS: i64 = 100;
/// Most speed bonus: answered at once; it falls linearly to 0 at the time limit.
pub const SPEED_POINTS: i64 = 50;
/// The score rule as the join page and the host screen state it.
pub const SCORE_RULE: &str = "答对得100分，另按剩余时间加0～50分（越快越多）；答错或超时不得分。";
/// Fewest and most seconds a question may run.
pub const SECONDS_RANGE: (i64, i64) = (5, 300);
/// Most questions in one contest.
pub const MAX_QUESTIONS: i64 = 50;

/// The score of one answer: 100 if right, plus the share of the time left × 50 (rounded down).
pub fn score(correct: bool, remaining_ms: i64, limit_ms: i64) -> i64 {
    if !correct || limit_ms <= 0 {
        return 0;
    }
    let remaining = remaining_ms.clamp(0, limit_ms);
    BASE_POINTS + SPEED_POINTS * remaining / limit_ms
}

/// A phone's answer in the stored form of its kind (letters sorted, 正确/错误, tidy text), or
/// `None` when it cannot be an answer to that kind.
pub fn normalize(kind: QuestionKind, given: &str) -> Option<String> {
    let given: String = given.chars().take(200).collect();
    match kind {
        QuestionKind::Single | QuestionKind::Multiple => answer_letters(&given),
        QuestionKind::Judge => judgement(&given).map(str::to_owned),
        QuestionKind::Blank => Some(tidy(&given)).filter(|t| !t.is_empty()),
    }
}

/// Whether a normalised answer is right: choices and judgements exactly (letter order was
/// normalised away), a blank against each of its accepted answers (`|`), spaces and width aside.
pub fn is_correct(kind: QuestionKind, key: &str, normalized: &str) -> bool {
    match kind {
        QuestionKind::Blank => {
            let fold = |s: &str| tidy(s).replace(' ', "").to_lowercase();
            key.split('|').any(|accepted| fold(accepted) == fold(normalized))
        }
        _ => key == normalized,
    }
}

/// One line of a leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Standing {
    /// Competition rank: equal scores share a rank, the next rank skips (1, 1, 3).
    pub rank: i64,
    /// The entrant's id.
    pub entrant_id: i64,
    /// The person's or team's name.
    pub name: String,
    /// Total score.
    pub score: i64,
}

/// Ranks entrants by score (highest first, then by name and id so the order is stable).
pub fn standings(mut entrants: Vec<(i64, String, i64)>) -> Vec<Standing> {
    entrants.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
    let mut out: Vec<Standing> = Vec::with_capacity(entrants.len());
    for (i, (entrant_id, name, score)) in entrants.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.score == score => prev.rank,
            _ => i as i64 + 1,
        };
        out.push(Standing { rank, entrant_id, name, score });
    }
    out
}

/// The points kind a final rank earns: 1st, 2nd, 3rd (ties share), and only with a score.
pub fn placing(rank: i64, score: i64) -> Option<PointKind> {
    if score <= 0 {
        return None;
    }
    match rank {
        1 => Some(PointKind::ContestFirst),
        2 => Some(PointKind::ContestSecond),
        3 => Some(PointKind::ContestThird),
        _ => None,
    }
}

/// Whether `text` is a six-digit join code.
pub fn is_join_code(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_answer_scores_100_plus_speed_and_a_wrong_one_nothing() {
        assert_eq!(score(true, 20_000, 20_000), 150);
        assert_eq!(score(true, 10_000, 20_000), 125);
        assert_eq!(score(true, 0, 20_000), 100);
        assert_eq!(score(true, -5, 20_000), 100);
        assert_eq!(score(false, 20_000, 20_000), 0);
    }

    #[test]
    fn answers_are_graded_by_kind() {
        let multi = normalize(QuestionKind::Multiple, "ca").unwrap();
        assert!(is_correct(QuestionKind::Multiple, "AC", &multi));
        assert!(!is_correct(QuestionKind::Multiple, "ABC", &multi));
        assert_eq!(normalize(QuestionKind::Single, "党费"), None);
        let judge = normalize(QuestionKind::Judge, "对").unwrap();
        assert!(is_correct(QuestionKind::Judge, "正确", &judge));
        let blank = normalize(QuestionKind::Blank, " 为人民 服务 ").unwrap();
        assert!(is_correct(QuestionKind::Blank, "全心全意|为人民服务", &blank));
        assert_eq!(normalize(QuestionKind::Blank, "   "), None);
    }

    #[test]
    fn ties_share_a_rank_and_a_placing() {
        let ranked = standings(vec![
            (1, "甲".into(), 150),
            (2, "乙".into(), 300),
            (3, "丙".into(), 150),
            (4, "丁".into(), 0),
        ]);
        let ranks: Vec<(i64, i64)> = ranked.iter().map(|s| (s.entrant_id, s.rank)).collect();
        assert_eq!(ranks, vec![(2, 1), (3, 2), (1, 2), (4, 4)]);
        assert_eq!(placing(2, 150), Some(PointKind::ContestSecond));
        assert_eq!(placing(1, 0), None);
        assert_eq!(placing(4, 90), None);
    }

    #[test]
    fn a_join_code_is_six_digits() {
        assert!(is_join_code("012345"));
        assert!(!is_join_code("12345"));
        assert!(!is_join_code("12345a"));
    }
}
