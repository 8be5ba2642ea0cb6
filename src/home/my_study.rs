//! A member's own study (我的学习): their progress in the current campaign against its completion
//! rule, what they still lack, what they attended and by which channel, and the sessions coming up
//! for them — on the home page, so a member sees where they stand without asking the secretary.

use chrono::{Duration, Utc};

use crate::auth::CurrentUser;
use crate::campaign::model::hours_text;
use crate::campaign::store as campaigns;
use crate::checkin::store as attendance;
use crate::coverage::{self, rollup};
use crate::db::Db;
use crate::schedule::model::{SessionKind, SessionStatus};
use crate::schedule::store::sessions;

/// One line of the member's study record or of what is coming.
pub struct StudyLine {
    /// Session id.
    pub session_id: i64,
    /// When, in Shanghai time.
    pub when: String,
    /// Title.
    pub title: String,
    /// Channel (attended, marked （自报） when only self-declared) or kind (coming).
    pub how: String,
    /// Studied online: the link to the online page.
    pub online: bool,
}

/// What the home page shows a member.
pub struct MyStudy {
    /// The campaign's name.
    pub campaign: String,
    /// The completion rule in words.
    pub rule: String,
    /// Sessions attended.
    pub sessions: i64,
    /// Hours studied, e.g. "7.5".
    pub hours: String,
    /// Whether the rule is met.
    pub covered: bool,
    /// A door-to-door visit is recorded for them (已送学).
    pub visited: bool,
    /// What is still missing, in words ('' when covered).
    pub missing: String,
    /// Attended, newest first.
    pub attended: Vec<StudyLine>,
    /// Coming in the next two weeks for the member's unit.
    pub coming: Vec<StudyLine>,
}

/// The member's study in the current campaign (none without a current campaign, or for a member
/// outside its audience).
pub async fn for_member(db: &Db, user: &CurrentUser, member_id: i64) -> Result<Option<MyStudy>, sqlx::Error> {
    let Some(campaign) = campaigns::current(db).await? else {
        return Ok(None);
    };
    if !crate::campaign::audience::contains(db, &campaign, member_id).await? {
        return Ok(None);
    }
    let rule = campaigns::completion_rule(db, &campaign).await?;
    let topics = campaigns::topics(db, campaign.id).await?;
    let progress =
        coverage::progress_of(db, &campaign, &[member_id]).await?.remove(&member_id).unwrap_or_default();
    let topic_name = |id: i64| topics.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_default();
    let mut attended: Vec<StudyLine> = attendance::of_member(db, campaign.id, member_id)
        .await?
        .into_iter()
        .map(|(session_id, title, at, channel, self_declared)| StudyLine {
            session_id,
            when: crate::time::local_datetime(at),
            title,
            how: if self_declared {
                format!("{}（自报）", channel.label())
            } else {
                channel.label().to_owned()
            },
            online: false,
        })
        .collect();
    // A visit is no session: it shows here, to the member, on the day it happened.
    let visits = crate::delivery::store::visits_of_member(db, campaign.id, member_id).await?;
    attended.extend(visits.iter().map(|(on, minutes, _)| StudyLine {
        session_id: 0,
        when: on.to_string(),
        title: format!("送学上门（{minutes}分钟）"),
        how: "送学上门".to_owned(),
        online: false,
    }));
    attended.sort_by(|a, b| b.when.cmp(&a.when));
    let now = Utc::now();
    let coming =
        sessions::between(db, now - Duration::hours(2), now + Duration::days(14), None, &user.unit_path)
            .await?
            .into_iter()
            .filter(|s| {
                s.status == SessionStatus::Scheduled && s.ends_at > now && s.campaign_id == campaign.id
            })
            .map(|s| StudyLine {
                session_id: s.id,
                when: crate::time::local_datetime(s.starts_at),
                online: matches!(s.kind, SessionKind::Live | SessionKind::Recording),
                how: s.kind.label().to_owned(),
                title: s.title,
            })
            .collect();
    Ok(Some(MyStudy {
        campaign: campaign.name.clone(),
        rule: rule.describe(),
        sessions: progress.sessions,
        hours: hours_text(progress.minutes),
        covered: rule.is_met(&progress),
        visited: !visits.is_empty(),
        missing: rollup::missing_text(&rule, &progress, topic_name),
        attended,
        coming,
    }))
}
