//! Check-in's types and pure rules: attendance channels and the check-in window. No I/O.

use chrono::{DateTime, Duration, Utc};

use crate::coded_enum;

coded_enum! {
    /// How an attendance was recorded.
    Channel {
        /// Scanned the projector's QR code.
        Qr = ("qr", "扫码签到"),
        /// Typed the six-digit code.
        Code = ("code", "签到码"),
        /// Ticked by staff on the roll-call page.
        RollCall = ("roll_call", "现场点名"),
        /// Entered later from the paper sign-in sheet.
        Paper = ("paper", "纸质签到"),
        /// Attended a live broadcast.
        Live = ("live", "线上直播"),
        /// Watched a recording to at least 90 %.
        Recording = ("recording", "线上录播"),
        /// A door-to-door visit.
        Delivery = ("delivery", "送学上门"),
    }
}

impl Channel {
    /// How an attendance was recorded, as lists and exports say it: online study by a member
    /// identified only by name and phone is marked self-declared (自报).
    pub fn describe(self, self_declared: bool) -> String {
        if self_declared { format!("{}（自报）", self.label()) } else { self.label().to_owned() }
    }
}

/// Minutes after the start when an arrival counts as late.
pub const LATE_AFTER_MINUTES: i64 = 15;

/// Where a moment falls relative to a session's check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinWindow {
    /// Check-in opens at this time.
    NotYetOpen(DateTime<Utc>),
    /// Open; `late` after start + 15 minutes.
    Open { late: bool },
    /// The session has ended.
    Closed,
}

/// Check-in opens `opens_minutes` before the start and closes at the end.
pub fn checkin_window(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    opens_minutes: i64,
    now: DateTime<Utc>,
) -> CheckinWindow {
    let opens_at = starts_at - Duration::minutes(opens_minutes);
    if now < opens_at {
        CheckinWindow::NotYetOpen(opens_at)
    } else if now > ends_at {
        CheckinWindow::Closed
    } else {
        CheckinWindow::Open { late: now > starts_at + Duration::minutes(LATE_AFTER_MINUTES) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hhmm: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2021-01-10T{hhmm}:00+08:00")).unwrap().to_utc()
    }

    #[test]
    fn channel_codes_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(Channel::from_code(channel.code()), Some(*channel));
        }
        assert_eq!(Channel::from_code("nope"), None);
    }

    #[test]
    fn check_in_opens_early_turns_late_after_fifteen_minutes_and_closes_at_the_end() {
        let (start, end) = (at("09:00"), at("10:30"));
        assert_eq!(checkin_window(start, end, 30, at("08:29")), CheckinWindow::NotYetOpen(at("08:30")));
        assert_eq!(checkin_window(start, end, 30, at("08:30")), CheckinWindow::Open { late: false });
        assert_eq!(checkin_window(start, end, 30, at("09:15")), CheckinWindow::Open { late: false });
        assert_eq!(checkin_window(start, end, 30, at("09:16")), CheckinWindow::Open { late: true });
        assert_eq!(checkin_window(start, end, 30, at("10:31")), CheckinWindow::Closed);
    }
}
