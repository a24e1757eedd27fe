//! A process-wide table that maps `u32` handles to native objects and refuses stale ones.
//!
//! A handle packs an entry index, the entry's generation and a per-table tag:
//!
//! ```text
//! bit 31      30..28   27..16            15..0
//!     0       tag      generation 1..4095  index
//! ```
//!
//! Bit 31 stays clear so handles are also positive `i32`s, the tag makes a pool handle passed to
//! a ring function (or the reverse) fail cleanly, and the generation changes every time an entry
//! is reused, so a freed handle never reaches the new occupant. Freed indices are reused
//! first-in first-out, so a generation comes round again only after `capacity * 4095` frees.
//!
//! # The lookup protocol
//!
//! Each entry has one `AtomicU64` state: `generation << 32 | LIVE | count`, where `count` is the
//! number of threads currently using the value.
//!
//! - A lookup is one compare-and-swap that raises `count` only if the generation matches and
//!   `LIVE` is set ([`HandleTable::with_exclusive`] additionally requires `count == 0`), and one
//!   `Release` decrement when the access ends. No mutex, no allocation.
//! - [`HandleTable::remove`] clears `LIVE` (so no new lookup succeeds), then waits for `count` to
//!   drain to zero (lookups are short, non-blocking calls) before it takes the value out. Freeing
//!   a handle while another thread is inside a call on it is therefore safe: the call finishes
//!   first. A second free of the same handle finds `LIVE` clear and fails.
//! - [`HandleTable::insert`] and `remove` take a mutex around the free-index list; they are
//!   control-path operations.
//!
//! `tests/loom/handle_table.rs` model-checks this protocol.

use std::collections::VecDeque;
use std::sync::PoisonError;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::status::{Error, ErrorKind};
use crate::sync::{AtomicU64, Mutex, UnsafeCell, spin_wait};

/// Most entries a table can have (the index field is 16 bits).
pub const MAX_TABLE_CAPACITY: u32 = 1 << INDEX_BITS;

const INDEX_BITS: u32 = 16;
const GENERATION_BITS: u32 = 12;
const TAG_SHIFT: u32 = INDEX_BITS + GENERATION_BITS;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const MAX_GENERATION: u32 = (1 << GENERATION_BITS) - 1;
const MAX_TAG: u32 = 0b111;

const LIVE: u64 = 1 << 31;
const COUNT_MASK: u64 = LIVE - 1;

const fn pack(generation: u32, live: u64, count: u64) -> u64 {
    ((generation as u64) << 32) | live | count
}

const fn generation_of(state: u64) -> u32 {
    (state >> 32) as u32
}

const fn next_generation(generation: u32) -> u32 {
    generation % MAX_GENERATION + 1
}

/// One table entry, on its own cache line so endpoints used by different threads do not share
/// one.
#[repr(align(64))]
struct Entry<T> {
    state: AtomicU64,
    value: UnsafeCell<Option<T>>,
}

/// Drops one `count` when an access ends, even if the access panicked.
struct AccessGuard<'a>(&'a AtomicU64);

impl Drop for AccessGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Release);
    }
}

/// Why a hot-path lookup ([`HandleTable::try_shared`], [`HandleTable::try_exclusive`]) was
/// refused; [`HandleTable::with_shared`] and [`HandleTable::with_exclusive`] report it as an
/// [`Error`] with the handle and the table's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, of another table, removed or stale: [`ErrorKind::InvalidHandle`].
    Invalid,
    /// In use by another thread (exclusive access), or by the most threads a count holds
    /// (shared access): [`ErrorKind::EndpointBusy`].
    Busy,
}

/// A fixed-capacity table of `T`s addressed by generation-checked `u32` handles.
///
/// # Examples
///
/// ```
/// use streamlib_native::handle_table::HandleTable;
/// use streamlib_native::status::Status;
///
/// let table = HandleTable::new("widget", 1, 8);
/// let handle = table.insert(String::from("hello")).unwrap();
/// assert_eq!(table.with_shared(handle, |text| text.len()), Ok(5));
/// assert_eq!(table.remove(handle).unwrap(), "hello");
/// assert_eq!(table.remove(handle).unwrap_err().status(), Status::InvalidHandle);
/// ```
pub struct HandleTable<T> {
    entries: Box<[Entry<T>]>,
    free: Mutex<VecDeque<u32>>,
    tag: u32,
    kind: &'static str,
}

// SAFETY: values move in and out of the table from any thread (T: Send); `with_exclusive` hands
// out `&mut T` to one thread at a time, like `Mutex<T>`, and `with_shared`, which hands out `&T`
// to several threads at once, additionally requires `T: Sync`.
unsafe impl<T: Send> Sync for HandleTable<T> {}

