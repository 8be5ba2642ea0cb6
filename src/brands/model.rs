//! Village brands, pure: the two brands of a station and what makes a valid one, and the
//! villages' comparison (对标找差) — each village's month of figures against the month before, the
//! movement shown as ↑/↓ and the difference, sorted by any column. No I/O.

use std::cmp::Ordering;

use crate::coded_enum;

coded_enum! {
    /// Which of a station's two brands a photo shows.
    Brand {
        /// 志愿服务品牌, e.g. "莲心"服务.
        Service = ("service", "志愿服务品牌"),
        /// 冬训品牌 (宣讲), e.g. "莲说"宣讲, 口袋冬训.
        Training = ("training", "冬训品牌"),
    }
}

/// A station's two brands, as stored and shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Profile {
    /// 志愿服务品牌 name.
    pub service_brand: String,
    /// Its slogan.
    pub service_slogan: String,
    /// Its story.
    pub service_story: String,
    /// 冬训品牌 name.
    pub training_brand: String,
    /// Its slogan.
    pub training_slogan: String,
    /// Its story.
    pub training_story: String,
}

impl Profile {
    /// Whether nothing was filled in yet.
    pub fn is_empty(&self) -> bool {
        self.service_brand.is_empty() && self.training_brand.is_empty()
    }

    /// The line a share card and the index show: the brands' names and the first slogan.
    pub fn summary(&self) -> String {
        let names: Vec<&str> = [self.service_brand.as_str(), self.training_brand.as_str()]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        let slogan = [self.service_slogan.as_str(), self.training_slogan.as_str()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or("");
        match (names.is_empty(), slogan.is_empty()) {
            (true, _) => slogan.to_owned(),
            (false, true) => names.join(" · "),
            (false, false) => format!("{}：{slogan}", names.join(" · ")),
        }
    }
}

/// The longest name, slogan and story, in characters: (field, label, most).
pub const LIMITS: [(&str, &str, usize); 6] = [
    ("service_brand", "志愿服务品牌", 40),
    ("service_slogan", "志愿服务品牌口号", 80),
    ("service_story", "志愿服务品牌故事", 2000),
    ("training_brand", "冬训品牌", 40),
    ("training_slogan", "冬训品牌口号", 80),
    ("training_story", "冬训品牌故事", 2000),
];

impl Profile {
    /// The profile as typed, trimmed, or each field's problem (field, message) in Chinese.
    pub fn checked(self) -> Result<Profile, Vec<(&'static str, String)>> {
        let p = Profile {
            service_brand: self.service_brand.trim().to_owned(),
            service_slogan: self.service_slogan.trim().to_owned(),
            service_story: self.service_story.trim().to_owned(),
            training_brand: self.training_brand.trim().to_owned(),
            training_slogan: self.training_slogan.trim().to_owned(),
            training_story: self.training_story.trim().to_owned(),
        };
        let values = [
            &p.service_brand,
            &p.service_slogan,
            &p.service_story,
            &p.training_brand,
            &p.training_slogan,
            &p.training_story,
        ];
        let mut problems = Vec::new();
        for ((field, label, most), value) in LIMITS.iter().zip(values) {
            if value.chars().count() > *most {
                problems.push((*field, format!("{label}不能超过{most}个字")));
            }
        }
        if p.service_brand.is_empty() && p.training_brand.is_empty() {
            problems.push(("service_brand", "请至少填写一个品牌名称".to_owned()));
        }
        if problems.is_empty() { Ok(p) } else { Err(problems) }
    }
}

/// A village's figures for one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Training sessions held (started, not cancelled) by the village or its branches.
    pub sessions: i64,
    /// 冬训+ activities held.
    pub activities: i64,
    /// Approved volunteer minutes.
    pub volunteer_minutes: i64,
    /// People served by those activities.
    pub people_served: i64,
    /// Column articles published.
    pub articles: i64,
    /// Points its members earned.
    pub points: i64,
    /// Its active members.
    pub members: i64,
}

impl Figures {
    /// Points per member in tenths (one decimal shown), 0 without members.
    pub fn points_per_member_tenths(&self) -> i64 {
        if self.members <= 0 { 0 } else { (self.points * 10 + self.members / 2) / self.members }
    }

