//! Brands' SQL: the two brands of a station (`station_profiles`, widened by migration 0024), their
//! photos (`brand_photos`), and the per-village figures the brand pages and the comparison read.
//! The figures are read-only sums over other rooms' tables (sessions, column articles, the
//! points ledger, members), as the overview does; nothing here writes outside this room.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{Brand, Figures, Profile};
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::org::model::UnitKind;
use crate::org::store::{self as org, Unit};
use crate::{on_db, on_tx};

/// Photos a brand may show at most.
pub const MAX_PHOTOS: i64 = 6;

/// The hub and every station still in use, in tree order (the hub first).
pub async fn villages(db: &Db) -> Result<Vec<Unit>, sqlx::Error> {
    let Some(root) = org::root(db).await? else { return Ok(Vec::new()) };
    let mut units = org::active_units_in_scope(db, &Scope::of_unit(&root.path)).await?;
    units.retain(|u| u.kind.has_profile());
    units.sort_by_key(|u| u.kind != UnitKind::Hub);
    Ok(units)
}

/// A station's (or the hub's) brands; empty when never filled in.
pub async fn profile(db: &Db, unit_id: i64) -> Result<Profile, sqlx::Error> {
    let found: Option<Profile> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT service_brand, slogan AS service_slogan, story AS service_story, training_brand, \
             training_slogan, training_story FROM station_profiles WHERE unit_id = $1",
        )
        .bind(unit_id)
        .fetch_optional(pool)
        .await?
    });
    Ok(found.unwrap_or_default())
}

/// Every unit's brands (those filled in), by unit id.
pub async fn profiles(db: &Db) -> Result<HashMap<i64, Profile>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        #[sqlx(flatten)]
        profile: Profile,
    }
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT unit_id, service_brand, slogan AS service_slogan, story AS service_story, training_brand, \
             training_slogan, training_story FROM station_profiles",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|r| (r.unit_id, r.profile)).collect())
}

/// Saves a unit's brands (insert or update), in the caller's transaction.
pub async fn save_profile(tx: &mut Tx, unit_id: i64, p: &Profile) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO station_profiles (unit_id, service_brand, slogan, story, training_brand, training_slogan, \
             training_story, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (unit_id) DO UPDATE SET \
             service_brand = excluded.service_brand, slogan = excluded.slogan, story = excluded.story, \
             training_brand = excluded.training_brand, training_slogan = excluded.training_slogan, \
             training_story = excluded.training_story, updated_at = excluded.updated_at",
        )
        .bind(unit_id)
        .bind(&p.service_brand)
        .bind(&p.service_slogan)
        .bind(&p.service_story)
        .bind(&p.training_brand)
        .bind(&p.training_slogan)
        .bind(&p.training_story)
        .bind(Utc::now())
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// A unit's photos as (id, brand), oldest first.
pub async fn photos(db: &Db, unit_id: i64) -> Result<Vec<(i64, Brand)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT id, brand FROM brand_photos WHERE unit_id = $1 ORDER BY id")
            .bind(unit_id)
            .fetch_all(pool)
            .await
    })
}

/// The first photo of every unit that has one (for the index's cards).
pub async fn first_photos(db: &Db) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let rows: Vec<(i64, i64)> = on_db!(db, pool => {
        sqlx::query_as("SELECT unit_id, MIN(id) FROM brand_photos GROUP BY unit_id").fetch_all(pool).await?
    });
    Ok(rows.into_iter().collect())
}

/// Stores a re-encoded photo of one of a unit's brands.
pub async fn insert_photo(
    tx: &mut Tx,
    unit_id: i64,
    brand: Brand,
    jpeg: &[u8],
    created_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO brand_photos (unit_id, brand, photo, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(unit_id)
        .bind(brand)
        .bind(jpeg)
        .bind(created_by)
        .bind(Utc::now())
        .fetch_one(conn)
        .await?
    });
    Ok(id)
}

