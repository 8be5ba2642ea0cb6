//! Speech contests' rules, pure: the rubric (items and weights summing to 100), a judge's marks
//! (each item 0 to its weight, the weighted total their sum, out of 100), and the results'
//! order — judges' average total, then audience votes, then the earlier entry — with placings.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use crate::coded_enum;
use crate::points::PointKind;

coded_enum! {
    /// Where a contest is in its life.
    ContestStatus {
        /// 进行中: rounds open and close.
        Running = ("running", "进行中"),
        /// 已结束: results fixed, placings paid.
        Finished = ("finished", "已结束"),
    }
}

coded_enum! {
    /// Where a round is: entries, scores and votes are taken only while it is open.
    RoundStatus {
        /// 未开始.
        Pending = ("pending", "未开始"),
        /// 进行中: members enter, judges score, the audience votes.
        Open = ("open", "进行中"),
        /// 已结束: nothing changes any more.
        Closed = ("closed", "已结束"),
    }
}

/// The rubric a new contest starts with.
pub const DEFAULT_RUBRIC: &str = "内容 40\n表达 30\n仪态 20\n时间 10";

/// The order of results, as the page states it.
pub const TIE_BREAK: &str =
    "按评委平均分（加权总分，满分100）排序；平均分相同的，得票多者在前；再相同的，先报名者在前。";

/// Most items a rubric has.
pub const MAX_ITEMS: usize = 8;

/// One rubric item: what is judged, and its weight (the most marks it gives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricItem {
    /// 内容, 表达, …
    pub name: String,
    /// Its weight in the 100.
    pub weight: i64,
}

/// Reads a rubric typed one item a line ("内容 40", "内容：40", "内容:40"), or stored
/// ("内容:40,表达:30"). Names 1 to 10 characters, different; weights 1 to 100 summing to 100.
pub fn parse_rubric(text: &str) -> Result<Vec<RubricItem>, String> {
    let mut items: Vec<RubricItem> = Vec::new();
    for part in text.split(['\n', ',', '，']).map(str::trim).filter(|p| !p.is_empty()) {
        let split = part.rfind([' ', ':', '：', '\t']);
        let Some(at) = split else {
            return Err(format!("评分标准：“{part}”请写成“项目 分值”，如“内容 40”"));
        };
        let name = part[..at].trim().trim_end_matches([':', '：']).trim();
        let weight = part[at..].trim_start_matches([' ', ':', '：', '\t']).trim();
        let Ok(weight) = weight.parse::<i64>() else {
            return Err(format!("评分标准：“{part}”的分值应为整数"));
        };
        if name.is_empty() || name.chars().count() > 10 {
            return Err(format!("评分标准：“{part}”的项目名称应为1到10字"));
        }
        if !(1..=100).contains(&weight) {
            return Err(format!("评分标准：“{name}”的分值应为1到100"));
        }
        if items.iter().any(|i| i.name == name) {
            return Err(format!("评分标准：项目“{name}”重复"));
        }
        items.push(RubricItem { name: name.to_owned(), weight });
    }
    if items.is_empty() {
        return Err("评分标准：请至少填写一项，如“内容 40”".into());
    }
    if items.len() > MAX_ITEMS {
        return Err(format!("评分标准：最多{MAX_ITEMS}项"));
    }
    let sum: i64 = items.iter().map(|i| i.weight).sum();
    if sum != 100 {
        return Err(format!("评分标准：各项分值之和应为100，现在是{sum}"));
    }
    Ok(items)
}

/// The rubric as stored: "内容:40,表达:30".
pub fn rubric_text(items: &[RubricItem]) -> String {
    items.iter().map(|i| format!("{}:{}", i.name, i.weight)).collect::<Vec<_>>().join(",")
}

/// The rubric as typed in the form, one item a line.
pub fn rubric_lines(items: &[RubricItem]) -> String {
    items.iter().map(|i| format!("{} {}", i.name, i.weight)).collect::<Vec<_>>().join("\n")
}

/// Problems with typed marks: the item's index and the message.
pub type MarkProblems = Vec<(usize, String)>;

