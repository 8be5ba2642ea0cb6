//! [`IdCardVault`]: ID-card numbers encrypted at rest.
//!
//! A 32-byte key lives in a file outside the database (default `DATA_DIR/dongxun.key`, 0600,
//! created on first start from the operating system's CSPRNG). Two keys are derived from it: one
//! for XChaCha20-Poly1305, which seals each number with its own random 24-byte nonce, and one for
//! HMAC-SHA256, whose digest of the number is the indexed, UNIQUE lookup column that imports match
//! on. A stolen database file or backup then holds neither the numbers nor anything a dictionary of
//! the ~10^10 valid numbers could be checked against without the key.
//!
//! The database remembers a fingerprint of the key (an HMAC of a fixed label), so starting with a
//! missing or different key file is refused with a clear message instead of showing garbage or
//! silently creating a second key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::Db;
use crate::on_db;

type HmacSha256 = Hmac<Sha256>;

/// The file name of the key inside the data directory.
pub const KEY_FILE_NAME: &str = "dongxun.key";

/// Marks the stored format: `v1:` then hex of nonce ‖ ciphertext ‖ tag.
const SEALED_PREFIX: &str = "v1:";
/// Bound into every ciphertext, so a sealed value cannot be passed off as another kind of datum.
const ASSOCIATED_DATA: &[u8] = b"dongxun members.id_card";

/// Encrypts, decrypts and hashes ID-card numbers with the deployment's key. Cheap to clone.
#[derive(Clone)]
pub struct IdCardVault(Arc<Keys>);

struct Keys {
    cipher: XChaCha20Poly1305,
    lookup: [u8; 32],
    fingerprint: String,
}

impl std::fmt::Debug for IdCardVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdCardVault({})", self.0.fingerprint)
    }
}

/// HMAC-SHA256 of `label` under `key`: separate keys for separate purposes from one secret.
fn derive(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl IdCardVault {
    /// A vault over a 32-byte key.
    pub fn from_key(key: &[u8; 32]) -> Self {
        let cipher_key = derive(key, b"dongxun id-card encryption v1");
        Self(Arc::new(Keys {
            cipher: XChaCha20Poly1305::new((&cipher_key).into()),
            lookup: derive(key, b"dongxun id-card lookup v1"),
            fingerprint: hex::encode(derive(key, b"dongxun id-card key check v1")),
        }))
    }

    /// A vault over a fresh random key (tests and tools that need no lasting key).
    pub fn random() -> Self {
        Self::from_key(&fresh_key())
    }

    /// Encrypts a number with a fresh random nonce: the same number never looks the same twice.
    pub fn seal(&self, card: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload { msg: card.as_bytes(), aad: ASSOCIATED_DATA };
        let sealed = self.0.cipher.encrypt(&nonce, payload).expect("encrypting in memory cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", hex::encode(bytes))
    }

    /// Decrypts what [`Self::seal`] made; an error if it was made with another key or altered.
    pub fn open(&self, sealed: &str) -> anyhow::Result<String> {
        let refused = || anyhow::anyhow!("身份证号无法解密（密钥不符或数据被改动）");
        let bytes =
            sealed.strip_prefix(SEALED_PREFIX).and_then(|h| hex::decode(h).ok()).ok_or_else(refused)?;
        let (nonce, ciphertext) = bytes.split_at_checked(24).ok_or_else(refused)?;
        let nonce = XNonce::from(<[u8; 24]>::try_from(nonce).map_err(|_| refused())?);
        let payload = Payload { msg: ciphertext, aad: ASSOCIATED_DATA };
        let plain = self.0.cipher.decrypt(&nonce, payload).map_err(|_| refused())?;
        String::from_utf8(plain).map_err(|_| refused())
    }

    /// Decrypts an optional stored value.
    pub fn open_optional(&self, sealed: Option<&str>) -> anyhow::Result<Option<String>> {
        sealed.map(|s| self.open(s)).transpose()
    }

    /// The keyed digest a number is found and kept unique by.
    pub fn lookup_hash(&self, card: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0.lookup).expect("HMAC takes any key length");
        mac.update(card.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Identifies the key without revealing it (stored in the database to detect a wrong key file).
    pub fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }

    /// Loads the key file (creating it on a database that has never had one) and checks that it
    /// is the key this database's numbers were sealed with; then seals any numbers still stored
    /// in plain text (databases from before encryption). Every refusal says what to do, in Chinese
    /// and English.
    pub async fn unlock(db: &Db, key_file: &Path) -> anyhow::Result<Self> {
        let remembered = stored_fingerprint(db).await?;
        let vault = match read_key_file(key_file)? {
            Some(key) => Self::from_key(&key),
            None if remembered.is_some() => anyhow::bail!(
                "找不到身份证号密钥文件 {path}。数据库中的身份证号是用它加密的：请从备份中恢复该文件\
                 （或用 --key-file 指定其位置）。\n\
                 ID-card key file {path} not found; this database's ID numbers were encrypted with it. \
                 Restore it from your backup or point --key-file at it.",
                path = key_file.display()
            ),
            None => Self::from_key(&create_key_file(key_file)?),
        };
        let remembered = match remembered {
            Some(fingerprint) => fingerprint,
            None => remember_fingerprint(db, vault.fingerprint()).await?,
        };
        if remembered != vault.fingerprint() {
            anyhow::bail!(
                "身份证号密钥文件 {path} 与本数据库不匹配（不是加密这些身份证号的那把密钥）。\
                 请使用与该数据库一起备份的密钥文件。\n\
                 ID-card key file {path} does not match this database. Use the key file backed up with it.",
                path = key_file.display()
            );
        }
        super::store::seal_plain_id_cards(db, &vault).await?;
        Ok(vault)
    }
}

/// Where the key file is: the explicit setting, else `DATA_DIR/dongxun.key`.
pub fn key_file_path(data_dir: &Path, explicit: Option<&Path>) -> PathBuf {
    explicit.map(Path::to_path_buf).unwrap_or_else(|| data_dir.join(KEY_FILE_NAME))
}

fn fresh_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    key
}

