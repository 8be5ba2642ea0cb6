//! Password hashing (Argon2id), the password rule, and one-time passwords.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use std::time::Duration;

pub use super::hash_gate::{Busy, HashGate, gate};

/// Hashes a password with Argon2id on a blocking thread (it is deliberately slow), waiting as
/// long as it takes for a hashing slot: for the seeder and tests, never for a request.
pub async fn hash(password: String) -> anyhow::Result<String> {
    let _slot = gate().wait().await;
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// Hashes a password for a request: refused with [`Busy`] when no slot frees up within `wait`.
pub async fn hash_for_request(password: String, wait: Duration) -> Result<anyhow::Result<String>, Busy> {
    let _slot = gate().try_wait(wait).await?;
    Ok(tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r))
}

/// Hashes synchronously, for the CLI and the demo seeder.
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("密码加密失败：{e}"))
}

/// Checks a password against a stored hash on a blocking thread, for a request: refused with
/// [`Busy`] when no hashing slot frees up within `wait`.
pub async fn verify(password: String, stored: String, wait: Duration) -> Result<bool, Busy> {
    let _slot = gate().try_wait(wait).await?;
    Ok(tokio::task::spawn_blocking(move || verify_now(&password, &stored)).await.unwrap_or(false))
}

fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash of a random password, used to spend the same time on unknown accounts as on known
/// ones so the response does not reveal which phone numbers have accounts.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_now(&one_time()).expect("argon2 with default parameters"))
}

/// The rule for a password a user chooses: 8–64 characters with both letters and digits, and not
/// one of the common passwords guessers try first.
pub fn check_rule(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if !(8..=64).contains(&length) {
        return Err("密码长度应为8到64位");
    }
    let has_letter = password.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err("密码需同时包含字母和数字");
    }
    if is_common(password) {
        return Err("这个密码太常见，容易被猜中，请换一个");
    }
    Ok(())
}

/// Whether a password (ignoring case) is on the shipped list of common passwords.
fn is_common(password: &str) -> bool {
    static COMMON: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    let common = COMMON.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });
    common.contains(password.to_lowercase().as_str())
}

/// A one-time password an admin hands out: 10 characters, no look-alikes (0/O, 1/l/I).
pub fn one_time() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let mut password: String =
        (0..8).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    // Guarantee the rule holds: one letter and one digit at the end.
    password.push(ALPHABET[rng.random_range(0..23)] as char);
    password.push(ALPHABET[rng.random_range(23..ALPHABET.len())] as char);
    password
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_now("dongxun2021").unwrap();
        let b = hash_now("dongxun2021").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        assert!(verify_now("dongxun2021", &a));
        assert!(!verify_now("dongxun2022", &a));
        assert!(!verify_now("x", "not a hash"));
        let wait = Duration::from_secs(60);
        assert_eq!(rt.block_on(verify("dongxun2021".into(), a, wait)), Ok(true));
    }

    #[test]
    fn the_rule_wants_length_letters_and_digits() {
        assert!(check_rule("mynew2021pw").is_ok());
        assert_eq!(check_rule("abc123"), Err("密码长度应为8到64位"));
        assert_eq!(check_rule("abcdefgh"), Err("密码需同时包含字母和数字"));
        assert_eq!(check_rule("12345678"), Err("密码需同时包含字母和数字"));
        assert_eq!(check_rule("Password1"), Err("这个密码太常见，容易被猜中，请换一个"));
        assert_eq!(check_rule("woaini1314"), Err("这个密码太常见，容易被猜中，请换一个"));
    }

    #[test]
    fn one_time_passwords_meet_the_rule() {
        for _ in 0..200 {
            let p = one_time();
            assert_eq!(p.len(), 10);
            assert!(check_rule(&p).is_ok(), "{p}");
        }
    }
}
