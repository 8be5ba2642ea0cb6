use chrono::NaiveDate;

use super::*;

fn cand(id: i64, unit: i64, points: i64, sessions: i64, volunteer: i64) -> Candidate {
    Candidate {
        member_id: id,
        name: format!("党员{id:02}"),
        unit_id: unit,
        unit_name: format!("村{unit}"),
        points,
        sessions,
        volunteer_points: volunteer,
    }
}

fn criteria(top_n: i64, min_sessions: i64, min_hours: i64) -> Criteria {
    Criteria { top_n, min_sessions, min_volunteer_hours: min_hours, issuer: String::new() }
}

fn ids(p: &[Proposed]) -> Vec<(i64, i64, bool)> {
    p.iter().map(|p| (p.candidate.member_id, p.rank, p.tied)).collect()
}

#[test]
fn months_parse_and_know_their_days() {
    let m = Month::parse("2026-02").unwrap();
    assert_eq!(m.to_string(), "2026-02");
    assert_eq!(m.label(), "2026年2月");
    assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
    assert_eq!(Month::parse("2026-12").unwrap().next().to_string(), "2027-01");
    assert_eq!(Month::parse("2027-01").unwrap().previous().to_string(), "2026-12");
    for bad in ["", "2026-13", "2026-1", "26-01", "2026/01", "abcd-ef"] {
        assert_eq!(Month::parse(bad), None, "{bad}");
    }
}

#[test]
fn a_month_has_ended_only_after_its_last_day() {
    let m = Month::parse("2026-11").unwrap();
    assert!(!m.has_ended(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
    assert!(m.has_ended(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
}

#[test]
fn top_n_per_unit_by_points() {
    let c = [cand(1, 1, 10, 1, 0), cand(2, 1, 30, 1, 0), cand(3, 1, 20, 1, 0), cand(4, 2, 5, 1, 0)];
    assert_eq!(ids(&propose(&c, &criteria(2, 0, 0), 2)), vec![(2, 1, false), (3, 2, false), (4, 1, false)]);
}

#[test]
fn everyone_tied_at_the_nth_place_is_proposed() {
    let c = [
        cand(1, 1, 30, 1, 0),
        cand(2, 1, 20, 1, 0),
        cand(3, 1, 20, 1, 0),
        cand(4, 1, 20, 1, 0),
        cand(5, 1, 10, 1, 0),
    ];
    let p = propose(&c, &criteria(2, 0, 0), 2);
    assert_eq!(ids(&p), vec![(1, 1, false), (2, 2, true), (3, 2, true), (4, 2, true)]);
    assert_eq!(over_quota(&p, 2), vec![("村1".to_owned(), 4)]);
    assert_eq!(
        proposal_reason(&p[1], Month::parse("2026-11").unwrap()),
        "2026年11月积分村1并列第2名（20分，参加学习1次）"
    );
}

#[test]
fn a_tie_above_the_cut_skips_the_next_rank() {
    let c = [cand(1, 1, 30, 1, 0), cand(2, 1, 30, 1, 0), cand(3, 1, 20, 1, 0)];
    assert_eq!(ids(&propose(&c, &criteria(2, 0, 0), 2)), vec![(1, 1, true), (2, 1, true)]);
}

#[test]
fn a_reason_without_sessions_does_not_count_zero() {
    let p = propose(&[cand(1, 1, 28, 0, 0)], &criteria(3, 0, 0), 2);
    assert_eq!(proposal_reason(&p[0], Month::parse("2026-10").unwrap()), "2026年10月积分村1第1名（28分）");
}

#[test]
fn minimums_and_zero_points_exclude() {
    let c = [cand(1, 1, 50, 0, 0), cand(2, 1, 40, 2, 2), cand(3, 1, 30, 2, 8), cand(4, 1, 0, 5, 8)];
    assert_eq!(ids(&propose(&c, &criteria(5, 1, 0), 2)), vec![(2, 1, false), (3, 2, false)]);
    assert_eq!(ids(&propose(&c, &criteria(5, 1, 2), 2)), vec![(3, 1, false)], "8 points = 4 hours");
    assert_eq!(volunteer_hours(7, 2), 3);
    assert_eq!(volunteer_hours(7, 0), 0);
}
