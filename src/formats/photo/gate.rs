//! Bounds how many photos are decoded at once. One decode holds up to
//! [`super::MAX_DECODED_BYTES`]; twelve at once once took 3.7 GB. Uploads beyond the bound
//! wait briefly for a slot, then are told the server is busy.

use std::time::Duration;

use tokio::sync::Semaphore;

use super::PhotoError;

/// Decodes running at once, process-wide: the machine's two cores are busy with two anyway.
pub const MAX_CONCURRENT_DECODES: usize = 2;
/// How long an upload waits for a decoding slot before it is answered "busy".
pub const BUSY_WAIT: Duration = Duration::from_secs(10);

/// The bound every photo upload passes: one gate for the whole process, because the memory
/// it protects is the process's.
pub static PHOTO_DECODES: DecodeGate = DecodeGate::new(MAX_CONCURRENT_DECODES, BUSY_WAIT);

/// A limited number of slots for CPU- and memory-heavy work, run off the async threads.
pub struct DecodeGate {
    slots: Semaphore,
    wait: Duration,
}

impl DecodeGate {
    /// A gate of `slots` slots where a caller waits at most `wait` for one.
    pub const fn new(slots: usize, wait: Duration) -> DecodeGate {
        DecodeGate { slots: Semaphore::const_new(slots), wait }
    }

    /// Runs `job` on the blocking pool once a slot is free; [`PhotoError::Busy`] when none
    /// frees up in time. The slot moves into the job, so it stays taken until the job ends
    /// even if the request that started it is gone.
    pub async fn run<T: Send + 'static>(
        &'static self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PhotoError> {
        let slot = tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .map_err(|_| PhotoError::Busy)?
            .map_err(|_| PhotoError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            job()
        })
        .await
        // The job panicked: the photo could not be processed.
        .map_err(|_| PhotoError::Encode)
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
        assert_eq!(third, Err(PhotoError::Busy));
        assert_eq!(PhotoError::Busy.to_string(), "服务器正忙，请稍后重新提交");
        RELEASED.store(true, Ordering::SeqCst);
        assert!(first.await.unwrap().is_ok() && second.await.unwrap().is_ok());
        assert!(GATE.run(job).await.is_ok(), "a freed slot is used again");
        assert_eq!(MOST.load(Ordering::SeqCst), 2);
    }
}