// SAFETY: the table owns its values; sending it sends them, which `T: Send` allows.
unsafe impl<T: Send> Send for HandleTable<T> {}

impl<T> HandleTable<T> {
    /// Creates a table for up to `capacity` live handles of `kind` (used in error messages,
    /// e.g. `"ring endpoint"`), whose handles carry `tag`.
    ///
    /// # Panics
    ///
    /// If `tag` is not in `1..=7` or `capacity` is not in `1..=`[`MAX_TABLE_CAPACITY`].
    pub fn new(kind: &'static str, tag: u32, capacity: u32) -> Self {
        assert!(
            (1..=MAX_TAG).contains(&tag),
            "table tag {tag} outside 1..=7"
        );
        assert!(
            (1..=MAX_TABLE_CAPACITY).contains(&capacity),
            "table capacity {capacity} outside 1..={MAX_TABLE_CAPACITY}"
        );
        let entries = (0..capacity)
            .map(|_| Entry {
                state: AtomicU64::new(pack(0, 0, 0)),
                value: UnsafeCell::new(None),
            })
            .collect();
        Self {
            entries,
            free: Mutex::new((0..capacity).collect()),
            tag,
            kind,
        }
    }

    /// Most live handles the table holds.
    pub fn capacity(&self) -> u32 {
        self.entries.len() as u32
    }

    /// Live handles right now.
    pub fn len(&self) -> usize {
        self.entries.len()
            - self
                .free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len()
    }

