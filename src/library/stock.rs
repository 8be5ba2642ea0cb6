//! Books and their stock (migration 0027): a book is a library item of kind `book` with copies
//! in hand (`stock`, never below zero: a CHECK, and every decrement is conditional on it), and
//! every change of that count is a row of `library_book_moves` — 入库, 送出 (a door-to-door
//! visit: one copy per book per visit, UNIQUE), 调整 — written in the same transaction.
//!
//! `draw_for_visit` is what the door-to-door room calls inside a visit's transaction. On
//! PostgreSQL two visits drawing the last copy at once queue on the row: the second one's
//! `stock > 0` is evaluated again after the first commits, and finds none.

use chrono::{DateTime, Utc};

use super::model::{ItemKind, MoveKind};
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// A book to add, already checked.
pub struct NewBook<'a> {
    /// Title (the catalogue's name for it).
    pub title: &'a str,
    /// Author ('' when not given).
    pub author: &'a str,
    /// Publisher ('' when not given).
    pub publisher: &'a str,
    /// Category.
    pub category: &'a str,
    /// Tags, comma-separated.
    pub tags: &'a str,
    /// Copies counted in at once (an 入库 move when more than none).
    pub stock: i64,
    /// Who added it.
    pub created_by: Option<i64>,
}

/// Adds a book in the caller's transaction, with its first 入库 move when it comes with copies.
pub async fn insert_book(tx: &mut Tx, book: &NewBook<'_>) -> Result<i64, sqlx::Error> {
    let now = Utc::now();
    let id: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO library_items (kind, title, category, tags, author, publisher, stock, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(ItemKind::Book)
        .bind(book.title)
        .bind(book.category)
        .bind(book.tags)
        .bind(book.author)
        .bind(book.publisher)
        .bind(book.stock)
        .bind(book.created_by)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    if book.stock > 0 {
        write_move(tx, id, MoveKind::In, book.stock, book.stock, "首次入库", None, book.created_by).await?;
    }
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn write_move(
    tx: &mut Tx,
    book_id: i64,
    kind: MoveKind,
    delta: i64,
    stock_after: i64,
    reason: &str,
    visit_id: Option<i64>,
    moved_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO library_book_moves (book_id, kind, delta, stock_after, reason, visit_id, moved_by, moved_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(book_id)
        .bind(kind)
        .bind(delta)
        .bind(stock_after)
        .bind(reason)
        .bind(visit_id)
        .bind(moved_by)
        .bind(Utc::now())
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Takes one copy of a book for a visit in the caller's transaction: the stock after, or `None`
/// when none is left (nothing changed). A second draw for the same visit trips the UNIQUE
/// (visit, book) and fails the transaction.
pub async fn draw_for_visit(
    tx: &mut Tx,
    book_id: i64,
    visit_id: i64,
    by: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let after: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "UPDATE library_items SET stock = stock - 1 WHERE id = $1 AND kind = 'book' AND stock > 0 RETURNING stock",
        )
        .bind(book_id)
        .fetch_optional(&mut *conn)
        .await?
    });
    if let Some(after) = after {
        write_move(tx, book_id, MoveKind::Out, -1, after, "", Some(visit_id), Some(by)).await?;
    }
    Ok(after)
}

/// Restocks (`In`) or adjusts a book by `delta` copies, with a reason, in the caller's
/// transaction: the stock after, or `None` when the book is gone or the change would take the
/// stock below zero (nothing changed).
pub async fn change_stock(
    tx: &mut Tx,
    book_id: i64,
    kind: MoveKind,
    delta: i64,
    reason: &str,
    by: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let after: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "UPDATE library_items SET stock = stock + $2 WHERE id = $1 AND kind = 'book' AND stock + $2 >= 0 RETURNING stock",
        )
        .bind(book_id)
        .bind(delta)
        .fetch_optional(&mut *conn)
        .await?
    });
    if let Some(after) = after {
        write_move(tx, book_id, kind, delta, after, reason, None, Some(by)).await?;
    }
    Ok(after)
}

/// One change of a book's stock, as the book page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Move {
    /// 入库 / 送出 / 调整.
    pub kind: MoveKind,
    /// Copies in (+) or out (−).
    pub delta: i64,
    /// The stock after it.
    pub stock_after: i64,
    /// Why (restocks and adjustments).
    pub reason: String,
    /// When (UTC).
    pub moved_at: DateTime<Utc>,
    /// Who ('' when unknown).
    pub by_name: String,
    /// The door-to-door task of a 送出, when the member is in the viewer's scope.
    pub delivery_id: Option<i64>,
    /// The member a copy went to, when in the viewer's scope.
    pub member_name: Option<String>,
    /// The village or community (station) a copy went to: counts are not personal.
    pub village: Option<String>,
}

/// A book's stock moves, newest first (at most 200). Who a copy went to is named only inside
/// `scope`; outside it, only the village.
pub async fn moves(db: &Db, book_id: i64, scope: &Scope) -> Result<Vec<Move>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT mv.kind, mv.delta, mv.stock_after, mv.reason, mv.moved_at, COALESCE(u.name, '') AS by_name, \
             CASE WHEN un.path LIKE $2 THEN v.delivery_id END AS delivery_id, \
             CASE WHEN un.path LIKE $2 THEN m.name END AS member_name, \
             COALESCE(su.name, un.name) AS village \
             FROM library_book_moves mv LEFT JOIN users u ON u.id = mv.moved_by \
             LEFT JOIN delivery_visits v ON v.id = mv.visit_id LEFT JOIN members m ON m.id = v.member_id \
             LEFT JOIN units un ON un.id = m.unit_id \
             LEFT JOIN units su ON su.id = un.parent_id AND su.kind = 'station' \
             WHERE mv.book_id = $1 ORDER BY mv.id DESC LIMIT 200",
        )
        .bind(book_id)
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// Copies handed out by visits, per village or community, most first: who holds how many.
pub async fn out_by_village(db: &Db, book_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COALESCE(su.name, un.name) AS village, COUNT(*) AS copies \
             FROM library_book_moves mv JOIN delivery_visits v ON v.id = mv.visit_id \
             JOIN members m ON m.id = v.member_id JOIN units un ON un.id = m.unit_id \
             LEFT JOIN units su ON su.id = un.parent_id AND su.kind = 'station' \
             WHERE mv.book_id = $1 AND mv.kind = 'out' \
             GROUP BY COALESCE(su.name, un.name) ORDER BY COUNT(*) DESC, COALESCE(su.name, un.name)",
        )
        .bind(book_id)
        .fetch_all(pool)
        .await
    })
}
