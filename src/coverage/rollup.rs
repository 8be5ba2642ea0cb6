//! Coverage's pure rules: folding attendance credits into each member's progress, why a member is
//! not yet covered and what they still lack, and the per-unit rollup. No I/O.

use std::collections::HashMap;

use crate::campaign::audience::AudienceMember;
use crate::campaign::model::{CompletionRule, Criterion, Progress, hours_text};
use crate::coded_enum;
use crate::people::model::MemberCategories;

/// The categories that explain why a member is not covered, in the order they are listed: a
/// member has each of theirs as a reason (an elderly member without a smartphone is found under
/// both).
pub const BY_CATEGORY: [(MemberCategories, Reason); 5] = [
    (MemberCategories::ELDERLY, Reason::Elderly),
    (MemberCategories::HARDSHIP, Reason::Hardship),
    (MemberCategories::SICK, Reason::Sick),
    (MemberCategories::MOBILE, Reason::Mobile),
    (MemberCategories::NO_SMARTPHONE, Reason::NoSmartphone),
];

coded_enum! {
    /// Why an audience member is not yet covered: each of their circumstances (these decide how
    /// to reach them — 送学上门, 云课堂 …), and how far they got. A member has as many reasons as
    /// apply, always exactly one of the last two. The code is for URLs and counts.
    Reason {
        /// 老党员.
        Elderly = ("elderly", "老党员"),
        /// 困难党员.
        Hardship = ("hardship", "困难党员"),
        /// 长期患病.
        Sick = ("sick", "长期患病"),
        /// 流动党员 (working away).
        Mobile = ("mobile", "流动党员"),
        /// 无智能手机.
        NoSmartphone = ("no_smartphone", "无智能手机"),
        /// Studied some, but not enough yet (or missed a compulsory topic).
        Unfinished = ("unfinished", "尚未学完"),
        /// Not reached at all yet.
        NotReached = ("not_reached", "尚未参学"),
    }
}

impl Reason {
    /// How far a member who is not covered got: studied some (尚未学完) or nothing yet (尚未参学).
    pub fn of_progress(progress: &Progress) -> Reason {
        if progress.sessions == 0 { Reason::NotReached } else { Reason::Unfinished }
    }

    /// Every reason of a member who is not covered: each of their categories in
    /// [`BY_CATEGORY`] order, then how far they got.
    pub fn for_member(categories: MemberCategories, progress: &Progress) -> Vec<Reason> {
        BY_CATEGORY
            .iter()
            .filter(|(c, _)| categories.contains(*c))
            .map(|(_, r)| *r)
            .chain([Reason::of_progress(progress)])
            .collect()
    }

    /// Reasons as one line: "老党员、无智能手机、尚未学完".
    pub fn labels(reasons: &[Reason]) -> String {
        reasons.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")
    }
}

/// What a member still lacks, in words: "还差2场或3小时；未参加必修专题：书记开讲第一课".
/// Empty when the rule is met. `topic_name` names a topic id. Read off the rule's unmet clauses
/// (see [`CompletionRule::clauses`]), so the words can never disagree with the judgement.
pub fn missing_text(
    rule: &CompletionRule,
    progress: &Progress,
    topic_name: impl Fn(i64) -> String,
) -> String {
    let mut parts = Vec::new();
    let mut topics = Vec::new();
    for clause in rule.unmet(progress) {
        let mut routes = Vec::new();
        for criterion in clause {
            match criterion {
                Criterion::Sessions(n) => routes.push(format!("{}场", n - progress.sessions)),
                Criterion::Minutes(n) => routes.push(format!("{}小时", hours_text(n - progress.minutes))),
                Criterion::Topic(topic) => topics.push(topic_name(topic)),
                // Not something the member can do: staff decide on a visit.
                Criterion::Visited => {}
            }
        }
        if !routes.is_empty() {
            parts.push(format!("还差{}", routes.join("或")));
        }
    }
    if !topics.is_empty() {
        parts.push(format!("未参加必修专题：{}", topics.join("、")));
    }
    parts.join("；")
}

/// One audience member's standing.
#[derive(Debug, Clone)]
pub struct MemberCoverage {
    /// Who.
    pub member: AudienceMember,
    /// Sessions, minutes and topics over every channel.
    pub progress: Progress,
    /// Whether the completion rule is met.
    pub covered: bool,
}

