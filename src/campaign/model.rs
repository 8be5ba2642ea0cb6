//! A campaign's pure rules: the completion rule and a member's progress against it, and hours as
//! people read them. No I/O.

use crate::coded_enum;

coded_enum! {
    /// What a door-to-door visit (送学上门) counts for in a campaign. Either way the visit adds one
    /// session, its minutes and the topics it delivered to the member's progress.
    VisitCredit {
        /// The visit completes the member's sessions-or-hours requirement on its own (送学上门
        /// exists so that those who cannot come are fully covered); compulsory topics still have
        /// to be delivered, on the visit or otherwise.
        Complete = ("complete", "完成全部要求（讲授了必修专题即算学完）"),
        /// The visit counts as one session with its minutes, like any other.
        OneSession = ("one_session", "计一场（按实际学习时长计学时）"),
    }
}

/// What completes a campaign for one member: at least `required_sessions` sessions OR at least
/// `required_minutes` minutes (a route set to 0 is unused) OR, when the campaign says so, a
/// door-to-door visit; and every compulsory topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRule {
    /// Sessions needed (0 = this route unused).
    pub required_sessions: i64,
    /// Minutes needed (0 = this route unused).
    pub required_minutes: i64,
    /// Topic ids every member must have attended.
    pub compulsory_topics: Vec<i64>,
    /// What a door-to-door visit counts for.
    pub visit_credit: VisitCredit,
}

/// One member's progress so far, over every channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Sessions attended, door-to-door visits included.
    pub sessions: i64,
    /// Minutes studied.
    pub minutes: i64,
    /// Topic ids attended or delivered on a visit (sorted, deduplicated).
    pub topics: Vec<i64>,
    /// Door-to-door visits received (each also counted in `sessions`).
    pub visits: i64,
}

impl Progress {
    /// Adds one attendance.
    pub fn add(&mut self, minutes: i64, topic: Option<i64>) {
        self.sessions += 1;
        self.minutes += minutes;
        if let Some(topic) = topic
            && let Err(at) = self.topics.binary_search(&topic)
        {
            self.topics.insert(at, topic);
        }
    }

    /// Adds one door-to-door visit: a session with its minutes and every topic it delivered.
    pub fn add_visit(&mut self, minutes: i64, topics: &[i64]) {
        self.add(minutes, None);
        self.visits += 1;
        for topic in topics {
            if let Err(at) = self.topics.binary_search(topic) {
                self.topics.insert(at, *topic);
            }
        }
    }
}

/// One condition a member's progress can meet; the completion rule is made of them (see
/// [`CompletionRule::clauses`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// At least this many sessions attended.
    Sessions(i64),
    /// At least this many minutes studied.
    Minutes(i64),
    /// This topic attended.
    Topic(i64),
    /// A door-to-door visit received.
    Visited,
}

impl Criterion {
    /// Whether the progress meets this criterion.
    pub fn holds(self, progress: &Progress) -> bool {
        match self {
            Criterion::Sessions(n) => progress.sessions >= n,
            Criterion::Minutes(n) => progress.minutes >= n,
            Criterion::Topic(topic) => progress.topics.binary_search(&topic).is_ok(),
            Criterion::Visited => progress.visits > 0,
        }
    }
}

impl CompletionRule {
    /// THE definition of "covered": a member is covered when every clause has a criterion that
    /// holds. The first clause is the quantity (sessions OR minutes, each route only when set,
    /// OR a door-to-door visit when the campaign counts one as complete; no clause at all when
    /// neither route is set), then one clause per compulsory topic.
    ///
    /// Everything that judges coverage derives from this list: [`Self::is_met`] here, the SQL
    /// conditions in `coverage::sql`, and the words of what is still missing. The progress rows
    /// the database keeps hold raw counts only, so no other copy of the rule exists.
    pub fn clauses(&self) -> Vec<Vec<Criterion>> {
        let routes = [
            (self.required_sessions > 0).then_some(Criterion::Sessions(self.required_sessions)),
            (self.required_minutes > 0).then_some(Criterion::Minutes(self.required_minutes)),
        ];
        let mut quantity: Vec<Criterion> = routes.into_iter().flatten().collect();
        if !quantity.is_empty() && self.visit_credit == VisitCredit::Complete {
            quantity.push(Criterion::Visited);
        }
        let topics = self.compulsory_topics.iter().map(|topic| vec![Criterion::Topic(*topic)]);
        (!quantity.is_empty()).then_some(quantity).into_iter().chain(topics).collect()
    }

    /// Whether the progress completes the campaign.
    pub fn is_met(&self, progress: &Progress) -> bool {
        self.unmet(progress).is_empty()
    }

    /// The clauses the progress does not meet yet (none when the campaign is complete).
    pub fn unmet(&self, progress: &Progress) -> Vec<Vec<Criterion>> {
        self.clauses().into_iter().filter(|clause| !clause.iter().any(|c| c.holds(progress))).collect()
    }

    /// The rule in words, e.g. "至少4场或12小时，含必修专题".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.required_sessions > 0 {
            parts.push(format!("{}场", self.required_sessions));
        }
        if self.required_minutes > 0 {
            parts.push(format!("{}小时", hours_text(self.required_minutes)));
        }
        let mut text =
            if parts.is_empty() { "参加学习".to_owned() } else { format!("至少{}", parts.join("或")) };
        if !self.compulsory_topics.is_empty() {
            text.push_str(&format!("，含{}个必修专题", self.compulsory_topics.len()));
        }
        text
    }
}

