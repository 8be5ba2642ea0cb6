//! The database: one [`Db`] over a SQLite or a PostgreSQL pool.
//!
//! Queries are written once in portable SQL (`$1` placeholders, `RETURNING`, `ON CONFLICT`) and
//! run on either pool through [`on_db!`]; only where the dialects truly differ does a store match
//! on the backend itself. Changes that must commit together run in one [`Tx`] through [`on_tx!`].

pub mod coded;
pub mod rows;
mod tx;

pub use tx::Tx;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A connection pool to whichever backend this deployment uses.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default: one file under the data directory.
    Sqlite(SqlitePool),
    /// A PostgreSQL-compatible server, for deployments that grow beyond one machine.
    Postgres(PgPool),
}

/// Runs the same expression on whichever pool `$db` holds, binding it to `$pool`.
///
/// The body is compiled once per backend, so `sqlx::query_as::<_, T>` infers the right row type
/// in each arm while the SQL text stays shared.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Where the database lives: a PostgreSQL URL if given, else the SQLite file in the data dir.
#[derive(Clone, Debug)]
pub enum Location {
    /// `DATA_DIR/dongxun.db`, created on first use.
    SqliteFile(std::path::PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl Location {
    /// Picks the backend from the CLI settings: an explicit URL wins over the data directory.
    pub fn from_settings(data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<Self> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Self::Postgres(url.to_owned()))
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                Ok(Self::SqliteFile(path.into()))
            }
            Some(other) => {
                anyhow::bail!("不支持的数据库地址：{other}（应以 postgres:// 或 sqlite: 开头）")
            }
            None => Ok(Self::SqliteFile(data_dir.join("dongxun.db"))),
        }
    }
}

impl Db {
    /// Opens the pool. SQLite runs in WAL mode with `synchronous=FULL`, so a write that returned
    /// has reached the disk; the file and its directory are created when missing, private to the
    /// owner (see [`private_sqlite_file`]).
    pub async fn connect(location: &Location) -> anyhow::Result<Self> {
        match location {
            Location::SqliteFile(path) => {
                private_sqlite_file(path)?;
                let options = SqliteConnectOptions::from_str("sqlite:")?
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Deleted and overwritten values are zeroed in the file, not left in freed
                    // space: a removed member's ID-card number or phone must not linger at rest.
                    .pragma("secure_delete", "ON")
                    // Statement journals (a multi-row INSERT with a trigger, in a transaction)
                    // and sorts in memory, not in temp files: a check-in batch wrote one each.
                    .pragma("temp_store", "MEMORY");
                let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
                Ok(Self::Sqlite(pool))
            }
            Location::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    /// Applies any pending migrations for this backend, then refreshes the planner's statistics.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        self.analyze().await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics. SQLite keeps none until asked, and without them
    /// it drove the member list through the wrong index: 100 ms instead of 1 ms per page at
    /// 100,000 members (bench/README.md). Run at start and after bulk imports.
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => {
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(())
    }

    /// Whether this is the embedded backend.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }

    /// A pool of its own for one busy writer (the points ingest), on the same database.
    ///
    /// On SQLite it is one connection with a `cache_mib` page cache and a WAL checkpointed every
    /// `cache_mib` MiB instead of every 4 MiB: SQLite drops a connection's page cache whenever
    /// another connection has written, so batches spread over the shared pool each began cold
    /// and re-read every index page they touched; one connection that does all the batch
    /// writing keeps its pages, and a page rewritten by many batches reaches the database file
    /// once per checkpoint instead of once per batch. Durability is unchanged (`synchronous=FULL`,
    /// each commit fsynced). On PostgreSQL, where the server keeps the cache, `None`: use the pool.
    /// Close it ([`Db::close`]) when the writer is done.
    pub async fn dedicated_writer(&self, cache_mib: u32) -> Result<Option<Db>, sqlx::Error> {
        match self {
            Self::Sqlite(pool) => {
                let pages = cache_mib * 256; // 4 KiB pages
                let options = (*pool.connect_options())
                    .clone()
                    .pragma("cache_size", format!("-{}", cache_mib * 1024))
                    .pragma("wal_autocheckpoint", pages.to_string())
                    // Rows come back from SQLite's worker thread through a channel; at the
                    // default 50 the worker and the writer task woke each other every 50 rows.
                    .row_buffer_size(4096);
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await?;
                Ok(Some(Self::Sqlite(writer)))
            }
            Self::Postgres(_) => Ok(None),
        }
    }

    /// Closes every connection, letting SQLite checkpoint its WAL.
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// Creates the SQLite file's directory (0700) and the file itself (0600) before SQLite opens it,
/// and narrows an existing file (and its `-wal`/`-shm`) to 0600: members' personal data must not
/// be readable by other accounts on the machine. SQLite creates its WAL and shared-memory files
/// with the database file's permissions, so they follow. An existing directory is left as it is
/// (it may be shared, e.g. a `sqlite:` URL into /tmp).
fn private_sqlite_file(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| anyhow::anyhow!("无法创建数据目录 {}：{e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| anyhow::anyhow!("无法创建数据库文件 {}：{e}", path.display()))?;
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Makes a consistent copy of a live SQLite database with `VACUUM INTO`.
pub async fn backup_sqlite(db: &Db, target: &Path) -> anyhow::Result<()> {
    let Db::Sqlite(pool) = db else {
        anyhow::bail!(
            "PostgreSQL 数据库请使用 pg_dump 备份，例如：pg_dump -Fc -f dongxun.dump \"$DATABASE_URL\""
        );
    };
    // Created empty and private first (VACUUM INTO fills an empty file), which also refuses an
    // existing file atomically: a backup holds every member's personal data.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    if let Err(error) = options.open(target) {
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::bail!("目标文件已存在：{}（不会覆盖）", target.display());
        }
        anyhow::bail!("无法创建备份文件 {}：{error}", target.display());
    }
    sqlx::query("VACUUM INTO $1").bind(target.to_string_lossy().into_owned()).execute(pool).await?;
    Ok(())
}