impl MemberCoverage {
    /// Why not covered yet (none when covered).
    pub fn reasons(&self) -> Vec<Reason> {
        if self.covered { Vec::new() } else { Reason::for_member(self.member.categories, &self.progress) }
    }
}

/// Audience and covered counts of one unit (with its subtree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRate {
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    pub unit_path: String,
    /// Members directly in the viewer's own unit rather than in a child (shown as 直属).
    pub direct: bool,
    /// Audience members.
    pub audience: i64,
    /// Of whom covered.
    pub covered: i64,
}

impl UnitRate {
    /// Coverage in per mille (0–1000), 0 for an empty audience.
    pub fn permille(&self) -> i64 {
        permille(self.covered, self.audience)
    }

    /// e.g. "87.5%", "—" for an empty audience.
    pub fn rate_text(&self) -> String {
        rate_text(self.covered, self.audience)
    }
}

/// covered / audience in per mille, rounded down (never shows 100 % before everyone is covered).
pub fn permille(covered: i64, audience: i64) -> i64 {
    if audience <= 0 { 0 } else { covered * 1000 / audience }
}

/// The rate as people read it: "87.5%", "100%", "—" when nobody is expected.
pub fn rate_text(covered: i64, audience: i64) -> String {
    if audience <= 0 {
        return "—".to_owned();
    }
    let p = permille(covered, audience);
    if p % 10 == 0 { format!("{}%", p / 10) } else { format!("{}.{}%", p / 10, p % 10) }
}

/// The key under which a member at `member_path` is counted for a viewer at `viewer_path`: the
/// path of the viewer's child unit that contains the member, or `member_path` itself when the
/// member sits directly in the viewer's unit. (Equals SQL's `substr(path, 1, len(viewer) + 11)`
/// for the tree's fixed-width ids.)
pub fn child_key<'a>(viewer_path: &str, member_path: &'a str) -> &'a str {
    let Some(rest) = member_path.strip_prefix(viewer_path) else {
        return member_path;
    };
    match rest.find('/') {
        Some(at) => &member_path[..viewer_path.len() + at + 1],
        None => member_path,
    }
}