    /// Volunteer hours in tenths.
    pub fn hour_tenths(&self) -> i64 {
        (self.volunteer_minutes + 3) / 6
    }
}

coded_enum! {
    /// A column of the comparison, by which it can be sorted.
    Metric {
        /// 开展场次.
        Sessions = ("sessions", "开展场次"),
        /// 覆盖率.
        Coverage = ("coverage", "覆盖率"),
        /// 冬训+活动.
        Activities = ("activities", "冬训+活动"),
        /// 志愿服务时长.
        Hours = ("hours", "志愿服务时长（小时）"),
        /// 服务人数.
        Served = ("served", "服务人数"),
        /// 专栏发稿.
        Articles = ("articles", "专栏发稿"),
        /// 人均积分.
        Points = ("points", "人均积分"),
    }
}

/// One village on the comparison page.
#[derive(Debug, Clone)]
pub struct Village {
    /// Its unit id.
    pub unit_id: i64,
    /// Its name.
    pub name: String,
    /// Coverage of the current campaign at the end of the month (so far, for the month under
    /// way), per mille (none: nobody expected).
    pub coverage: Option<i64>,
    /// The same at the end of the month before.
    pub coverage_before: Option<i64>,
    /// The month asked for.
    pub now: Figures,
    /// The month before.
    pub before: Figures,
}

impl Village {
    /// A column's value in the month and the month before, in the unit shown (tenths for hours
    /// and points per member, per mille — tenths of a per cent — for coverage).
    pub fn value(&self, metric: Metric) -> (i64, Option<i64>) {
        let of = |f: &Figures| match metric {
            Metric::Sessions => f.sessions,
            Metric::Coverage => 0,
            Metric::Activities => f.activities,
            Metric::Hours => f.hour_tenths(),
            Metric::Served => f.people_served,
            Metric::Articles => f.articles,
            Metric::Points => f.points_per_member_tenths(),
        };
        match metric {
            Metric::Coverage => {
                (self.coverage.unwrap_or(-1), self.coverage.and(self.coverage_before.or(Some(0))))
            }
            _ => (of(&self.now), Some(of(&self.before))),
        }
    }

    /// A cell as shown: the value, and the movement against the month before.
    pub fn cell(&self, metric: Metric) -> (String, Movement) {
        let (now, before) = self.value(metric);
        let text = match metric {
            Metric::Coverage => match self.coverage {
                Some(p) => tenths_text(p, "%"),
                None => "—".to_owned(),
            },
            Metric::Hours | Metric::Points => tenths_text(now, ""),
            _ => now.to_string(),
        };
        let scale = matches!(metric, Metric::Hours | Metric::Points | Metric::Coverage);
        (text, before.map_or(Movement::None, |b| Movement::between(now, b, scale)))
    }
}

/// `value` tenths as text with one decimal dropped when zero: 125 → "12.5", 120 → "12".
fn tenths_text(value: i64, suffix: &str) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let v = value.abs();
    if v % 10 == 0 {
        format!("{sign}{}{suffix}", v / 10)
    } else {
        format!("{sign}{}.{}{suffix}", v / 10, v % 10)
    }
}

/// How a figure moved against the month before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Movement {
    /// No month before to compare with (nobody expected).
    None,
    /// Unchanged.
    Same,
    /// Up by the text's amount.
    Up(String),
    /// Down by the text's amount.
    Down(String),
}

impl Movement {
    /// `now` against `before`; `tenths` when both are in tenths.
    pub fn between(now: i64, before: i64, tenths: bool) -> Movement {
        let diff = now - before;
        let amount = if tenths { tenths_text(diff.abs(), "") } else { diff.abs().to_string() };
        match diff.cmp(&0) {
            Ordering::Greater => Movement::Up(amount),
            Ordering::Less => Movement::Down(amount),
            Ordering::Equal => Movement::Same,
        }
    }

    /// As shown beside the figure: "↑3", "↓1.5", "持平", or nothing.
    pub fn text(&self) -> String {
        match self {
            Movement::None => String::new(),
            Movement::Same => "持平".to_owned(),
            Movement::Up(a) => format!("↑{a}"),
            Movement::Down(a) => format!("↓{a}"),
        }
    }