/// Minutes as hours for people, without a unit (callers append "小时"): whole hours bare
/// (720 → "12"), otherwise at most two decimals with trailing zeros dropped (90 → "1.5",
/// 285 → "4.75"). Exact whenever the minutes are a multiple of 3, so every quarter hour is;
/// other minutes round to the nearest hundredth (100 → "1.67"), which is still close enough
/// that the campaign edit form, which shows this and reads hours back as minutes, gets the same
/// minutes back.
pub fn hours_text(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    // Integer hundredths of an hour, rounded half up, so no float noise ("4.7499…") can leak in.
    let hundredths = (minutes.unsigned_abs() * 100 + 30) / 60;
    let (whole, fraction) = (hundredths / 100, hundredths % 100);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let decimals = format!("{fraction:02}");
        format!("{sign}{whole}.{}", decimals.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_sessions_or_twelve_hours_plus_the_first_lecture() {
        let rule = CompletionRule {
            required_sessions: 4,
            required_minutes: 720,
            compulsory_topics: vec![7],
            visit_credit: VisitCredit::OneSession,
        };
        let mut p = Progress::default();
        for _ in 0..4 {
            p.add(90, Some(3));
        }
        assert!(!rule.is_met(&p), "the compulsory first lecture is missing");
        assert_eq!(rule.unmet(&p), vec![vec![Criterion::Topic(7)]]);
        p.add(90, Some(7));
        assert!(rule.is_met(&p));
        let long = Progress { sessions: 2, minutes: 720, topics: vec![7], visits: 0 };
        assert!(rule.is_met(&long), "twelve hours suffice on their own");
        assert_eq!(rule.describe(), "至少4场或12小时，含1个必修专题");
    }

    #[test]
    fn a_rule_without_quantities_needs_only_the_topics() {
        let rule = CompletionRule {
            required_sessions: 0,
            required_minutes: 0,
            compulsory_topics: vec![],
            visit_credit: VisitCredit::Complete,
        };
        assert!(rule.clauses().is_empty());
        assert!(rule.is_met(&Progress::default()));
        let rule = CompletionRule { compulsory_topics: vec![7], ..rule };
        assert!(!rule.is_met(&Progress::default()));
        assert!(rule.is_met(&Progress { topics: vec![7], ..Progress::default() }));
    }

    #[test]
    fn the_rule_is_one_quantity_clause_of_the_routes_in_use_then_one_clause_per_topic() {
        let rule = |s, m, t: &[i64]| CompletionRule {
            required_sessions: s,
            required_minutes: m,
            compulsory_topics: t.to_vec(),
            visit_credit: VisitCredit::OneSession,
        };
        use Criterion::{Minutes, Sessions, Topic, Visited};
        assert_eq!(
            rule(4, 720, &[7, 9]).clauses(),
            vec![vec![Sessions(4), Minutes(720)], vec![Topic(7)], vec![Topic(9)]]
        );
        assert_eq!(rule(4, 0, &[]).clauses(), vec![vec![Sessions(4)]]);
        assert_eq!(rule(0, 720, &[3]).clauses(), vec![vec![Minutes(720)], vec![Topic(3)]]);
        let complete = CompletionRule { visit_credit: VisitCredit::Complete, ..rule(4, 0, &[7]) };
        assert_eq!(complete.clauses(), vec![vec![Sessions(4), Visited], vec![Topic(7)]]);
        let three_sessions = Progress { sessions: 3, minutes: 800, topics: vec![9], visits: 0 };
        assert_eq!(rule(4, 0, &[7, 9]).unmet(&three_sessions), vec![vec![Sessions(4)], vec![Topic(7)]]);
    }

    #[test]
    fn hours_read_exactly_to_two_decimals_without_trailing_zeros() {
        let cases = [
            (0, "0"),
            (720, "12"),
            (90, "1.5"),
            (285, "4.75"),
            (15, "0.25"),
            (45, "0.75"),
            (66, "1.1"),
            (100, "1.67"),
            (1, "0.02"),
            (719, "11.98"),
            (-90, "-1.5"),
        ];
        for (minutes, text) in cases {
            assert_eq!(hours_text(minutes), text, "{minutes} minutes");
        }
    }

    #[test]
    fn hours_text_read_back_as_the_edit_form_does_gives_the_same_minutes() {
        for minutes in 0..=6000 {
            let hours: f64 = hours_text(minutes).parse().unwrap();
            assert_eq!((hours * 60.0).round() as i64, minutes, "{minutes} minutes");
        }
    }

    #[test]
    fn progress_keeps_topics_sorted_and_unique() {
        let mut p = Progress::default();
        p.add(60, Some(5));
        p.add(60, Some(2));
        p.add(60, Some(5));
        p.add(30, None);
        assert_eq!(p, Progress { sessions: 4, minutes: 210, topics: vec![2, 5], visits: 0 });
    }

    #[test]
    fn a_visit_that_delivers_the_compulsory_topics_completes_when_the_campaign_says_so() {
        let rule = |credit| CompletionRule {
            required_sessions: 4,
            required_minutes: 720,
            compulsory_topics: vec![7],
            visit_credit: credit,
        };
        let mut visited = Progress::default();
        visited.add_visit(90, &[3]);
        assert_eq!(visited, Progress { sessions: 1, minutes: 90, topics: vec![3], visits: 1 });
        assert!(!rule(VisitCredit::Complete).is_met(&visited), "the compulsory topic is still missing");
        assert_eq!(rule(VisitCredit::Complete).unmet(&visited), vec![vec![Criterion::Topic(7)]]);
        let mut delivered = Progress::default();
        delivered.add_visit(90, &[7, 3]);
        assert!(rule(VisitCredit::Complete).is_met(&delivered));
        assert!(!rule(VisitCredit::OneSession).is_met(&delivered), "one session of four");
        assert_eq!(VisitCredit::from_code("complete"), Some(VisitCredit::Complete));
    }
}
