//! Group commit for awards that stand alone (a read article, a watched video, a quiz answer):
//! many requests share one transaction and one fsync.
//!
//! One writer task takes whatever awards have queued up while the previous commit was flushing
//! (up to [`MAX_BATCH`]), writes them with [`award_batch`], commits, and only then answers each
//! caller, so an acknowledgement always means committed. Under light load a batch is one award
//! and nothing waits; under heavy load batches grow, and the disk's few thousand fsyncs a second
//! carry hundreds of thousands of awards. The queue is bounded: when it is full, `submit` waits.

use tokio::sync::{mpsc, oneshot};

use super::batch::award_batch;
use super::store::{Award, Awarded};
use crate::db::Db;

/// Most awards in one transaction: the more a batch carries, the more of its index pages it
/// shares with its own awards, so each page is written once for many (bench/README.md §8).
pub const MAX_BATCH: usize = 16_384;
/// The writer's own page cache, MiB (see [`Db::dedicated_writer`]).
const WRITER_CACHE_MIB: u32 = 64;
/// Awards waiting for the writer before `submit` has to wait.
const QUEUE: usize = 4 * MAX_BATCH;

/// An award could not be written (its batch failed, or the writer stopped); the cause is logged.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("积分暂时无法记录，请稍后再试")]
pub struct IngestError;

type Reply = oneshot::Sender<Result<Awarded, IngestError>>;

/// A handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ingest {
    queue: mpsc::Sender<(Award, Reply)>,
}

impl Ingest {
    /// Starts the writer task on `db`. It ends when every handle is dropped.
    pub fn start(db: Db) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, requests));
        Ingest { queue }
    }

    /// Queues one award and waits until it is committed (or its batch failed).
    pub async fn submit(&self, award: Award) -> Result<Awarded, IngestError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((award, reply)).await.map_err(|_| IngestError)?;
        answer.await.map_err(|_| IngestError)?
    }
}

async fn write_batches(db: Db, mut requests: mpsc::Receiver<(Award, Reply)>) {
    let dedicated = db.dedicated_writer(WRITER_CACHE_MIB).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the points writer shares the pool");
        None
    });
    let writer = dedicated.as_ref().unwrap_or(&db);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while requests.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (awards, replies): (Vec<Award>, Vec<Reply>) = batch.drain(..).unzip();
        match commit(writer, &awards).await {
            Ok(done) => {
                for (reply, awarded) in replies.into_iter().zip(done) {
                    let _ = reply.send(Ok(awarded));
                }
            }
            Err(error) => {
                tracing::error!(%error, awards = awards.len(), "points batch failed");
                for reply in replies {
                    let _ = reply.send(Err(IngestError));
                }
            }
        }
    }
    if let Some(dedicated) = dedicated {
        dedicated.close().await;
    }
}

async fn commit(db: &Db, awards: &[Award]) -> Result<Vec<Awarded>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = award_batch(&mut tx, awards).await?;
    tx.commit().await?;
    Ok(done)
}