/// Checks a judge's marks, one per item as typed: each a whole number from 0 to the item's
/// weight. Returns the marks and their sum (the weighted total, out of 100), or each problem by
/// item index.
pub fn check_marks(rubric: &[RubricItem], typed: &[String]) -> Result<(Vec<i64>, i64), MarkProblems> {
    let mut marks = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in rubric.iter().enumerate() {
        let text = typed.get(i).map(|s| s.trim()).unwrap_or("");
        match text.parse::<i64>() {
            Ok(m) if (0..=item.weight).contains(&m) => marks.push(m),
            _ => problems.push((i, format!("{}：请填写0到{}的整数", item.name, item.weight))),
        }
    }
    if problems.is_empty() {
        let total = marks.iter().sum();
        Ok((marks, total))
    } else {
        Err(problems)
    }
}

/// Marks as stored: "38,27,18,9".
pub fn marks_text(marks: &[i64]) -> String {
    marks.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Marks read back from storage (missing or broken ones are empty).
pub fn parse_marks(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_owned()).collect()
}

/// One entry's tally in a round: what the order is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// The entry.
    pub entry_id: i64,
    /// The member who spoke.
    pub member_id: i64,
    /// Their name.
    pub name: String,
    /// Their unit's name.
    pub unit_name: String,
    /// The speech's title.
    pub title: String,
    /// When it was entered.
    pub created_at: DateTime<Utc>,
    /// The judges' totals added up.
    pub score_sum: i64,
    /// How many judges scored it.
    pub judges: i64,
    /// Audience votes.
    pub votes: i64,
}

impl Tally {
    /// The judges' average, in hundredths of a mark, rounded (0 when no judge scored it).
    pub fn average_centi(&self) -> i64 {
        if self.judges == 0 { 0 } else { (self.score_sum * 100 * 2 + self.judges) / (self.judges * 2) }
    }

    /// The average as shown: "87.33", or "—" before any judge scored it.
    pub fn average_label(&self) -> String {
        if self.judges == 0 {
            return "—".into();
        }
        let c = self.average_centi();
        format!("{}.{:02}", c / 100, c % 100)
    }
}

/// The order of [`TIE_BREAK`]: a higher average first (compared exactly, as fractions; an entry
/// no judge scored after every scored one), then more votes, then the earlier entry.
pub fn compare(a: &Tally, b: &Tally) -> Ordering {
    let scored = |t: &Tally| t.judges > 0;
    scored(b)
        .cmp(&scored(a))
        .then_with(|| (b.score_sum * a.judges.max(1)).cmp(&(a.score_sum * b.judges.max(1))))
        .then_with(|| b.votes.cmp(&a.votes))
        .then_with(|| a.created_at.cmp(&b.created_at))
        .then_with(|| a.entry_id.cmp(&b.entry_id))
}

/// One line of a round's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// 1, 2, 3 … (the tie-break leaves no two equal).
    pub rank: i64,
    /// What it was decided on.
    pub tally: Tally,
    /// The points kind its place earns (first three, judged), if any.
    pub placing: Option<PointKind>,
}

impl Placed {
    /// 一等奖, 二等奖, 三等奖, or nothing.
    pub fn place_label(&self) -> &'static str {
        self.placing.map_or("", placing_label)
    }
}

/// The round's results in order, with placings: the first three that a judge scored.
pub fn results(mut tallies: Vec<Tally>) -> Vec<Placed> {
    tallies.sort_by(compare);
    tallies
        .into_iter()
        .enumerate()
        .map(|(i, tally)| {
            let rank = i as i64 + 1;
            let placing = if tally.judges == 0 {
                None
            } else {
                match rank {
                    1 => Some(PointKind::ContestFirst),
                    2 => Some(PointKind::ContestSecond),
                    3 => Some(PointKind::ContestThird),
                    _ => None,
                }
            };
            Placed { rank, tally, placing }
        })
        .collect()
}

/// The place as printed on a certificate and the results page.
pub fn placing_label(kind: PointKind) -> &'static str {
    match kind {
        PointKind::ContestFirst => "一等奖",
        PointKind::ContestSecond => "二等奖",
        _ => "三等奖",
    }
}