    /// The CSS class: up, down or same.
    pub fn class(&self) -> &'static str {
        match self {
            Movement::Up(_) => "up",
            Movement::Down(_) => "down",
            _ => "same",
        }
    }
}

/// Sorts villages by a column, largest first unless `ascending`; ties keep the tree order.
pub fn sort(villages: &mut [Village], metric: Metric, ascending: bool) {
    villages.sort_by(|a, b| {
        let order = a.value(metric).0.cmp(&b.value(metric).0);
        if ascending { order } else { order.reverse() }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn village(name: &str, sessions: i64, before: i64, coverage: Option<i64>) -> Village {
        Village {
            unit_id: 0,
            name: name.into(),
            coverage,
            coverage_before: coverage.map(|c| c - 125),
            now: Figures { sessions, points: 25, members: 10, volunteer_minutes: 90, ..Figures::default() },
            before: Figures { sessions: before, points: 10, members: 10, ..Figures::default() },
        }
    }

    #[test]
    fn movement_shows_the_difference_with_its_direction() {
        assert_eq!(Movement::between(5, 2, false).text(), "↑3");
        assert_eq!(Movement::between(2, 5, false).text(), "↓3");
        assert_eq!(Movement::between(4, 4, false).text(), "持平");
        assert_eq!(Movement::between(25, 10, true).text(), "↑1.5");
        assert_eq!(Movement::between(10, 30, true).text(), "↓2");
    }

    #[test]
    fn cells_show_tenths_and_coverage_moves_in_points_of_a_per_cent() {
        let v = village("甲村", 3, 1, Some(875));
        assert_eq!(v.cell(Metric::Sessions), ("3".to_owned(), Movement::Up("2".into())));
        assert_eq!(v.cell(Metric::Points), ("2.5".to_owned(), Movement::Up("1.5".into())));
        assert_eq!(v.cell(Metric::Hours), ("1.5".to_owned(), Movement::Up("1.5".into())));
        assert_eq!(v.cell(Metric::Coverage), ("87.5%".to_owned(), Movement::Up("12.5".into())));
        let none_before = Village { coverage_before: None, ..v.clone() };
        assert_eq!(none_before.cell(Metric::Coverage).1, Movement::Up("87.5".into()), "from nothing");
        assert_eq!(village("乙村", 0, 0, None).cell(Metric::Coverage).0, "—");
    }

    #[test]
    fn sorting_by_a_column_either_way_keeps_ties_in_tree_order() {
        let mut vs =
            vec![village("甲", 1, 0, Some(100)), village("乙", 3, 0, None), village("丙", 1, 0, Some(900))];
        sort(&mut vs, Metric::Sessions, false);
        assert_eq!(vs.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["乙", "甲", "丙"]);
        sort(&mut vs, Metric::Coverage, true);
        assert_eq!(vs.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["乙", "甲", "丙"]);
    }

    #[test]
    fn points_per_member_rounds_and_survives_no_members() {
        let f = Figures { points: 7, members: 3, ..Figures::default() };
        assert_eq!(f.points_per_member_tenths(), 23);
        assert_eq!(Figures::default().points_per_member_tenths(), 0);
    }

    #[test]
    fn a_profile_needs_a_name_and_stays_within_its_limits() {
        let ok = Profile { service_brand: " “莲心”服务 ".into(), ..Profile::default() }.checked().unwrap();
        assert_eq!(ok.service_brand, "“莲心”服务");
        assert!(Profile::default().checked().is_err());
        let long = Profile { training_brand: "说".repeat(41), ..Profile::default() }.checked().unwrap_err();
        assert_eq!(long, vec![("training_brand", "冬训品牌不能超过40个字".to_owned())]);
    }

    #[test]
    fn the_summary_names_both_brands_and_a_slogan() {
        let p = Profile {
            service_brand: "莲心服务".into(),
            training_brand: "莲说宣讲".into(),
            training_slogan: "把党课讲到田间".into(),
            ..Profile::default()
        };
        assert_eq!(p.summary(), "莲心服务 · 莲说宣讲：把党课讲到田间");
    }
}