/// Removes one of a unit's photos; whether it was that unit's.
pub async fn delete_photo(tx: &mut Tx, unit_id: i64, photo_id: i64) -> Result<bool, sqlx::Error> {
    let done: u64 = on_tx!(tx, conn => {
        sqlx::query("DELETE FROM brand_photos WHERE id = $1 AND unit_id = $2")
            .bind(photo_id)
            .bind(unit_id)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// A photo's JPEG bytes.
pub async fn photo(db: &Db, id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let found: Option<(Vec<u8>,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT photo FROM brand_photos WHERE id = $1").bind(id).fetch_optional(pool).await?
    });
    Ok(found.map(|(bytes,)| bytes))
}

/// One published column article of a village, as its brand page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleLine {
    /// The article's id (`/column/{id}`).
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its date.
    pub dated_at: DateTime<Utc>,
}

/// The newest published column articles of a village (its unit or any under it).
pub async fn articles(db: &Db, village: &Unit, limit: i64) -> Result<Vec<ArticleLine>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT a.id, a.title, a.dated_at FROM column_articles a JOIN units u ON u.id = a.unit_id \
             WHERE a.status = 'published' AND u.path LIKE $1 ORDER BY a.dated_at DESC, a.id DESC LIMIT $2",
        )
        .bind(Scope::of_unit(&village.path))
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}

/// Per village (station or hub, with every unit under it): sessions held (not cancelled, over
/// by `now`) that started in `[from, to)`, column articles published dated in it, points its
/// members earned on the Shanghai days `first..=last`, and its active members. 冬训+ figures come
/// from `activities::village_totals`, and are left at zero here.
pub async fn figures(
    db: &Db,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (first, last): (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
) -> Result<HashMap<i64, Figures>, sqlx::Error> {
    const VILLAGE: &str = "FROM units v JOIN units u ON u.path LIKE v.path || '%'";
    const IS_VILLAGE: &str = "v.kind IN ('station', 'hub')";
    let sessions = format!(
        "SELECT v.id, COUNT(*) {VILLAGE} JOIN training_sessions s ON s.unit_id = u.id WHERE {IS_VILLAGE} \
         AND s.status = 'scheduled' AND s.starts_at >= $1 AND s.starts_at < $2 AND s.ends_at < $3 GROUP BY v.id"
    );
    let articles = format!(
        "SELECT v.id, COUNT(*) {VILLAGE} JOIN column_articles a ON a.unit_id = u.id WHERE {IS_VILLAGE} \
         AND a.status = 'published' AND a.dated_at >= $1 AND a.dated_at < $2 GROUP BY v.id"
    );
    let points = format!(
        "SELECT v.id, CAST(COALESCE(SUM(e.points), 0) AS BIGINT) {VILLAGE} JOIN members m ON m.unit_id = u.id \
         JOIN point_entries e ON e.member_id = m.id WHERE {IS_VILLAGE} AND e.earned_on >= $1 AND e.earned_on <= $2 \
         GROUP BY v.id"
    );
    let members = format!(
        "SELECT v.id, COUNT(*) {VILLAGE} JOIN members m ON m.unit_id = u.id WHERE {IS_VILLAGE} \
         AND m.status = 'active' GROUP BY v.id"
    );
    type Counts = Vec<(i64, i64)>;
    let (sessions, articles, points, members): (Counts, Counts, Counts, Counts) = on_db!(db, pool => {
        let s = sqlx::query_as(&sessions).bind(from).bind(to).bind(now).fetch_all(pool).await?;
        let a = sqlx::query_as(&articles).bind(from).bind(to).fetch_all(pool).await?;
        let p = sqlx::query_as(&points).bind(first).bind(last).fetch_all(pool).await?;
        let m = sqlx::query_as(&members).fetch_all(pool).await?;
        (s, a, p, m)
    });
    let mut out: HashMap<i64, Figures> = HashMap::new();
    for (id, n) in sessions {
        out.entry(id).or_default().sessions = n;
    }
    for (id, n) in articles {
        out.entry(id).or_default().articles = n;
    }
    for (id, n) in points {
        out.entry(id).or_default().points = n;
    }
    for (id, n) in members {
        out.entry(id).or_default().members = n;
    }
    Ok(out)
}
