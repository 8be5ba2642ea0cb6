//! Group commit for a live contest's answers: when a question opens, every phone answers within
//! a few seconds, and one committed INSERT each (one fsync each on SQLite, one after the other)
//! would keep the last phone waiting for thousands of commits (bench/README.md §10).
//!
//! As in `points::ingest`: one writer task per room takes whatever answers queued up while the
//! previous commit was flushing (up to [`MAX_BATCH`]), stores them with
//! [`store::answer_batch`] in one transaction, commits, and only then answers each phone, so an
//! acknowledgement still means committed. Under light load a batch is one answer and nothing
//! waits. The queue is bounded: when it is full, `submit` waits.

use tokio::sync::{mpsc, oneshot};

use super::store::{self, NewAnswer, Stored};
use crate::db::Db;

/// Most answers in one transaction.
pub const MAX_BATCH: usize = 4096;
/// The writer's own page cache, MiB (see [`Db::dedicated_writer`]).
const WRITER_CACHE_MIB: u32 = 8;
/// Answers waiting for the writer before `submit` has to wait.
const QUEUE: usize = 4 * MAX_BATCH;

/// An answer could not be stored (its batch failed, or the writer stopped); the cause is logged.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("答案暂时无法保存，请再点一次提交")]
pub struct AnswerError;

type Reply = oneshot::Sender<Result<Stored, AnswerError>>;

/// A handle to a room's writer task; cheap to clone. The task ends when every handle is dropped.
#[derive(Clone, Debug)]
pub struct AnswerWriter {
    queue: mpsc::Sender<(NewAnswer, Reply)>,
}

impl AnswerWriter {
    /// Starts the writer task on `db`.
    pub fn start(db: Db) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, requests));
        AnswerWriter { queue }
    }

    /// Queues one answer and waits until its batch is committed: returns the answer that counts
    /// (this one or the one stored first), its score, and whether this one is new.
    pub async fn submit(&self, answer: NewAnswer) -> Result<Stored, AnswerError> {
        let (reply, stored) = oneshot::channel();
        self.queue.send((answer, reply)).await.map_err(|_| AnswerError)?;
        stored.await.map_err(|_| AnswerError)?
    }
}

async fn write_batches(db: Db, mut requests: mpsc::Receiver<(NewAnswer, Reply)>) {
    let dedicated = db.dedicated_writer(WRITER_CACHE_MIB).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the contest's answer writer shares the pool");
        None
    });
    let writer = dedicated.as_ref().unwrap_or(&db);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while requests.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (answers, replies): (Vec<NewAnswer>, Vec<Reply>) = batch.drain(..).unzip();
        match commit(writer, &answers).await {
            Ok(done) => {
                for (reply, stored) in replies.into_iter().zip(done) {
                    let _ = reply.send(Ok(stored));
                }
            }
            Err(error) => {
                tracing::error!(%error, answers = answers.len(), "contest answer batch failed");
                for reply in replies {
                    let _ = reply.send(Err(AnswerError));
                }
            }
        }
    }
    if let Some(dedicated) = dedicated {
        dedicated.close().await;
    }
}

async fn commit(db: &Db, answers: &[NewAnswer]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = store::answer_batch(&mut tx, answers).await?;
    tx.commit().await?;
    Ok(done)
}
