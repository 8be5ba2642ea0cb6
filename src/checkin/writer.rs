//! Group commit for self check-ins (QR code, six-digit code, name and phone): when a hall
//! checks in at once, many check-ins share one transaction and one fsync.
//!
//! One writer task takes whatever check-ins queued while the previous commit was flushing (up to
//! [`MAX_BATCH`]), records them with [`record_batch`], commits, and only then answers each
//! phone, so "签到成功" always means committed. Under light load a batch is one check-in, written
//! by the single path, and nothing waits. The points of a check-in stay in its transaction, but
//! a batch writes them for all its check-ins with a handful of statements: on SQLite the write
//! lock is no longer held across two round trips per check-in, which is what the points used to
//! cost a burst (bench/README.md §8). A batch that fails is retried one check-in per transaction,
//! so one bad check-in fails alone.

use tokio::sync::{mpsc, oneshot};

use super::batch::record_batch;
use super::store::{self, Attendance, Recorded};
use crate::db::Db;

/// Most check-ins in one transaction.
pub const MAX_BATCH: usize = 256;
/// Check-ins waiting for the writer before `record` has to wait.
const QUEUE: usize = 4 * MAX_BATCH;
/// The writer's own page cache, MiB (see [`Db::dedicated_writer`]).
const WRITER_CACHE_MIB: u32 = 16;

type Reply = oneshot::Sender<Result<Recorded, sqlx::Error>>;

/// A handle to the check-in writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct CheckinWriter {
    queue: mpsc::Sender<(Attendance, Reply)>,
}

impl CheckinWriter {
    /// Starts the writer task on `db`. It ends when every handle is dropped.
    pub fn start(db: Db) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, requests));
        CheckinWriter { queue }
    }

    /// Queues one check-in and waits until it is committed (or could not be).
    pub async fn record(&self, entry: Attendance) -> Result<Recorded, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((entry, reply)).await.map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

async fn write_batches(db: Db, mut requests: mpsc::Receiver<(Attendance, Reply)>) {
    let dedicated = db.dedicated_writer(WRITER_CACHE_MIB).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the check-in writer shares the pool");
        None
    });
    let writer = dedicated.as_ref().unwrap_or(&db);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while requests.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, replies): (Vec<Attendance>, Vec<Reply>) = batch.drain(..).unzip();
        match commit(writer, &entries).await {
            Ok(done) => {
                for (reply, recorded) in replies.into_iter().zip(done) {
                    let _ = reply.send(Ok(recorded));
                }
            }
            Err(error) => {
                tracing::warn!(%error, check_ins = entries.len(), "check-in batch failed; one at a time");
                for (entry, reply) in entries.iter().zip(replies) {
                    let _ = reply.send(commit_one(writer, entry).await);
                }
            }
        }
    }
    if let Some(dedicated) = dedicated {
        dedicated.close().await;
    }
}

async fn commit(db: &Db, entries: &[Attendance]) -> Result<Vec<Recorded>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = record_batch(&mut tx, entries).await?;
    tx.commit().await?;
    Ok(done)
}

async fn commit_one(db: &Db, entry: &Attendance) -> Result<Recorded, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = store::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(done)
}