/// Reads the key file (64 hex digits, so it can be printed and kept on paper too); `None` when
/// it does not exist.
fn read_key_file(path: &Path) -> anyhow::Result<Option<[u8; 32]>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!(
            "无法读取身份证号密钥文件 {path}：{e}\nCannot read ID-card key file {path}: {e}",
            path = path.display()
        ),
    };
    let key = hex::decode(text.trim()).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
    key.map(Some).ok_or_else(|| {
        anyhow::anyhow!(
            "身份证号密钥文件 {path} 格式不正确（应为64位十六进制数字）。\n\
             ID-card key file {path} is malformed (expected 64 hex digits).",
            path = path.display()
        )
    })
}

/// Creates a new key file, 0600, refusing to overwrite one (another process may have just made
/// it: then that one is used).
fn create_key_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let key = fresh_key();
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{}\n", hex::encode(key)).as_bytes())?;
            file.sync_all()?;
            tracing::warn!("已生成身份证号密钥文件 {}：请另行备份，没有它无法读取身份证号", path.display());
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read_key_file(path)?.ok_or_else(|| anyhow::anyhow!("密钥文件 {} 刚被删除", path.display()))
        }
        Err(e) => anyhow::bail!(
            "无法创建身份证号密钥文件 {path}：{e}\nCannot create ID-card key file {path}: {e}",
            path = path.display()
        ),
    }
}

async fn stored_fingerprint(db: &Db) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT fingerprint FROM id_card_key WHERE id = 1").fetch_optional(pool).await
    })
}

/// Stores the fingerprint unless another process stored one first; returns the one kept.
async fn remember_fingerprint(db: &Db, fingerprint: &str) -> Result<String, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("INSERT INTO id_card_key (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(fingerprint)
            .execute(pool)
            .await?;
        sqlx::query_scalar("SELECT fingerprint FROM id_card_key WHERE id = 1").fetch_one(pool).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_hides_the_number_and_opens_only_with_the_same_key() {
        let vault = IdCardVault::random();
        let card = "11010519491231002X";
        let (a, b) = (vault.seal(card), vault.seal(card));
        assert!(!a.contains(card) && a != b, "a fresh nonce each time");
        assert_eq!(vault.open(&a).unwrap(), card);
        assert!(IdCardVault::random().open(&a).is_err(), "another key cannot open it");
        let mut altered = a.clone();
        altered.replace_range(a.len() - 2.., if a.ends_with("00") { "11" } else { "00" });
        assert!(vault.open(&altered).is_err(), "tampering is detected");
    }

    #[test]
    fn the_lookup_hash_is_stable_per_key_and_differs_between_keys() {
        let key = [7u8; 32];
        let card = "11010519491231002X";
        let hash = IdCardVault::from_key(&key).lookup_hash(card);
        assert_eq!(hash, IdCardVault::from_key(&key).lookup_hash(card));
        assert_ne!(hash, IdCardVault::from_key(&[8u8; 32]).lookup_hash(card));
        assert!(!hash.contains(card));
    }
}
