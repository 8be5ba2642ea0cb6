//! Members' SQL. Every read and write of a member is confined to a [`Scope`], so an id from
//! another village is simply not found.

use chrono::{DateTime, NaiveDate, Utc};

use super::doubt::doubt_of;
use super::model::{Gender, MemberCategories, MemberStatus, pinyin_keys};
use super::vault::IdCardVault;
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// One row of `members`, with its unit's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    /// Id.
    pub id: i64,
    /// The unit (station or branch) the member belongs to.
    pub unit_id: i64,
    /// The unit's name.
    pub unit_name: String,
    /// The unit's path, for scope checks on edits.
    pub unit_path: String,
    /// 姓名.
    pub name: String,
    /// Full pinyin, for sorting.
    pub name_pinyin: String,
    /// Pinyin initials, for search ("zs" finds 张三).
    pub name_initials: String,
    /// 性别, if recorded.
    pub gender: Option<Gender>,
    /// 出生日期.
    pub birth_date: Option<NaiveDate>,
    /// 手机号码 (11 digits).
    pub phone: Option<String>,
    /// 身份证号, sealed by the [`IdCardVault`] (never the plain number; see [`Member::id_card`]).
    pub id_card_sealed: Option<String>,
    /// The keyed digest imports match the ID card by.
    pub id_card_hash: Option<String>,
    /// 入党时间.
    pub joined_party_on: Option<NaiveDate>,
    /// 人员类别 bits.
    pub categories: i64,
    /// 状态.
    pub status: MemberStatus,
    /// 住址, if recorded (personal data: staff in scope and a visit's assignee only).
    pub address: Option<String>,
    /// 数据存疑: why the record is doubtful, until staff have checked it.
    pub doubt: Option<String>,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
    /// Last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

impl Member {
    /// The categories as a set.
    pub fn category_set(&self) -> MemberCategories {
        MemberCategories::from_bits(self.categories as u32)
    }

    /// The plain ID-card number, decrypted (for reveals, the edit form and exports only).
    pub fn id_card(&self, vault: &IdCardVault) -> anyhow::Result<Option<String>> {
        vault.open_optional(self.id_card_sealed.as_deref())
    }

    /// The editable fields as they are now (the ID card decrypted), to compare with an edit.
    pub fn fields(&self, vault: &IdCardVault) -> anyhow::Result<MemberFields> {
        Ok(MemberFields {
            unit_id: self.unit_id,
            name: self.name.clone(),
            gender: self.gender,
            birth_date: self.birth_date,
            phone: self.phone.clone(),
            id_card: self.id_card(vault)?,
            joined_party_on: self.joined_party_on,
            categories: self.category_set(),
            status: self.status,
            address: self.address.clone(),
        })
    }
}

/// What a person can set on a member (created, edited, or imported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFields {
    /// Unit.
    pub unit_id: i64,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Phone (validated digits).
    pub phone: Option<String>,
    /// ID card (validated).
    pub id_card: Option<String>,
    /// Joined the Party.
    pub joined_party_on: Option<NaiveDate>,
    /// Categories.
    pub categories: MemberCategories,
    /// Status.
    pub status: MemberStatus,
    /// 住址 (trimmed, at most [`ADDRESS_MAX_CHARS`] characters).
    pub address: Option<String>,
}

/// The longest 住址 a member may have, in characters.
pub const ADDRESS_MAX_CHARS: usize = 100;

pub(super) const MEMBER_SELECT: &str = "SELECT m.id, m.unit_id, u.name AS unit_name, u.path AS unit_path, m.name, \
     m.name_pinyin, m.name_initials, m.gender, m.birth_date, m.phone, m.id_card_sealed, m.id_card_hash, m.joined_party_on, \
     m.categories, m.status, m.address, m.doubt, m.created_at, m.updated_at FROM members m JOIN units u ON u.id = m.unit_id";

pub use super::search::{MemberQuery, search};

/// Every member inside a scope, by unit then pinyin (exports, imports).
pub async fn all_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Member>, sqlx::Error> {
    let sql = format!("{MEMBER_SELECT} WHERE u.path LIKE $1 ORDER BY u.path, m.name_pinyin, m.id");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).fetch_all(pool).await)
}

