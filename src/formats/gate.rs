//! Bounds how many memory-heavy decodes (photos, spreadsheets) run at once. Each decoder is
//! bounded on its own (a photo to 128 MB, a spreadsheet to 300 MB), but twelve photos at once
//! once took 3.7 GB: the process's memory is bounded only if the number of decodes is too. Work
//! beyond the bound waits briefly for a slot, then is told the server is busy.

use std::time::Duration;

use tokio::sync::Semaphore;

/// Why gated work did not produce its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// Every slot stayed taken for the gate's wait.
    #[error("服务器正忙，请稍后重新提交")]
    Busy,
    /// The work panicked.
    #[error("处理失败，请稍后再试")]
    Failed,
}

/// A limited number of slots for CPU- and memory-heavy work, run off the async threads. Use one
/// static gate per kind of work: the memory it protects is the whole process's.
pub struct DecodeGate {
    slots: Semaphore,
    wait: Duration,
}

impl DecodeGate {
    /// A gate of `slots` slots where a caller waits at most `wait` for one.
    pub const fn new(slots: usize, wait: Duration) -> DecodeGate {
        DecodeGate { slots: Semaphore::const_new(slots), wait }
    }

    /// Runs `job` on the blocking pool once a slot is free; [`GateError::Busy`] when none
    /// frees up in time. The slot moves into the job, so it stays taken until the job ends
    /// even if the request that started it is gone.
    pub async fn run<T: Send + 'static>(
        &'static self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, GateError> {
        let slot = tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .map_err(|_| GateError::Busy)?
            .map_err(|_| GateError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            job()
        })
        .await
        .map_err(|_| GateError::Failed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;

    static GATE: DecodeGate = DecodeGate::new(2, Duration::from_millis(20));
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);
    /// Jobs run until the test opens the gate.
    static RELEASED: AtomicBool = AtomicBool::new(false);

    fn job() -> usize {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST.fetch_max(now, Ordering::SeqCst);
        while !RELEASED.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        now
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_slots_run_at_once_and_the_rest_are_told_busy() {
        let first = tokio::spawn(GATE.run(job));
        let second = tokio::spawn(GATE.run(job));
        while RUNNING.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        // Both slots are taken until the jobs are released, so this one cannot get in.
        let third = GATE.run(job).await;
        assert_eq!(third, Err(GateError::Busy));
        assert_eq!(GateError::Busy.to_string(), "服务器正忙，请稍后重新提交");
        RELEASED.store(true, Ordering::SeqCst);
        assert!(first.await.unwrap().is_ok() && second.await.unwrap().is_ok());
        assert!(GATE.run(job).await.is_ok(), "a freed slot is used again");
        assert_eq!(MOST.load(Ordering::SeqCst), 2);
    }
}
