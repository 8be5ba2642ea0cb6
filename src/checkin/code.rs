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

    // Test vectors computed independently of this file, with Python's standard library, from the
    // construction documented above (HMAC-SHA256 keyed by the secret, over the purpose then the
    // window as 8 big-endian bytes; token = first 8 bytes in hex, code = first 4 bytes as a
    // big-endian u32 mod 1,000,000, zero-padded):
    //
    //   mac = lambda s, p, w: hmac.new(s.encode(), p.encode() + struct.pack(">q", w), hashlib.sha256).digest()
    //   token = mac(s, "qr", w)[:8].hex();  code = "%06d" % (struct.unpack(">I", mac(s, "code", w)[:4])[0] % 10**6)

    /// The fixed clock: 2021-01-07 06:13:20 UTC, in window 53,666,666.
    const NOW: i64 = 1_610_000_000;
    const W: i64 = 53_666_666;
    /// A secret as sessions get them (32 random bytes in hex).
    const SECRET: &str = "3f9a1c0e5b7d2468ace13579bdf02468a1b2c3d4e5f60718293a4b5c6d7e8f90";

    #[test]
    fn windows_are_thirty_second_steps_of_unix_time() {
        assert_eq!(window_at(NOW), W);
        assert_eq!(window_at(1_610_000_009), W, "the last second of the window");
        assert_eq!(window_at(1_610_000_010), W + 1, "the first second of the next");
        assert_eq!(window_at(0), 0);
        assert_eq!(window_at(-1), -1, "before 1970 still rounds down");
        assert_eq!(window_at(-30), -1);
        assert_eq!(window_at(-31), -2);
    }

    #[test]
    fn qr_tokens_match_the_known_vectors() {
        assert_eq!(qr_token(SECRET, W - 1), "ba895d3cc4c1774b");
        assert_eq!(qr_token(SECRET, W), "8af5c0ae84e2b65b");
        assert_eq!(qr_token(SECRET, W + 1), "b641bf08f31a1451");
        assert_eq!(qr_token(SECRET, -1), "bc72c81a07da06af");
        assert_eq!(qr_token("secret", W), "6f37c8f62619ae07");
    }

    #[test]
    fn six_digit_codes_match_the_known_vectors() {
        assert_eq!(six_digit_code(SECRET, W - 2), "188369");
        assert_eq!(six_digit_code(SECRET, W - 1), "460325");
        assert_eq!(six_digit_code(SECRET, W), "112372");
        assert_eq!(six_digit_code(SECRET, W + 1), "935853");
        assert_eq!(six_digit_code(SECRET, -1), "017594", "zero-padded");
        assert_eq!(six_digit_code("secret", W + 1), "012409", "zero-padded");
        assert_eq!(six_digit_code("secret", W), "758164");
    }

    #[test]
    fn the_current_and_previous_windows_are_accepted_no_other() {
        let code = |w| six_digit_code(SECRET, w);
        assert!(accepts("112372", W, code), "this window's code");
        assert!(accepts("460325", W, code), "the previous window's code");
        assert!(!accepts("188369", W, code), "two windows back");
        assert!(!accepts("935853", W, code), "the next window's code");
        assert!(!accepts("758164", W, code), "another secret's code");
        assert!(!accepts("11237", W, code), "a prefix");
        assert!(!accepts("1123720", W, code), "a longer value");
        assert!(!accepts("", W, code));
        let token = |w| qr_token(SECRET, w);
        assert!(accepts("8af5c0ae84e2b65b", W, token));
        assert!(accepts("ba895d3cc4c1774b", W, token));
        assert!(!accepts("a131855066e5398c", W, token), "two windows back");
    }
}
