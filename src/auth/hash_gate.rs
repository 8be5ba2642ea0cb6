//! The hashing gate: how many Argon2 computations may run at once.
//!
//! Each Argon2id check takes about 19 MB for its duration, and the blocking pool would run up to
//! 512 of them side by side: a few hundred concurrent wrong logins took the server to gigabytes.
//! One process-wide gate (memory is per process) grants as many slots as there are cores — more
//! would not finish sooner — and lets a short queue wait for them; a request that finds the queue
//! full, or waits longer than it may, is answered "系统繁忙" instead of adding to the pile.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

/// No hashing slot came free in time: the caller answers "busy, try again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// Requests that may wait for a slot, per slot; beyond that they are refused at once.
const QUEUE_PER_SLOT: usize = 4;

/// Bounds concurrent hashing and counts it, so tests can read the peak.
#[derive(Debug)]
pub struct HashGate {
    slots: Semaphore,
    capacity: usize,
    waiting: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// A held slot: hashing may run while it lives.
pub struct Slot<'a> {
    gate: &'a HashGate,
    _permit: SemaphorePermit<'a>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.gate.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The process's gate, sized to the cores.
pub fn gate() -> &'static HashGate {
    static GATE: OnceLock<HashGate> = OnceLock::new();
    GATE.get_or_init(|| HashGate::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

impl HashGate {
    /// A gate with `capacity` slots.
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: Semaphore::new(capacity),
            capacity,
            waiting: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// How many hashes may run at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most hashes that have run at once since start.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Waits for a slot however long it takes (seeding, the command line).
    pub async fn wait(&self) -> Slot<'_> {
        let permit = self.slots.acquire().await.expect("the gate is never closed");
        self.enter(permit)
    }

    /// Takes a slot, waiting at most `wait` in a queue of bounded length.
    pub async fn try_wait(&self, wait: Duration) -> Result<Slot<'_>, Busy> {
        if let Ok(permit) = self.slots.try_acquire() {
            return Ok(self.enter(permit));
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.capacity * QUEUE_PER_SLOT {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let permit = tokio::time::timeout(wait, self.slots.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match permit {
            Ok(Ok(permit)) => Ok(self.enter(permit)),
            _ => Err(Busy),
        }
    }

    fn enter<'a>(&'a self, permit: SemaphorePermit<'a>) -> Slot<'a> {
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(running, Ordering::SeqCst);
        Slot { gate: self, _permit: permit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_refuses_after_the_wait() {
        let gate = HashGate::new(1);
        let held = gate.try_wait(Duration::ZERO).await.unwrap();
        assert_eq!(gate.try_wait(Duration::from_millis(1)).await.err(), Some(Busy));
        drop(held);
        assert!(gate.try_wait(Duration::ZERO).await.is_ok());
        assert_eq!(gate.peak(), 1);
    }
}