    /// Whether no handle is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn invalid(&self, handle: u32) -> Error {
        ErrorKind::InvalidHandle {
            kind: self.kind,
            handle,
        }
        .into()
    }

    /// The entry and generation `handle` names, if it is well formed for this table.
    #[inline]
    fn locate(&self, handle: u32) -> Option<(&Entry<T>, u32)> {
        let tag = handle >> TAG_SHIFT;
        let generation = (handle >> INDEX_BITS) & MAX_GENERATION;
        let index = (handle & INDEX_MASK) as usize;
        match self.entries.get(index) {
            Some(entry) if tag == self.tag && generation != 0 => Some((entry, generation)),
            _ => None,
        }
    }

    /// [`HandleTable::locate`], with the error for a malformed handle.
    fn decode(&self, handle: u32) -> Result<(&Entry<T>, u32), Error> {
        self.locate(handle).ok_or_else(|| self.invalid(handle))
    }

    /// Stores `value` and returns its new handle.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TableFull`] when every entry is live; `value` is dropped.
    pub fn insert(&self, value: T) -> Result<u32, Error> {
        let index = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        let Some(index) = index else {
            return Err(ErrorKind::TableFull {
                kind: self.kind,
                capacity: self.capacity(),
            }
            .into());
        };
        let entry = &self.entries[index as usize];
        // The free-list mutex orders this after the `remove` that freed the entry.
        let state = entry.state.load(Relaxed);
        debug_assert_eq!(state & (LIVE | COUNT_MASK), 0, "free entry in use");
        let generation = next_generation(generation_of(state));
        entry.value.with_mut(|value_slot| {
            // SAFETY: the entry is not live, so every lookup fails before touching the value, and
            // only this thread holds its index (just taken off the free list).
            unsafe { *value_slot = Some(value) }
        });
        entry.state.store(pack(generation, LIVE, 0), Release);
        Ok((self.tag << TAG_SHIFT) | (generation << INDEX_BITS) | index)
    }

    /// Invalidates `handle` and returns its value, after waiting for calls in progress on it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidHandle`] if `handle` is unknown, of another table or already removed.
    pub fn remove(&self, handle: u32) -> Result<T, Error> {
        let (entry, generation) = self.decode(handle)?;
        let mut state = entry.state.load(Relaxed);
        loop {
            if generation_of(state) != generation || state & LIVE == 0 {
                return Err(self.invalid(handle));
            }
            match entry
                .state
                .compare_exchange_weak(state, state & !LIVE, Relaxed, Relaxed)
            {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        let mut round = 0;
        // Acquire: every access that ends (Release decrement) happens before the take below.
        while entry.state.load(Acquire) & COUNT_MASK != 0 {
            spin_wait(round);
            round = round.saturating_add(1);
        }
        let value = entry.value.with_mut(|value_slot| {
            // SAFETY: the entry is no longer live, so no access can start, and the count is zero,
            // so none is in progress: this thread has the value to itself.
            unsafe { (*value_slot).take() }
        });
        let index = handle & INDEX_MASK;
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(index);
        value.ok_or_else(|| self.invalid(handle))
    }

    /// Runs `f` with exclusive access to the value behind `handle`.
    ///
    /// Used for ring endpoints, each owned by one thread at a time: a second thread calling in
    /// while the first is inside is refused rather than racing it.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidHandle`] if `handle` is unknown, of another table or removed.
    /// - [`ErrorKind::EndpointBusy`] if another thread is using the value right now.
    pub fn with_exclusive<R>(&self, handle: u32, f: impl FnOnce(&mut T) -> R) -> Result<R, Error>
    where
        T: Send,
    {
        self.try_exclusive(handle, f)
            .map_err(|refusal| self.refusal_error(refusal, handle))
    }

    /// [`HandleTable::with_exclusive`] for hot paths: a refusal is a one-byte [`Refusal`], not an
    /// [`Error`] (whose message a caller builds only when it reports the failure).
    ///
    /// # Errors
    ///
    /// [`Refusal::Invalid`] or [`Refusal::Busy`], as for [`HandleTable::with_exclusive`].
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::handle_table::{HandleTable, Refusal};
    ///
    /// let table = HandleTable::new("counter", 1, 1);
    /// let handle = table.insert(0u32).unwrap();
    /// assert_eq!(table.try_exclusive(handle, |n| { *n += 1; *n }), Ok(1));
    /// assert_eq!(table.try_exclusive(handle + 1, |n| *n), Err(Refusal::Invalid));
    /// ```
    #[inline]
    pub fn try_exclusive<R>(&self, handle: u32, f: impl FnOnce(&mut T) -> R) -> Result<R, Refusal>
    where
        T: Send,
    {
        let (entry, generation) = self.locate(handle).ok_or(Refusal::Invalid)?;
        let idle = pack(generation, LIVE, 0);
        if let Err(actual) = entry
            .state
            .compare_exchange(idle, idle + 1, Acquire, Relaxed)
        {
            return Err(if actual & !COUNT_MASK == idle {
                Refusal::Busy
            } else {
                Refusal::Invalid
            });
        }
        let _guard = AccessGuard(&entry.state);
        entry.value.with_mut(|value_slot| {
            // SAFETY: the count went from 0 to 1 on a live entry of this generation, so this
            // thread is the only one accessing the value until the guard drops, and `remove`
            // waits for it.
            let value = unsafe { &mut *value_slot };
            value.as_mut().map(f).ok_or(Refusal::Invalid)
        })
    }

    /// Runs `f` with shared access to the value behind `handle`; other threads may be reading it
    /// at the same time.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidHandle`] if `handle` is unknown, of another table or removed.
    pub fn with_shared<R>(&self, handle: u32, f: impl FnOnce(&T) -> R) -> Result<R, Error>
    where
        T: Sync,
    {
        self.try_shared(handle, f)
            .map_err(|refusal| self.refusal_error(refusal, handle))
    }

    /// [`HandleTable::with_shared`] for hot paths: a refusal is a one-byte [`Refusal`], not an
    /// [`Error`].
    ///
    /// # Errors
    ///
    /// [`Refusal::Invalid`] if `handle` is unknown, of another table or removed;
    /// [`Refusal::Busy`] if the value already has the most concurrent users a count holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::handle_table::{HandleTable, Refusal};
    ///
    /// let table = HandleTable::new("word", 1, 1);
    /// let handle = table.insert("hi").unwrap();
    /// assert_eq!(table.try_shared(handle, |text| text.len()), Ok(2));
    /// table.remove(handle).unwrap();
    /// assert_eq!(table.try_shared(handle, |text| text.len()), Err(Refusal::Invalid));
    /// ```
    #[inline]
    pub fn try_shared<R>(&self, handle: u32, f: impl FnOnce(&T) -> R) -> Result<R, Refusal>
    where
        T: Sync,
    {
        let (entry, generation) = self.locate(handle).ok_or(Refusal::Invalid)?;
        let mut state = entry.state.load(Relaxed);
        loop {
            if generation_of(state) != generation || state & LIVE == 0 {
                return Err(Refusal::Invalid);
            }
            if state & COUNT_MASK == COUNT_MASK {
                return Err(Refusal::Busy);
            }
            match entry
                .state
                .compare_exchange_weak(state, state + 1, Acquire, Relaxed)
            {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        let _guard = AccessGuard(&entry.state);
        entry.value.with(|value_slot| {
            // SAFETY: the count is raised on a live entry of this generation, so the value stays
            // in place until the guard drops (`remove` waits), and only shared references to it
            // exist meanwhile (`with_exclusive` needs the count at zero).
            let value = unsafe { &*value_slot };
            value.as_ref().map(f).ok_or(Refusal::Invalid)
        })
    }

    /// The error a refused lookup of `handle` reports.
    fn refusal_error(&self, refusal: Refusal, handle: u32) -> Error {
        match refusal {
            Refusal::Invalid => self.invalid(handle),
            Refusal::Busy => ErrorKind::EndpointBusy { handle }.into(),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;
    use crate::status::Status;

    #[test]
    fn handles_are_positive_tagged_and_never_zero() {
        let table = HandleTable::new("thing", 5, 3);
        let handle = table.insert(1).unwrap();
        assert_eq!(handle >> 31, 0);
        assert_eq!(handle >> TAG_SHIFT, 5);
        assert_ne!(handle, 0);
        assert_eq!(table.len(), 1);
        assert_eq!(
            table.with_shared(0, |_| ()).unwrap_err().status(),
            Status::InvalidHandle
        );
    }

    #[test]
    fn stale_unknown_and_foreign_handles_are_refused() {
        let table = HandleTable::new("thing", 1, 2);
        let other = HandleTable::new("other thing", 2, 2);
        let handle = table.insert(10).unwrap();
        let foreign = other.insert(20).unwrap();
        assert_eq!(table.with_exclusive(handle, |v| *v), Ok(10));
        assert!(table.with_exclusive(foreign, |v| *v).is_err());
        assert!(table.with_exclusive(handle | INDEX_MASK, |v| *v).is_err());
        assert_eq!(table.remove(handle), Ok(10));
        let error = table.remove(handle).unwrap_err();
        assert_eq!(error.status(), Status::InvalidHandle);
        assert!(
            error.to_string().starts_with("Invalid thing handle 0x1"),
            "{error}"
        );
        // Reusing the index bumps the generation, so the old handle stays dead.
        table.insert(11).unwrap();
        let reused = table.insert(12).unwrap();
        assert_eq!(reused & INDEX_MASK, handle & INDEX_MASK);
        assert_ne!(reused, handle);
        assert!(table.with_shared(handle, |v| *v).is_err());
        assert_eq!(table.with_shared(reused, |v| *v), Ok(12));
    }

    #[test]
    fn insert_reports_a_full_table() {
        let table = HandleTable::new("thing", 1, 1);
        table.insert(()).unwrap();
        let error = table.insert(()).unwrap_err();
        assert_eq!(error.status(), Status::TableFull);
        assert_eq!(
            error.to_string(),
            "Handle table full: 1 live thing handles already, free some first"
        );
    }

    #[test]
    fn generations_wrap_without_reaching_zero() {
        let table = HandleTable::new("thing", 1, 1);
        let mut seen_max = false;
        for _ in 0..(MAX_GENERATION * 2 + 3) {
            let handle = table.insert(()).unwrap();
            let generation = (handle >> INDEX_BITS) & MAX_GENERATION;
            assert_ne!(generation, 0);
            seen_max |= generation == MAX_GENERATION;
            table.remove(handle).unwrap();
        }
        assert!(seen_max);
    }

    #[test]
    fn exclusive_access_refuses_a_concurrent_caller() {
        let table = HandleTable::new("ring endpoint", 1, 1);
        let handle = table.insert(0u32).unwrap();
        let nested = table.with_exclusive(handle, |_| table.with_exclusive(handle, |_| ()));
        let error = nested.unwrap().unwrap_err();
        assert_eq!(error.status(), Status::WrongEndpoint);
        assert_eq!(
            table.with_shared(handle, |_| table.with_shared(handle, |v| *v)),
            Ok(Ok(0))
        );
    }

    #[test]
    fn a_panicking_access_releases_its_guard() {
        let table = HandleTable::new("thing", 1, 1);
        let handle = table.insert(0u32).unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            table.with_exclusive(handle, |_| panic!("inside"))
        }));
        assert!(result.is_err());
        assert_eq!(table.with_exclusive(handle, |v| *v), Ok(0));
        assert_eq!(table.remove(handle), Ok(0));
    }

    /// Readers hammer a handle while the main thread frees it: every successful access must see
    /// the value alive, and the free must wait for accesses in progress.
    #[test]
    fn free_while_in_use_waits_for_the_access() {
        struct Tracked(Arc<AtomicBool>);
        impl Drop for Tracked {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        for _ in 0..50 {
            let table = Arc::new(HandleTable::new("thing", 1, 4));
            let dropped = Arc::new(AtomicBool::new(false));
            let handle = table.insert(Tracked(Arc::clone(&dropped))).unwrap();
            let hits = Arc::new(AtomicUsize::new(0));
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let (table, hits) = (Arc::clone(&table), Arc::clone(&hits));
                    std::thread::spawn(move || {
                        while let Ok(()) = table.with_shared(handle, |value| {
                            assert!(!value.0.load(Ordering::SeqCst), "value used after drop");
                            hits.fetch_add(1, Ordering::Relaxed);
                        }) {}
                    })
                })
                .collect();
            while hits.load(Ordering::Relaxed) < 100 {
                std::thread::yield_now();
            }
            drop(table.remove(handle).unwrap());
            assert!(dropped.load(Ordering::SeqCst));
            for reader in readers {
                reader.join().unwrap();
            }
        }
    }
}
