//! The debate's pure rules: the single-elimination bracket seeded from the team order (byes for
//! the top seeds when the count is not a power of two), where a winner goes next, deciding a
//! match by the judges' majority, the best debater by mentions, the round names, and reading the
//! set-up form's team lines. No I/O.

use crate::coded_enum;

coded_enum! {
    /// The two sides of a match.
    Side {
        /// 正方: argues for the motion.
        Affirmative = ("affirmative", "正方"),
        /// 反方: argues against it.
        Negative = ("negative", "反方"),
    }
}

/// Fewest and most teams in a tournament (32 teams: five rounds).
pub const TEAMS_RANGE: (usize, usize) = (2, 32);

/// How the bracket is drawn, as the pages state it.
pub const BRACKET_RULE: &str = "单场淘汰：按填写顺序为种子（第1行为1号种子），1号对最末号、2号对次末号……；\
     队数不是2的整数次方时，排名靠前的种子首轮轮空，直接晋级。上半区胜者为下一场正方，下半区胜者为反方。";

/// How a match is decided, as the pages state it.
pub const DECISION_RULE: &str = "每位评委一票（结束前可修改）。结束比赛时按票数多者获胜；票数相同不能结束，\
     请再请一位评委投票（评委人数宜为单数）。最佳辩手为被评委提名最多者，提名相同时取胜方辩手，仍相同取最先被提名者。";

/// The bracket's size (the next power of two) and its number of rounds for `teams` teams.
pub fn size_and_rounds(teams: usize) -> (usize, u32) {
    let size = teams.max(2).next_power_of_two();
    (size, size.trailing_zeros())
}

/// The seeds in bracket order for a bracket of `size` (a power of two): 1 and 2 meet only in
/// the final, 1 plays `size` first, and so on — [1, 8, 4, 5, 2, 7, 3, 6] for eight.
pub fn seed_order(size: usize) -> Vec<usize> {
    let mut order = vec![1];
    while order.len() < size {
        let n = order.len() * 2;
        order = order.iter().flat_map(|&s| [s, n + 1 - s]).collect();
    }
    order
}

/// The first round for `teams` teams: per slot, the seeds on 正方 and 反方 (`None` where a seed
/// beyond the count would be: that match is a bye).
pub fn first_round(teams: usize) -> Vec<(Option<usize>, Option<usize>)> {
    let (size, _) = size_and_rounds(teams);
    let seat = |s: usize| (s <= teams).then_some(s);
    seed_order(size).chunks(2).map(|pair| (seat(pair[0]), seat(pair[1]))).collect()
}

/// Where the winner of (round, slot) plays next: the next round's slot and side, or `None`
/// after the final.
pub fn next_match(round: i64, slot: i64, rounds: i64) -> Option<(i64, i64, Side)> {
    (round < rounds).then(|| {
        let side = if slot % 2 == 1 { Side::Affirmative } else { Side::Negative };
        (round + 1, (slot + 1) / 2, side)
    })
}

/// A round's name: 决赛, 半决赛, 四分之一决赛, else 第N轮.
pub fn round_name(round: i64, rounds: i64) -> String {
    match rounds - round {
        0 => "决赛".into(),
        1 => "半决赛".into(),
        2 => "四分之一决赛".into(),
        _ => format!("第{round}轮"),
    }
}

/// The count of votes for each side when they are equal: a match cannot be closed on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tie(pub usize);

/// The side the majority of the ballots chose; a tie (none at all included) decides nothing.
pub fn decide(votes: &[Side]) -> Result<Side, Tie> {
    let affirmative = votes.iter().filter(|&&s| s == Side::Affirmative).count();
    let negative = votes.len() - affirmative;
    match affirmative.cmp(&negative) {
        std::cmp::Ordering::Greater => Ok(Side::Affirmative),
        std::cmp::Ordering::Less => Ok(Side::Negative),
        std::cmp::Ordering::Equal => Err(Tie(affirmative)),
    }
}

/// The best debater from the ballots' mentions in ballot order (member, whether on the winning
/// side): most mentions, then the winning side's, then the first mentioned.
pub fn best_debater(mentions: &[(i64, bool)]) -> Option<i64> {
    let mut tally: Vec<(i64, usize, bool, usize)> = Vec::new();
    for (i, &(member, winner_side)) in mentions.iter().enumerate() {
        match tally.iter_mut().find(|t| t.0 == member) {
            Some(t) => t.1 += 1,
            None => tally.push((member, 1, winner_side, i)),
        }
    }
    tally.into_iter().max_by_key(|t| (t.1, t.2, std::cmp::Reverse(t.3))).map(|t| t.0)
}

/// One debater as typed: a name, and the last four digits of their phone when names repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebaterRef {
    /// 姓名.
    pub name: String,
    /// 手机尾号, written `张三(1234)`.
    pub phone_tail: Option<String>,
}

