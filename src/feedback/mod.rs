//! Post-lecture feedback and programme adjustment (S5): attendees rate a session and say what
//! they want next; organisers see needs by unit and topic and record adjustments, each linked to
//! the feedback that caused it (the founding document's 动态化调整).

mod filter;
mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::state::AppState;

/// Topics members can ask for, as tags (free text covers the rest).
pub const WANT_TAGS: [(&str, &str); 8] = [
    ("policy", "政策理论"),
    ("rural", "乡村振兴"),
    ("farming", "农业技术"),
    ("law", "法律法规"),
    ("health", "防疫健康"),
    ("history", "党史学习"),
    ("ecommerce", "电商直播"),
    ("elderly", "养老服务"),
];

/// The Chinese label of a tag code.
pub fn tag_label(code: &str) -> Option<&'static str> {
    WANT_TAGS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// A ticket that lets an attendee without an account give feedback for the session they checked
/// into: the member id and an HMAC of it under the session's secret.
pub fn ticket(session_secret: &str, member_id: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(session_secret.as_bytes()).expect("any key length");
    mac.update(b"feedback");
    mac.update(&member_id.to_be_bytes());
    format!("{member_id}.{}", hex::encode(&mac.finalize().into_bytes()[..12]))
}

/// The member a ticket names, if it is genuine for this session.
pub fn member_of_ticket(session_secret: &str, presented: &str) -> Option<i64> {
    let (id, _) = presented.split_once('.')?;
    let member_id: i64 = id.parse().ok()?;
    let expected = ticket(session_secret, member_id);
    let same = expected.len() == presented.len()
        && expected.bytes().zip(presented.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same.then_some(member_id)
}

/// Feedback routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feedback/{session_id}", get(pages::form).post(pages::submit))
        .route("/feedback", get(pages::overview))
        .route("/adjustments", post(pages::adjust))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_verify_only_for_their_member_and_session() {
        let t = ticket("secret-a", 42);
        assert_eq!(member_of_ticket("secret-a", &t), Some(42));
        assert_eq!(member_of_ticket("secret-b", &t), None);
        let forged = t.replacen("42.", "43.", 1);
        assert_eq!(member_of_ticket("secret-a", &forged), None);
        assert_eq!(member_of_ticket("secret-a", "garbage"), None);
    }

    #[test]
    fn tags_have_labels() {
        assert_eq!(tag_label("farming"), Some("农业技术"));
        assert_eq!(tag_label("nope"), None);
    }
}
