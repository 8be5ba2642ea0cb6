//! One write transaction over whichever backend the deployment uses.
//!
//! A change that must commit as a whole — a campaign and its audience units, an attendance and
//! whatever follows from it, any change and its audit entry — is made through store functions
//! that take `&mut Tx`. The caller (a handler, the CLI, the demo) begins the transaction, passes
//! it to every room's change function in turn, and commits; dropping a `Tx` without committing
//! rolls everything back, so an early `?` or a refused check leaves no trace.

use sqlx::{Postgres, Sqlite, Transaction};

use super::Db;

/// An open transaction on a SQLite or a PostgreSQL connection.
#[derive(Debug)]
pub enum Tx {
    /// On the embedded backend.
    Sqlite(Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same expression on whichever connection the open transaction `$tx` (a `&mut Tx`)
/// holds, binding that backend's `&mut …Connection` to `$conn`.
///
/// The body is compiled once per backend, like [`on_db!`](crate::on_db), so the SQL text stays
/// shared. Pass the connection on as `&mut *conn` to run several statements.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(open) => {
                let $conn: &mut ::sqlx::SqliteConnection = &mut **open;
                $body
            }
            $crate::db::Tx::Postgres(open) => {
                let $conn: &mut ::sqlx::PgConnection = &mut **open;
                $body
            }
        }
    };
}

impl Db {
    /// Begins a write transaction.
    ///
    /// On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken now, waiting out other writers
    /// under the busy timeout, rather than at the first write, where a transaction that has read
    /// first would fail at once with "database is locked" if another write came in between.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Commits every change made through this transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(open) => open.commit().await,
            Tx::Postgres(open) => open.commit().await,
        }
    }

    /// Whether this is the embedded backend.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Tx::Sqlite(_))
    }
}
