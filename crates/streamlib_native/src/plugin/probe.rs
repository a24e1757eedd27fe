//! Probes on a native node's outputs: a one-frame slot per output that the node's thread fills
//! with a reference to the next frame it writes once the host asks (GStreamer pad probes), and the
//! host empties on its own schedule. The thread never waits for the host and never calls into
//! JavaScript: a probe costs it one atomic load per frame while nothing is asked, and one
//! `try_lock`, one `retain` and a 32-byte copy per sample.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use crate::frame_pool::FramePool;
use crate::message::FrameMessage;

#[derive(Default)]
struct Held {
    /// The pool the host reads samples from; frames of any other pool are not sampled.
    pool: Option<Arc<FramePool>>,
    /// The sampled frame, whose slot reference this probe owns until the host takes it.
    frame: Option<FrameMessage>,
}

/// The probe slot of one output.
#[derive(Default)]
pub struct OutputProbe {
    armed: AtomicBool,
    held: Mutex<Held>,
}

fn lock(mutex: &Mutex<Held>) -> MutexGuard<'_, Held> {
    // The critical sections below cannot panic halfway (a swap, an Arc clone); carry on.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl OutputProbe {
    /// Asks for the next frame written, of `pool` (host side). A frame already held stays until
    /// [`OutputProbe::take`].
    pub fn arm(&self, pool: Arc<FramePool>) {
        let mut held = lock(&self.held);
        if !held.pool.as_ref().is_some_and(|p| Arc::ptr_eq(p, &pool)) {
            if let Some(frame) = held.frame.take() {
                release(held.pool.as_ref(), &frame);
            }
            held.pool = Some(pool);
        }
        self.armed.store(true, Ordering::Release);
    }

    /// Whether a frame is asked for (writer side; one atomic load).
    pub fn wants(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// The pool to write a frame into for an output that has no connection, when a frame is asked
    /// for (writer side). `None` while the host holds the slot's lock: never waits.
    pub fn pool(&self) -> Option<Arc<FramePool>> {
        if !self.wants() {
            return None;
        }
        match self.held.try_lock() {
            Ok(held) => held.pool.clone(),
            Err(TryLockError::Poisoned(p)) => p.into_inner().pool.clone(),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Offers a frame just written to the output (writer side): when one is asked for and
    /// `pool` is the probe's, the probe takes a reference to its slot and stops asking. Never
    /// waits: while the host holds the slot's lock, the frame is not sampled (the next one is).
    ///
    /// `message.slot` must be a live slot of `pool` that the caller holds a reference to.
    pub fn offer(&self, pool: &Arc<FramePool>, message: &FrameMessage) {
        if !self.wants() {
            return;
        }
        let mut held = match self.held.try_lock() {
            Ok(held) => held,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if !held.pool.as_ref().is_some_and(|p| Arc::ptr_eq(p, pool)) {
            return;
        }
        if pool.retain(message.slot).is_err() {
            return;
        }
        if let Some(old) = held.frame.replace(*message) {
            let _ = pool.release(old.slot);
        }
        self.armed.store(false, Ordering::Release);
    }

    /// Takes the sampled frame (host side): the caller now owns its slot reference and releases
    /// it in the probe's pool. `None` when no frame was written since it was asked for.
    pub fn take(&self) -> Option<FrameMessage> {
        lock(&self.held).frame.take()
    }

    /// Stops asking and releases a held frame (host side): after a probe closes, and at
    /// teardown, so a probe never keeps a slot of a stopped graph.
    pub fn clear(&self) {
        self.armed.store(false, Ordering::Release);
        let mut held = lock(&self.held);
        if let Some(frame) = held.frame.take() {
            release(held.pool.as_ref(), &frame);
        }
    }

    /// Releases a held frame and keeps asking (teardown while a probe stays attached).
    pub fn release_held(&self) {
        let mut held = lock(&self.held);
        if let Some(frame) = held.frame.take() {
            release(held.pool.as_ref(), &frame);
        }
    }
}

impl Drop for OutputProbe {
    fn drop(&mut self) {
        self.clear();
    }
}

fn release(pool: Option<&Arc<FramePool>>, frame: &FrameMessage) {
    if let Some(pool) = pool {
        // A stale handle is impossible here (the probe held a reference); nothing to report.
        let _ = pool.release(frame.slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(slot: u32) -> FrameMessage {
        FrameMessage {
            slot,
            format: 0x0400_0000,
            byte_length: 8,
            ..FrameMessage::EMPTY
        }
    }

    #[test]
    fn offer_samples_only_when_asked_and_holds_one_reference() {
        let pool = Arc::new(FramePool::new(128, 4).unwrap());
        let probe = OutputProbe::default();
        let a = pool.acquire().unwrap();
        probe.offer(&pool, &message(a));
        assert_eq!(
            pool.refcount(a).unwrap(),
            1,
            "not asked: no reference taken"
        );
        assert!(probe.take().is_none());

        probe.arm(Arc::clone(&pool));
        probe.offer(&pool, &message(a));
        assert_eq!(pool.refcount(a).unwrap(), 2);
        assert!(!probe.wants(), "one sample per ask");
        let b = pool.acquire().unwrap();
        probe.offer(&pool, &message(b));
        assert_eq!(
            pool.refcount(b).unwrap(),
            1,
            "answered: the next frame is not taken"
        );

        let taken = probe.take().unwrap();
        assert_eq!(taken.slot, a);
        pool.release(taken.slot).unwrap();
        pool.release(a).unwrap();
        pool.release(b).unwrap();
        assert_eq!(pool.stats().in_use, 0);
    }

    #[test]
    fn clear_and_drop_release_the_held_frame_and_other_pools_are_ignored() {
        let pool = Arc::new(FramePool::new(128, 4).unwrap());
        let other = Arc::new(FramePool::new(128, 4).unwrap());
        let probe = OutputProbe::default();
        probe.arm(Arc::clone(&pool));
        let foreign = other.acquire().unwrap();
        probe.offer(&other, &message(foreign));
        assert_eq!(
            other.refcount(foreign).unwrap(),
            1,
            "another pool's frame is not sampled"
        );
        assert!(probe.wants());
        assert!(probe.pool().is_some_and(|p| Arc::ptr_eq(&p, &pool)));

        let a = pool.acquire().unwrap();
        probe.offer(&pool, &message(a));
        pool.release(a).unwrap();
        assert_eq!(pool.stats().in_use, 1, "the probe holds the slot");
        probe.release_held();
        assert_eq!(pool.stats().in_use, 0);

        probe.arm(Arc::clone(&pool));
        let b = pool.acquire().unwrap();
        probe.offer(&pool, &message(b));
        pool.release(b).unwrap();
        probe.clear();
        assert!(!probe.wants());
        assert!(probe.pool().is_none(), "not asked: no pool handed out");
        assert_eq!(pool.stats().in_use, 0);

        probe.arm(Arc::clone(&pool));
        let c = pool.acquire().unwrap();
        probe.offer(&pool, &message(c));
        pool.release(c).unwrap();
        drop(probe);
        assert_eq!(pool.stats().in_use, 0, "drop releases what the probe held");
        other.release(foreign).unwrap();
    }
}