/// Per child unit of the viewer (in the given order; children without audience too), plus a
/// 直属 row for members directly in the viewer's unit when there are any.
/// `children` are (id, name, path); `viewer` is (id, name, path).
///
/// `counts` are (unit path of some members, how many, how many covered) — one per member, or
/// already summed per unit; paths may repeat.
pub fn unit_rollup<'a>(
    viewer: (i64, &str, &str),
    children: &[(i64, String, String)],
    counts: impl IntoIterator<Item = (&'a str, i64, i64)>,
) -> Vec<UnitRate> {
    let (viewer_id, viewer_name, viewer_path) = viewer;
    let mut by_key: HashMap<&str, (i64, i64)> = HashMap::new();
    for (path, audience, covered) in counts {
        let entry = by_key.entry(child_key(viewer_path, path)).or_default();
        entry.0 += audience;
        entry.1 += covered;
    }
    let counts = by_key;
    let mut rows: Vec<UnitRate> = children
        .iter()
        .map(|(id, name, path)| {
            let (audience, covered) = counts.get(path.as_str()).copied().unwrap_or_default();
            UnitRate {
                unit_id: *id,
                unit_name: name.clone(),
                unit_path: path.clone(),
                direct: false,
                audience,
                covered,
            }
        })
        .collect();
    if let Some(&(audience, covered)) = counts.get(viewer_path) {
        rows.push(UnitRate {
            unit_id: viewer_id,
            unit_name: format!("{viewer_name}（直属）"),
            unit_path: viewer_path.to_owned(),
            direct: true,
            audience,
            covered,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::model::VisitCredit;

    fn member(id: i64, path: &str, categories: MemberCategories) -> AudienceMember {
        AudienceMember {
            id,
            name: format!("党员{id}"),
            name_pinyin: String::new(),
            unit_id: 0,
            unit_name: String::new(),
            unit_path: path.to_owned(),
            categories,
            phone: None,
        }
    }

    /// Joins the audience with each member's progress and judges them by the rule.
    fn judge(
        audience: Vec<AudienceMember>,
        progress: &HashMap<i64, Progress>,
        rule: &CompletionRule,
    ) -> Vec<MemberCoverage> {
        audience
            .into_iter()
            .map(|member| {
                let progress = progress.get(&member.id).cloned().unwrap_or_default();
                let covered = rule.is_met(&progress);
                MemberCoverage { member, progress, covered }
            })
            .collect()
    }

    fn rule() -> CompletionRule {
        CompletionRule {
            required_sessions: 4,
            required_minutes: 720,
            compulsory_topics: vec![7],
            visit_credit: VisitCredit::Complete,
        }
    }

    #[test]
    fn missing_names_both_routes_and_the_topic() {
        let p = Progress { sessions: 2, minutes: 540, ..Progress::default() };
        let text = missing_text(&rule(), &p, |_| "书记开讲第一课".into());
        assert_eq!(text, "还差2场或3小时；未参加必修专题：书记开讲第一课");
        let only_topic = Progress { sessions: 5, minutes: 450, topics: vec![3], visits: 0 };
        assert_eq!(missing_text(&rule(), &only_topic, |_| "第一课".into()), "未参加必修专题：第一课");
        let done = Progress { sessions: 1, minutes: 720, topics: vec![7], visits: 0 };
        let mut visited = Progress::default();
        visited.add_visit(60, &[]);
        assert_eq!(
            missing_text(&rule(), &visited, |_| "第一课".into()),
            "未参加必修专题：第一课",
            "the visit met the quantity; the words name only the topic"
        );
        assert_eq!(missing_text(&rule(), &done, |_| String::new()), "");
        let by_minutes_only = CompletionRule {
            required_minutes: 180,
            required_sessions: 0,
            compulsory_topics: vec![],
            ..rule()
        };
        assert_eq!(missing_text(&by_minutes_only, &Progress::default(), |_| String::new()), "还差3小时");
    }

    #[test]
    fn a_member_has_every_category_as_a_reason_and_how_far_they_got() {
        let none = Progress::default();
        let some = Progress { sessions: 1, minutes: 60, ..Progress::default() };
        assert_eq!(
            Reason::for_member(MemberCategories::NO_SMARTPHONE | MemberCategories::ELDERLY, &none),
            vec![Reason::Elderly, Reason::NoSmartphone, Reason::NotReached]
        );
        assert_eq!(
            Reason::for_member(MemberCategories::MOBILE, &some),
            vec![Reason::Mobile, Reason::Unfinished]
        );
        assert_eq!(Reason::for_member(MemberCategories::NONE, &none), vec![Reason::NotReached]);
        assert_eq!(Reason::labels(&Reason::for_member(MemberCategories::SICK, &some)), "长期患病、尚未学完");
        for &r in Reason::ALL {
            assert_eq!(Reason::from_code(r.code()), Some(r));
        }
    }

    #[test]
    fn members_count_under_the_viewers_child_that_holds_them() {
        let v = "/0000000001/";
        let a = "/0000000001/0000000002/";
        let b = "/0000000001/0000000004/";
        assert_eq!(child_key(v, "/0000000001/0000000002/0000000003/"), a);
        assert_eq!(child_key(v, a), a);
        assert_eq!(child_key(v, v), v);
        let done = Progress { sessions: 4, minutes: 0, topics: vec![7], visits: 0 };
        let mut progress = HashMap::new();
        progress.insert(1, done);
        let audience = vec![
            member(1, "/0000000001/0000000002/0000000003/", MemberCategories::NONE),
            member(2, a, MemberCategories::NONE),
            member(3, v, MemberCategories::NONE),
        ];
        let judged = judge(audience, &progress, &rule());
        let children = vec![(2, "甲村".to_owned(), a.to_owned()), (4, "乙村".to_owned(), b.to_owned())];
        let rates = unit_rollup(
            (1, "街道", v),
            &children,
            judged.iter().map(|m| (m.member.unit_path.as_str(), 1, i64::from(m.covered))),
        );
        assert_eq!(rates.len(), 3);
        assert_eq!((rates[0].audience, rates[0].covered), (2, 1));
        assert_eq!(rates[0].rate_text(), "50%");
        assert_eq!((rates[1].audience, rates[1].rate_text()), (0, "—".to_owned()));
        assert!(rates[2].direct && rates[2].unit_name == "街道（直属）");
        assert_eq!(rate_text(2, 3), "66.6%");
        assert_eq!(rate_text(3, 3), "100%");
    }
}
