//! A bounded lock-free LIFO of slot indices: the frame pool's free list.
//!
//! Last in, first out on purpose: the slot released most recently is the one acquired next, so a
//! pipeline that keeps a few frames in flight cycles through the same few slots, whose memory is
//! still in the CPU's caches (and whose pages are the only ones ever touched), instead of walking
//! the whole slab as a first-in-first-out queue does (for 64 slots of 1080p RGBA, 530 MB per
//! round: every frame cold). This is what `malloc`/`free` give GStreamer's buffers.
//!
//! A Treiber stack over an array: `next[i]` links entry `i` to the one below it, and the head
//! packs a 32-bit tag beside the top index. Every successful compare-and-swap bumps the tag, so a
//! `pop` that read `next[top]` before another thread popped `top` and pushed it back (the ABA
//! case) fails its swap and retries. `tests/loom/free_stack.rs` model-checks the protocol.

use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};

use crate::sync::{AtomicU32, AtomicU64};

/// `index + 1` in the low 32 bits of the head and in `next` entries; 0 means "none".
const NONE: u32 = 0;

/// A lock-free stack holding each index in `0..capacity` at most once.
#[derive(Debug)]
pub struct FreeStack {
    /// `tag << 32 | (top index + 1)`, or a tag and [`NONE`] when empty.
    head: AtomicU64,
    /// For each index on the stack, the entry below it (`index + 1`, or [`NONE`]).
    next: Box<[AtomicU32]>,
}

fn pack(tag: u32, link: u32) -> u64 {
    (u64::from(tag) << 32) | u64::from(link)
}

fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}

impl FreeStack {
    /// An empty stack for indices `0..capacity`.
    ///
    /// # Panics
    ///
    /// If `capacity` is `u32::MAX` or more (a link is `index + 1` in 32 bits).
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity < u32::MAX as usize,
            "free stack capacity {capacity} is too large"
        );
        Self {
            head: AtomicU64::new(pack(0, NONE)),
            next: (0..capacity).map(|_| AtomicU32::new(NONE)).collect(),
        }
    }

    /// How many indices the stack can hold.
    pub fn capacity(&self) -> usize {
        self.next.len()
    }

    /// Puts `index` on top. The caller guarantees `index` is not already on the stack (a slot
    /// is freed once per acquire); out-of-range indices are refused with `Err(index)`.
    ///
    /// # Errors
    ///
    /// `Err(index)` if `index >= capacity`.
    pub fn push(&self, index: u32) -> Result<(), u32> {
        let Some(link) = self.next.get(index as usize) else {
            return Err(index);
        };
        let mut head = self.head.load(Acquire);
        loop {
            let (tag, top) = unpack(head);
            link.store(top, Relaxed);
            // Release (in AcqRel) publishes the `link` store to the `pop` that takes `index`.
            match self.head.compare_exchange_weak(
                head,
                pack(tag.wrapping_add(1), index + 1),
                AcqRel,
                Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(current) => head = current,
            }
        }
    }

    /// Takes the index on top, or `None` when the stack is empty.
    pub fn pop(&self) -> Option<u32> {
        let mut head = self.head.load(Acquire);
        loop {
            let (tag, top) = unpack(head);
            if top == NONE {
                return None;
            }
            let below = self.next[(top - 1) as usize].load(Relaxed);
            // If `top` was popped and pushed again since `head` was read, the tag moved on and
            // this swap fails, so a stale `below` is never installed.
            match self.head.compare_exchange_weak(
                head,
                pack(tag.wrapping_add(1), below),
                AcqRel,
                Acquire,
            ) {
                Ok(_) => return Some(top - 1),
                Err(current) => head = current,
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::FreeStack;

    #[test]
    fn last_pushed_is_first_popped() {
        let stack = FreeStack::new(4);
        assert_eq!(stack.pop(), None);
        for index in [3, 1, 2] {
            stack.push(index).unwrap();
        }
        assert_eq!(stack.pop(), Some(2));
        stack.push(0).unwrap();
        assert_eq!(stack.pop(), Some(0));
        assert_eq!(stack.pop(), Some(1));
        assert_eq!(stack.pop(), Some(3));
        assert_eq!(stack.pop(), None);
    }

    #[test]
    fn out_of_range_push_is_refused() {
        let stack = FreeStack::new(2);
        assert_eq!(stack.push(2), Err(2));
        assert_eq!(stack.pop(), None);
    }

    #[test]
    fn threads_popping_and_pushing_never_share_an_index() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        const SLOTS: u32 = 8;
        let stack = Arc::new(FreeStack::new(SLOTS as usize));
        for index in 0..SLOTS {
            stack.push(index).unwrap();
        }
        let held: Arc<Vec<AtomicBool>> =
            Arc::new((0..SLOTS).map(|_| AtomicBool::new(false)).collect());
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (stack, held) = (Arc::clone(&stack), Arc::clone(&held));
                std::thread::spawn(move || {
                    for _ in 0..100_000 {
                        if let Some(index) = stack.pop() {
                            assert!(
                                !held[index as usize].swap(true, Ordering::AcqRel),
                                "{index} popped twice"
                            );
                            held[index as usize].store(false, Ordering::Release);
                            stack.push(index).unwrap();
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        let mut all: Vec<u32> = std::iter::from_fn(|| stack.pop()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..SLOTS).collect::<Vec<_>>());
    }
}