/// One team line as typed: `甲村：张三、李四、王五`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamLine {
    /// The unit's name.
    pub unit_name: String,
    /// Its debaters in order.
    pub debaters: Vec<DebaterRef>,
}

/// Reads the teams box, one team a line (blank lines skipped): every problem at once, named by
/// line, or the teams in seed order.
pub fn parse_teams(text: &str) -> Result<Vec<TeamLine>, Vec<String>> {
    let mut teams = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let n = i + 1;
        let Some((unit, people)) = line.split_once([':', '：']) else {
            problems.push(format!("第{n}行：请写成“单位名称：辩手1、辩手2”"));
            continue;
        };
        let debaters: Vec<DebaterRef> = people
            .split([',', '，', '、', ';', '；', ' ', '\u{3000}'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(debater_ref)
            .collect();
        if unit.trim().is_empty() {
            problems.push(format!("第{n}行：请写单位名称"));
        } else if debaters.is_empty() || debaters.len() > 8 {
            problems.push(format!("第{n}行：每队请写1到8名辩手"));
        } else {
            teams.push(TeamLine { unit_name: unit.trim().to_owned(), debaters });
        }
    }
    if problems.is_empty() && !(TEAMS_RANGE.0..=TEAMS_RANGE.1).contains(&teams.len()) {
        problems.push(format!("请填写{}到{}支队伍，一行一队", TEAMS_RANGE.0, TEAMS_RANGE.1));
    }
    if problems.is_empty() { Ok(teams) } else { Err(problems) }
}

/// `张三` or `张三(1234)` / `张三（1234）`.
fn debater_ref(text: &str) -> DebaterRef {
    let open = text.find(['(', '（']);
    match open {
        Some(at) => {
            let name = text[..at].trim().to_owned();
            let tail: String = text[at..].chars().filter(char::is_ascii_digit).collect();
            DebaterRef { name, phone_tail: Some(tail) }
        }
        None => DebaterRef { name: text.to_owned(), phone_tail: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_teams_meet_by_seed_without_byes() {
        assert_eq!(size_and_rounds(8), (8, 3));
        assert_eq!(seed_order(8), vec![1, 8, 4, 5, 2, 7, 3, 6]);
        assert!(first_round(8).iter().all(|(a, b)| a.is_some() && b.is_some()));
    }

    #[test]
    fn six_teams_give_the_top_two_seeds_a_bye() {
        assert_eq!(size_and_rounds(6), (8, 3));
        let round = first_round(6);
        assert_eq!(round, vec![(Some(1), None), (Some(4), Some(5)), (Some(2), None), (Some(3), Some(6))]);
        assert_eq!(size_and_rounds(2), (2, 1));
        assert_eq!(first_round(3), vec![(Some(1), None), (Some(2), Some(3))]);
    }

    #[test]
    fn winners_go_to_the_next_slot_odd_on_the_affirmative() {
        assert_eq!(next_match(1, 1, 3), Some((2, 1, Side::Affirmative)));
        assert_eq!(next_match(1, 2, 3), Some((2, 1, Side::Negative)));
        assert_eq!(next_match(1, 4, 3), Some((2, 2, Side::Negative)));
        assert_eq!(next_match(3, 1, 3), None);
        assert_eq!(round_name(3, 3), "决赛");
        assert_eq!(round_name(2, 3), "半决赛");
        assert_eq!(round_name(1, 4), "第1轮");
    }

    #[test]
    fn the_majority_decides_and_a_tie_decides_nothing() {
        use Side::*;
        assert_eq!(decide(&[Affirmative, Negative, Negative]), Ok(Negative));
        assert_eq!(decide(&[Affirmative]), Ok(Affirmative));
        assert_eq!(decide(&[Affirmative, Negative]), Err(Tie(1)));
        assert_eq!(decide(&[]), Err(Tie(0)));
    }

    #[test]
    fn the_best_debater_is_most_mentioned_then_on_the_winning_side_then_first() {
        assert_eq!(best_debater(&[(1, false), (2, true), (1, false)]), Some(1));
        assert_eq!(best_debater(&[(1, false), (2, true)]), Some(2));
        assert_eq!(best_debater(&[(3, true), (2, true)]), Some(3));
        assert_eq!(best_debater(&[]), None);
    }

    #[test]
    fn team_lines_are_read_with_every_problem_named() {
        let teams = parse_teams("甲村：张三、李四(1234)\n\n乙村:王五，赵六（5678）").unwrap();
        assert_eq!(teams.len(), 2);
        assert_eq!(teams[0].unit_name, "甲村");
        assert_eq!(teams[0].debaters[1], DebaterRef { name: "李四".into(), phone_tail: Some("1234".into()) });
        assert_eq!(teams[1].debaters[1].phone_tail.as_deref(), Some("5678"));
        let problems = parse_teams("甲村 张三\n：李四\n乙村：").unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(parse_teams("甲村：张三").unwrap_err()[0].contains("2到32"));
    }
}
