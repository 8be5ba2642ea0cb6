//! A campaign's pure rules: the completion rule and a member's progress against it, and hours as
//! people read them. No I/O.

/// What completes a campaign for one member: at least `required_sessions` sessions OR at least
/// `required_minutes` minutes (a route set to 0 is unused), and every compulsory topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRule {
    /// Sessions needed (0 = this route unused).
    pub required_sessions: i64,
    /// Minutes needed (0 = this route unused).
    pub required_minutes: i64,
    /// Topic ids every member must have attended.
    pub compulsory_topics: Vec<i64>,
}

/// One member's progress so far, over every channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Sessions attended.
    pub sessions: i64,
    /// Minutes studied.
    pub minutes: i64,
    /// Topic ids attended (sorted, deduplicated).
    pub topics: Vec<i64>,
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
}

impl CompletionRule {
    /// Whether the progress completes the campaign.
    pub fn is_met(&self, progress: &Progress) -> bool {
        let by_sessions = self.required_sessions > 0 && progress.sessions >= self.required_sessions;
        let by_minutes = self.required_minutes > 0 && progress.minutes >= self.required_minutes;
        let no_quantity = self.required_sessions == 0 && self.required_minutes == 0;
        (by_sessions || by_minutes || no_quantity) && self.missing_topics(progress).is_empty()
    }

    /// Compulsory topics not yet attended.
    pub fn missing_topics(&self, progress: &Progress) -> Vec<i64> {
        self.compulsory_topics.iter().copied().filter(|t| progress.topics.binary_search(t).is_err()).collect()
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
        let rule = CompletionRule { required_sessions: 4, required_minutes: 720, compulsory_topics: vec![7] };
        let mut p = Progress::default();
        for _ in 0..4 {
            p.add(90, Some(3));
        }
        assert!(!rule.is_met(&p), "the compulsory first lecture is missing");
        assert_eq!(rule.missing_topics(&p), vec![7]);
        p.add(90, Some(7));
        assert!(rule.is_met(&p));
        let long = Progress { sessions: 2, minutes: 720, topics: vec![7] };
        assert!(rule.is_met(&long), "twelve hours suffice on their own");
        assert_eq!(rule.describe(), "至少4场或12小时，含1个必修专题");
    }

    #[test]
    fn a_rule_without_quantities_needs_only_the_topics() {
        let rule = CompletionRule { required_sessions: 0, required_minutes: 0, compulsory_topics: vec![] };
        assert!(rule.is_met(&Progress::default()));
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
        assert_eq!(p, Progress { sessions: 4, minutes: 210, topics: vec![2, 5] });
    }
}