/// One member, only inside the scope.
pub async fn by_id_in_scope(db: &Db, id: i64, scope: &Scope) -> Result<Option<Member>, sqlx::Error> {
    let sql = format!("{MEMBER_SELECT} WHERE m.id = $1 AND u.path LIKE $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(scope).fetch_optional(pool).await)
}

/// Counts active members inside a scope.
pub async fn count_in_scope(db: &Db, scope: &Scope) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE u.path LIKE $1 AND m.status = 'active'",
        )
        .bind(scope)
        .fetch_one(pool)
        .await?
    });
    Ok(n)
}

/// Names of the given members inside a scope, in one query (the audit page names the members
/// its entries mention); ids outside the scope or unknown are simply absent.
pub async fn names_in_scope(
    db: &Db,
    ids: &[i64],
    scope: &Scope,
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows: Vec<(i64, String)> = on_db!(db, pool => {
        let mut builder = sqlx::QueryBuilder::new(
            "SELECT m.id, m.name FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path LIKE ",
        );
        builder.push_bind(scope).push(" AND m.id IN (");
        let mut list = builder.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        builder.push(")");
        builder.build_query_as().fetch_all(pool).await?
    });
    Ok(rows.into_iter().collect())
}

/// Active members with this phone as (id, name), wherever they are: who may be checking in by
/// name and phone. Uses the phone index, so it costs the same at 1,500 members or 100,000.
pub async fn active_by_phone(db: &Db, phone: &str) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT id, name FROM members WHERE phone = $1 AND status = 'active' LIMIT 20")
            .bind(phone)
            .fetch_all(pool)
            .await
    })
}

/// The one member inside a scope with this phone, if exactly one (to link a new account).
pub async fn id_by_phone_in_scope(db: &Db, phone: &str, scope: &Scope) -> Result<Option<i64>, sqlx::Error> {
    let ids: Vec<(i64,)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE m.phone = $1 AND u.path LIKE $2 LIMIT 2",
        )
        .bind(phone)
        .bind(scope)
        .fetch_all(pool)
        .await?
    });
    Ok(if ids.len() == 1 { Some(ids[0].0) } else { None })
}

/// Every member inside a scope, in no particular order: the import's matching index,
/// which needs no sorting.
pub async fn unordered_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Member>, sqlx::Error> {
    let sql = format!("{MEMBER_SELECT} WHERE u.path LIKE $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).fetch_all(pool).await)
}

/// Where an ID card is registered, anywhere in the database: (its lookup hash, member id,
/// unit path).
pub async fn id_card_owners(db: &Db) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT m.id_card_hash, m.id, u.path FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE m.id_card_hash IS NOT NULL",
        )
        .fetch_all(pool)
        .await
    })
}

/// Inserts one member; returns the id.
pub async fn insert(tx: &mut Tx, vault: &IdCardVault, fields: &MemberFields) -> Result<i64, sqlx::Error> {
    let ids = apply_changes(tx, vault, std::slice::from_ref(fields), &[]).await?;
    Ok(ids[0])
}

/// Updates one member.
pub async fn update(
    tx: &mut Tx,
    vault: &IdCardVault,
    id: i64,
    fields: &MemberFields,
) -> Result<(), sqlx::Error> {
    apply_changes(tx, vault, &[], &[(id, fields.clone())]).await?;
    Ok(())
}

/// Rows per multi-row INSERT: 16 parameters each stays far below both backends' limits.
const INSERT_BATCH: usize = 500;

