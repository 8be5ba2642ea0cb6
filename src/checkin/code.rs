//! Rotating check-in codes. The projector shows a QR code (a URL with a token) and a six-digit
//! code that change every 30 seconds. Both are HMAC-SHA256 of the session's secret and the
//! 30-second window number, so any server behind a proxy computes the same codes with no shared
//! state, and a photo of the screen stops working a minute later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Seconds a code is shown before the next one.
pub const ROTATION_SECONDS: i64 = 30;

/// The window a unix time falls in.
pub fn window_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(ROTATION_SECONDS)
}

fn mac(secret: &str, purpose: &str, window: i64) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.update(&window.to_be_bytes());
    mac.finalize().into_bytes().into()
}

/// The QR token for a window: 16 hex characters.
pub fn qr_token(secret: &str, window: i64) -> String {
    hex::encode(&mac(secret, "qr", window)[..8])
}

/// The six-digit code for a window.
pub fn six_digit_code(secret: &str, window: i64) -> String {
    let bytes = mac(secret, "code", window);
    let number = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
    format!("{number:06}")
}

/// Whether a presented value matches the current or the previous window, so a code that rotated
/// while the member was typing still works (valid 30–60 s in all).
pub fn accepts(presented: &str, now_window: i64, make: impl Fn(i64) -> String) -> bool {
    [now_window, now_window - 1].into_iter().any(|w| {
        let expected = make(w);
        expected.len() == presented.len()
            && expected.bytes().zip(presented.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_within_a_window_and_change_between_windows() {
        let w = window_at(1_610_000_000);
        assert_eq!(window_at(1_610_000_000 + 1), w + (1_610_000_001 % 30 == 0) as i64);
        assert_eq!(qr_token("s", w), qr_token("s", w));
        assert_ne!(qr_token("s", w), qr_token("s", w + 1));
        assert_ne!(qr_token("s", w), qr_token("t", w));
        assert_eq!(qr_token("s", w).len(), 16);
        let code = six_digit_code("s", w);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn the_previous_window_is_accepted_older_ones_are_not() {
        let w = 53_666_666;
        let old = six_digit_code("secret", w - 1);
        assert!(accepts(&old, w, |x| six_digit_code("secret", x)));
        let older = six_digit_code("secret", w - 2);
        let current = six_digit_code("secret", w);
        assert!(older == current || !accepts(&older, w, |x| six_digit_code("secret", x)));
        assert!(!accepts("12345", w, |x| six_digit_code("secret", x)));
    }
}