/// Whether a video address is one the entry page may link or play: http(s), at most 500 chars.
pub fn video_url_ok(url: &str) -> bool {
    let url = url.trim();
    (url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        && !url.starts_with("//")
        && url.chars().count() <= 500
        && !url.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

/// Whether the page plays it itself in `<video>`: a video served by this site (the page's
/// policy lets media come from here only); a link elsewhere (视频号, 抖音) opens in its own page.
pub fn plays_inline(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(entry_id: i64, score_sum: i64, judges: i64, votes: i64, minute: i64) -> Tally {
        Tally {
            entry_id,
            member_id: entry_id,
            name: format!("甲{entry_id}"),
            unit_name: String::new(),
            title: String::new(),
            created_at: DateTime::from_timestamp(1_700_000_000 + minute * 60, 0).unwrap(),
            score_sum,
            judges,
            votes,
        }
    }

    #[test]
    fn the_default_rubric_reads_and_sums_to_100() {
        let items = parse_rubric(DEFAULT_RUBRIC).unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0], RubricItem { name: "内容".into(), weight: 40 });
        assert_eq!(parse_rubric(&rubric_text(&items)).unwrap(), items);
        assert_eq!(parse_rubric("内容：50\n表达:50").unwrap().len(), 2);
    }

    #[test]
    fn a_rubric_not_summing_to_100_or_malformed_is_refused() {
        assert!(parse_rubric("内容 40\n表达 30").unwrap_err().contains("现在是70"));
        assert!(parse_rubric("内容 40\n内容 60").unwrap_err().contains("重复"));
        assert!(parse_rubric("内容\n表达 100").is_err());
        assert!(parse_rubric("内容 四十").unwrap_err().contains("整数"));
        assert!(parse_rubric("").is_err());
    }

    #[test]
    fn marks_are_each_within_their_weight_and_sum_to_the_total() {
        let rubric = parse_rubric(DEFAULT_RUBRIC).unwrap();
        let typed = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(check_marks(&rubric, &typed(&["38", "27", "18", "9"])), Ok((vec![38, 27, 18, 9], 92)));
        let problems = check_marks(&rubric, &typed(&["41", "27", "", "x"])).unwrap_err();
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 2, 3]);
        assert!(problems[0].1.contains("0到40"));
    }

    #[test]
    fn order_is_average_then_votes_then_earlier_entry() {
        // 1: average 90 over two judges; 2: 90 over one judge, more votes; 3: same as 2 but later.
        let placed = results(vec![
            tally(3, 90, 1, 5, 3),
            tally(1, 180, 2, 1, 1),
            tally(4, 0, 0, 50, 0),
            tally(2, 90, 1, 5, 2),
            tally(5, 95, 1, 0, 9),
        ]);
        let order: Vec<i64> = placed.iter().map(|p| p.tally.entry_id).collect();
        assert_eq!(order, vec![5, 2, 3, 1, 4]);
        assert_eq!(placed[0].placing, Some(PointKind::ContestFirst));
        assert_eq!(placed[2].placing, Some(PointKind::ContestThird));
        assert_eq!(placed[3].placing, None);
        assert_eq!(placed[4].placing, None, "not judged: no placing");
    }

    #[test]
    fn averages_are_compared_exactly_and_shown_to_two_places() {
        let a = tally(1, 256, 3, 0, 0); // 85.333…
        let b = tally(2, 171, 2, 0, 1); // 85.5
        assert_eq!(compare(&b, &a), Ordering::Less);
        assert_eq!(a.average_label(), "85.33");
        assert_eq!(b.average_label(), "85.50");
        assert_eq!(tally(3, 0, 0, 0, 0).average_label(), "—");
    }

    #[test]
    fn video_addresses_are_web_links_or_local_paths() {
        assert!(video_url_ok("https://v.example.cn/a.mp4"));
        assert!(video_url_ok("/media/abc.webm"));
        assert!(!video_url_ok("javascript:alert(1)"));
        assert!(!video_url_ok("//evil.example/a.mp4"));
        assert!(plays_inline("/classroom/episodes/1/video"));
        assert!(!plays_inline("https://v.example.cn/a.mp4"));
    }
}