/// Inserts and updates members in the caller's transaction: all of them are stored, or none.
/// Returns the new members' ids in input order. ID cards are stored sealed and hashed by
/// `vault`; the plain `id_card` column is never written. A new member whose dates are doubtful
/// is flagged 数据存疑 as it is inserted; an updated one's flag is the caller's ([`set_doubts`]).
pub async fn apply_changes(
    tx: &mut Tx,
    vault: &IdCardVault,
    inserts: &[MemberFields],
    updates: &[(i64, MemberFields)],
) -> Result<Vec<i64>, sqlx::Error> {
    let now = Utc::now();
    // A big SQLite import gets a 64 MiB page cache for its transaction (the default is 2 MiB),
    // so its changed pages stay in memory instead of spilling to the WAL mid-transaction: 1.2–1.4x
    // faster (bench/README.md). Only this connection, only while it imports.
    let big_sqlite = tx.is_sqlite() && inserts.len() + updates.len() > 5_000;
    on_tx!(tx, conn => {
        if big_sqlite {
            sqlx::query("PRAGMA cache_size = -65536").execute(&mut *conn).await?;
        }
        let mut ids = Vec::with_capacity(inserts.len());
        for chunk in inserts.chunks(INSERT_BATCH) {
            let mut builder = sqlx::QueryBuilder::new(
                "INSERT INTO members (unit_id, name, name_pinyin, name_initials, gender, birth_date, \
                 phone, id_card_sealed, id_card_hash, joined_party_on, categories, status, address, \
                 doubt, created_at, updated_at) ",
            );
            builder.push_values(chunk, |mut row, f| {
                let (full, initials) = pinyin_keys(&f.name);
                row.push_bind(f.unit_id)
                    .push_bind(f.name.clone())
                    .push_bind(full)
                    .push_bind(initials)
                    .push_bind(f.gender)
                    .push_bind(f.birth_date)
                    .push_bind(f.phone.clone())
                    .push_bind(f.id_card.as_deref().map(|c| vault.seal(c)))
                    .push_bind(f.id_card.as_deref().map(|c| vault.lookup_hash(c)))
                    .push_bind(f.joined_party_on)
                    .push_bind(i64::from(f.categories.bits()))
                    .push_bind(f.status)
                    .push_bind(f.address.clone())
                    .push_bind(doubt_of(f.birth_date, f.joined_party_on))
                    .push_bind(now)
                    .push_bind(now);
            });
            builder.push(" RETURNING id");
            let rows: Vec<(i64,)> = builder.build_query_as().fetch_all(&mut *conn).await?;
            ids.extend(rows.into_iter().map(|(id,)| id));
        }
        for (id, f) in updates {
            let (full, initials) = pinyin_keys(&f.name);
            sqlx::query(
                "UPDATE members SET unit_id = $1, name = $2, name_pinyin = $3, name_initials = $4, \
                 gender = $5, birth_date = $6, phone = $7, id_card_sealed = $8, id_card_hash = $9, \
                 joined_party_on = $10, categories = $11, status = $12, address = $13, updated_at = $14 \
                 WHERE id = $15",
            )
            .bind(f.unit_id)
            .bind(&f.name)
            .bind(full)
            .bind(initials)
            .bind(f.gender)
            .bind(f.birth_date)
            .bind(&f.phone)
            .bind(f.id_card.as_deref().map(|c| vault.seal(c)))
            .bind(f.id_card.as_deref().map(|c| vault.lookup_hash(c)))
            .bind(f.joined_party_on)
            .bind(i64::from(f.categories.bits()))
            .bind(f.status)
            .bind(&f.address)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        if big_sqlite {
            sqlx::query("PRAGMA cache_size = -2000").execute(&mut *conn).await?;
        }
        Ok(ids)
    })
}

/// Sets or clears members' 数据存疑 flags in the caller's transaction: (member id, reason).
pub async fn set_doubts(tx: &mut Tx, doubts: &[(i64, Option<&str>)]) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        for (id, doubt) in doubts {
            sqlx::query("UPDATE members SET doubt = $1 WHERE id = $2").bind(doubt).bind(id).execute(&mut *conn).await?;
        }
    });
    Ok(())
}

/// Seals the ID-card numbers still stored in plain text (written before encryption at rest) and
/// empties the plain column, in one transaction. SQL cannot encrypt, so this runs at every start;
/// once done it finds nothing to do.
pub async fn seal_plain_id_cards(db: &Db, vault: &IdCardVault) -> Result<usize, sqlx::Error> {
    let plain: Vec<(i64, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, id_card FROM members WHERE id_card IS NOT NULL").fetch_all(pool).await?
    });
    if plain.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        for (id, card) in &plain {
            sqlx::query("UPDATE members SET id_card_sealed = $1, id_card_hash = $2, id_card = NULL WHERE id = $3")
                .bind(vault.seal(card))
                .bind(vault.lookup_hash(card))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    });
    tx.commit().await?;
    // The old values linger in the planner's statistics (ANALYZE keeps sample keys of every
    // index: sqlite_stat4, pg_statistic), in freed space and in SQLite's WAL until rewritten.
    // SQLite connections run with `secure_delete` (db::Db::connect), so the UPDATE above zeroed
    // the old bytes in their pages; re-analysing replaces the samples, and the checkpoint copies
    // the pages home and empties the WAL — without rebuilding the whole file (VACUUM) at start.
    // Backups made before still hold the old values (README).
    db.analyze().await?;
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
        }
        Db::Postgres(pool) => {
            sqlx::query("VACUUM FULL members").execute(pool).await?;
        }
    }
    tracing::info!("已加密{}个原先明文保存的身份证号", plain.len());
    Ok(plain.len())
}
