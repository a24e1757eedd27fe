//! A pool of equal, 64-byte aligned, reference-counted frame slots in one slab.
//!
//! The slab is allocated once and never grows. It is requested from the allocator zeroed at its
//! natural 16-byte alignment, 64 bytes larger than needed, and its start rounded up to 64: at 16
//! bytes the system allocator uses `calloc`, whose large allocations are fresh, lazily mapped
//! pages, so untouched slots cost no memory. (Asking for 64-byte alignment directly makes it
//! allocate and then `memset` the whole slab, committing every page at creation.) In a slab of
//! large slots, each slot after its first [`BASE_PAGE_PREFIX`] is then advised to use transparent
//! huge pages (on Linux, `madvise(MADV_HUGEPAGE)`; still committed only when first written, 2 MiB
//! at a time): 6 MB of a 1080p RGBA frame's 8.3 MB lie in 3 huge pages instead of 1,500 base
//! pages, so writing it every frame takes fewer TLB misses and spreads evenly over the cache's
//! sets, and a slot reused a frame or two later is still in the cache (decision 0055). A payload
//! smaller than the prefix (audio blocks, encoded frames) touches no huge page, so such frames in
//! a pool made for video commit memory as before. Free slot indices sit
//! in a lock-free LIFO ([`FreeStack`]): the slot freed last is acquired next, so a pipeline with a few
//! frames in flight reuses a few cache-warm slots and never touches the rest of the slab. Each
//! slot's count and generation live in a
//! [`SlotState`]. Acquire, retain and release allocate nothing, never block and never crash on bad
//! input.

use std::alloc::{self, Layout};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crossbeam_utils::CachePadded;

use crate::free_stack::FreeStack;
use crate::slot_state::{SlotRefusal, SlotState};
use crate::status::{Error, ErrorKind};

/// Alignment, in bytes, of the slab and of every slot.
pub const SLOT_ALIGN: usize = 64;

/// Alignment requested from the allocator: the platform's natural one, so zeroed requests use
/// `calloc` and stay lazily mapped (see the module docs).
const ALLOCATION_ALIGN: usize = 16;

/// The start of each slot left on base pages when the rest of it is advised to use huge pages
/// (256 KiB): small payloads (the header, audio blocks, most encoded frames) never touch a huge
/// page, and a 1080p RGBA frame still lies mostly in huge pages.
pub const BASE_PAGE_PREFIX: usize = 256 << 10;

/// Most slots whose slabs are advised to use huge pages: each advised slot splits the slab's
/// mapping in two, and a process has a limited number of mappings (`vm.max_map_count`).
pub const MAX_HUGE_PAGE_SLOTS: u32 = 1024;

/// Largest `slot_bytes` (256 MiB; a 3840x2160 RGBA frame is 33,177,600 bytes).
pub const MAX_SLOT_BYTES: u32 = 268_435_456;

/// Largest `slot_count` (slot handles have a 16-bit index).
pub const MAX_SLOT_COUNT: u32 = 65_536;

/// Largest slab, in bytes (64 GiB).
pub const MAX_TOTAL_BYTES: u64 = 64 << 30;

const INDEX_BITS: u32 = 16;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;

/// A snapshot of a pool's counters, as `sl_pool_stats` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    /// Usable bytes per slot, as requested.
    pub slot_bytes: u32,
    /// Distance between slot starts: `slot_bytes` rounded up to [`SLOT_ALIGN`].
    pub slot_stride: u64,
    /// Slots in the pool.
    pub slot_count: u32,
    /// Slots acquired and not yet released to 0.
    pub in_use: u32,
    /// Successful acquires since creation.
    pub acquired_total: u64,
    /// Acquires refused because every slot was in use.
    pub exhausted_total: u64,
}

impl PoolStats {
    /// The `sl_pool_stats` layout:
    /// `[slot_bytes, slot_stride, slot_count, in_use, acquired_total, exhausted_total]`.
    pub fn to_array(&self) -> [f64; 6] {
        [
            f64::from(self.slot_bytes),
            self.slot_stride as f64,
            f64::from(self.slot_count),
            f64::from(self.in_use),
            self.acquired_total as f64,
            self.exhausted_total as f64,
        ]
    }
}

/// A fixed set of frame slots shared by any number of threads.
///
/// # Examples
///
/// ```
/// use streamlib_native::frame_pool::FramePool;
/// use streamlib_native::status::Status;
///
/// let pool = FramePool::new(1000, 2).unwrap();
/// assert_eq!(pool.stats().slot_stride, 1024);
/// let a = pool.acquire().unwrap();
/// let b = pool.acquire().unwrap();
/// assert_eq!(pool.acquire().unwrap_err().status(), Status::PoolExhausted);
/// assert_eq!(pool.retain(a), Ok(2));
/// assert_eq!(pool.release(a), Ok(1));
/// assert_eq!(pool.release(a), Ok(0));
/// assert_eq!(pool.release(a).unwrap_err().status(), Status::InvalidHandle);
/// assert_eq!(pool.release(b), Ok(0));
/// ```
pub struct FramePool {
    /// First byte of slot 0: `allocation` rounded up to [`SLOT_ALIGN`].
    slab: NonNull<u8>,
    /// What the allocator returned, and its layout, for `dealloc`.
    allocation: NonNull<u8>,
    layout: Layout,
    slot_bytes: u32,
    stride: usize,
    slots: Box<[SlotState]>,
    /// Whether the OS took the advice to back the slab with huge pages.
    huge_pages: bool,
    /// Written by every acquire and every release to 0; on cache lines of its own, as are the
    /// counters, so the fields every retain and release reads (`slots`, `stride`) stay shared in
    /// each thread's cache instead of moving with each acquire.
    free: CachePadded<FreeStack>,
    usage: CachePadded<Usage>,
}

/// A pool's counters (see [`PoolStats`]).
struct Usage {
    in_use: AtomicU32,
    acquired_total: AtomicU64,
    exhausted_total: AtomicU64,
}

// SAFETY: the slab is plain bytes that Rust code never reads or writes through references; it is
// only handed out as a raw pointer, and every other field is itself Send.
unsafe impl Send for FramePool {}

// SAFETY: as for Send; all shared state other than the slab is atomics and a lock-free queue.
unsafe impl Sync for FramePool {}

fn check_range(what: &'static str, value: u32, max: u32) -> Result<(), Error> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(ErrorKind::OutOfRange {
            what,
            value: u64::from(value),
            min: 1,
            max: u64::from(max),
        }
        .into())
    }
}

impl FramePool {
    /// Allocates a pool of `slot_count` slots of `slot_bytes` each, all free and zeroed.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::OutOfRange`] if `slot_bytes` is outside `1..=`[`MAX_SLOT_BYTES`] or
    ///   `slot_count` outside `1..=`[`MAX_SLOT_COUNT`].
    /// - [`ErrorKind::PoolTooLarge`] if the slab would exceed [`MAX_TOTAL_BYTES`].
    /// - [`ErrorKind::OutOfMemory`] if the allocator refuses the slab.
    pub fn new(slot_bytes: u32, slot_count: u32) -> Result<Self, Error> {
        check_range("pool slot_bytes", slot_bytes, MAX_SLOT_BYTES)?;
        check_range("pool slot_count", slot_count, MAX_SLOT_COUNT)?;
        let stride = u64::from(slot_bytes).next_multiple_of(SLOT_ALIGN as u64);
        let total = stride * u64::from(slot_count);
        let too_large = || ErrorKind::PoolTooLarge {
            slot_count,
            slot_stride: stride,
            max_total: MAX_TOTAL_BYTES,
        };
        if total > MAX_TOTAL_BYTES {
            return Err(too_large().into());
        }
        let size = usize::try_from(total).map_err(|_| too_large())?;
        let padded = size.checked_add(SLOT_ALIGN).ok_or_else(too_large)?;
        let layout = Layout::from_size_align(padded, ALLOCATION_ALIGN).map_err(|_| too_large())?;
        let slots = (0..slot_count).map(|_| SlotState::new()).collect();
        let free = FreeStack::new(slot_count as usize);
        // Pushed in reverse, so slots are first handed out in slab order: 0, 1, 2, ...
        for index in (0..slot_count).rev() {
            free.push(index).expect("the stack holds every slot");
        }
        // SAFETY: `layout` has a non-zero size (slot_bytes >= 1 and slot_count >= 1).
        let allocation = unsafe { alloc::alloc_zeroed(layout) };
        let allocation = NonNull::new(allocation).ok_or(ErrorKind::OutOfMemory {
            what: "frame pool slab",
            bytes: total,
        })?;
        let offset = allocation.as_ptr().align_offset(SLOT_ALIGN);
        assert!(offset < SLOT_ALIGN, "a byte pointer can always be aligned");
        // SAFETY: offset < SLOT_ALIGN and the allocation is `size + SLOT_ALIGN` bytes, so the
        // aligned start and the `size` bytes after it stay inside the allocation.
        let slab = unsafe { allocation.add(offset) };
        let stride = stride as usize;
        let mut huge_pages = false;
        if stride > BASE_PAGE_PREFIX && slot_count <= MAX_HUGE_PAGE_SLOTS {
            for index in 0..slot_count as usize {
                // SAFETY: slot `index` lies inside the slab and BASE_PAGE_PREFIX < stride, so the
                // pointer stays inside the slot.
                let rest = unsafe { slab.as_ptr().add(index * stride + BASE_PAGE_PREFIX) };
                huge_pages |= crate::slab_pages::advise_huge_pages(rest, stride - BASE_PAGE_PREFIX);
            }
        }
        Ok(Self {
            slab,
            allocation,
            layout,
            slot_bytes,
            stride,
            slots,
            huge_pages,
            free: CachePadded::new(free),
            usage: CachePadded::new(Usage {
                in_use: AtomicU32::new(0),
                acquired_total: AtomicU64::new(0),
                exhausted_total: AtomicU64::new(0),
            }),
        })
    }

    /// Takes a free slot and returns its handle (`generation << 16 | index`) with refcount 1.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::PoolExhausted`] if every slot is in use; counted in `exhausted_total`.
    pub fn acquire(&self) -> Result<u32, Error> {
        let Some(index) = self.free.pop() else {
            self.usage.exhausted_total.fetch_add(1, Ordering::Relaxed);
            return Err(ErrorKind::PoolExhausted {
                slot_count: self.slot_count(),
            }
            .into());
        };
        let generation = self.slots[index as usize].claim();
        self.usage.in_use.fetch_add(1, Ordering::Relaxed);
        self.usage.acquired_total.fetch_add(1, Ordering::Relaxed);
        Ok((generation << INDEX_BITS) | index)
    }

    /// Like [`FramePool::acquire`], but only while more than `reserve` slots would stay free:
    /// for allocations that have somewhere else to go (a source's frames can live in JavaScript
    /// memory), so the last slots stay for copies that have not (a frame crossing an isolate).
    /// The check is a snapshot (a concurrent acquire may take a slot in between), so the reserve
    /// is kept approximately, never enforced against other callers.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::PoolExhausted`] if `reserve` or fewer slots are free; counted in
    /// `exhausted_total`.
    pub fn acquire_keeping(&self, reserve: u32) -> Result<u32, Error> {
        let in_use = self.usage.in_use.load(Ordering::Relaxed);
        if u64::from(in_use) + u64::from(reserve) >= u64::from(self.slot_count()) {
            self.usage.exhausted_total.fetch_add(1, Ordering::Relaxed);
            return Err(ErrorKind::PoolExhausted {
                slot_count: self.slot_count(),
            }
            .into());
        }
        self.acquire()
    }

    fn slot_state(&self, slot: u32) -> Result<&SlotState, Error> {
        self.slots
            .get((slot & INDEX_MASK) as usize)
            .ok_or(ErrorKind::StaleSlot { slot }.into())
    }

    /// Adds a reference to `slot`; returns the new count.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::StaleSlot`] if the slot is free or the handle is stale or out of range;
    /// [`ErrorKind::RefcountOverflow`] past `i32::MAX` references.
    pub fn retain(&self, slot: u32) -> Result<u32, Error> {
        self.slot_state(slot)?
            .retain(slot >> INDEX_BITS)
            .map_err(|refusal| match refusal {
                SlotRefusal::Stale => ErrorKind::StaleSlot { slot }.into(),
                SlotRefusal::Overflow => ErrorKind::RefcountOverflow { slot }.into(),
            })
    }

    /// Drops a reference to `slot`; returns the remaining count. At 0 the slot is free again and
    /// every copy of its handle is stale.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::StaleSlot`] if the slot is free or the handle is stale or out of range.
    pub fn release(&self, slot: u32) -> Result<u32, Error> {
        self.try_release(slot)
            .ok_or(Error::new(ErrorKind::StaleSlot { slot }))
    }

    /// [`FramePool::retain`] for hot paths: `None`, having changed nothing, where `retain` fails.
    #[inline]
    pub fn try_retain(&self, slot: u32) -> Option<u32> {
        self.slots
            .get((slot & INDEX_MASK) as usize)?
            .retain(slot >> INDEX_BITS)
            .ok()
    }

    /// [`FramePool::release`] for hot paths: `None`, having changed nothing, where `release`
    /// fails.
    #[inline]
    pub fn try_release(&self, slot: u32) -> Option<u32> {
        let remaining = self
            .slots
            .get((slot & INDEX_MASK) as usize)?
            .release(slot >> INDEX_BITS)
            .ok()?;
        if remaining == 0 {
            self.usage.in_use.fetch_sub(1, Ordering::Relaxed);
            let pushed = self.free.push(slot & INDEX_MASK);
            debug_assert!(pushed.is_ok(), "a slot was freed twice");
        }
        Some(remaining)
    }

    /// The reference count of `slot` if the handle is live (acquired and not yet released to 0).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::StaleSlot`] if the slot is free or the handle is stale or out of range.
    pub fn refcount(&self, slot: u32) -> Result<u32, Error> {
        self.slot_state(slot)?
            .count_if_current(slot >> INDEX_BITS)
            .map_err(|_| Error::new(ErrorKind::StaleSlot { slot }))
    }

    /// The slab's first byte. Slot `i` starts at `base + i * slot_stride`.
    pub fn base(&self) -> *mut u8 {
        self.slab.as_ptr()
    }

    /// Start of slot `index` (an index, not a handle), or `None` past the last slot.
    pub fn slot_ptr(&self, index: u32) -> Option<*mut u8> {
        (index < self.slot_count()).then(|| {
            // SAFETY: index < slot_count, so the offset stays inside the slab's allocation.
            unsafe { self.slab.as_ptr().add(index as usize * self.stride) }
        })
    }

    /// Start of the slot a slot handle names (its generation is not checked), or `None` past
    /// the last slot.
    pub fn handle_ptr(&self, slot: u32) -> Option<*mut u8> {
        self.slot_ptr(slot & INDEX_MASK)
    }

    /// Usable bytes per slot.
    pub fn slot_bytes(&self) -> u32 {
        self.slot_bytes
    }

    /// Whether part of the slab is advised to use huge pages: slots with at least one whole huge
    /// page after their first [`BASE_PAGE_PREFIX`], at most [`MAX_HUGE_PAGE_SLOTS`] of them, on an
    /// OS that took the advice (Linux with transparent huge pages not set to `never`).
    pub fn huge_pages(&self) -> bool {
        self.huge_pages
    }

    /// Slots in the pool.
    pub fn slot_count(&self) -> u32 {
        self.slots.len() as u32
    }

    /// The pool's counters.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            slot_bytes: self.slot_bytes,
            slot_stride: self.stride as u64,
            slot_count: self.slot_count(),
            in_use: self.usage.in_use.load(Ordering::Relaxed),
            acquired_total: self.usage.acquired_total.load(Ordering::Relaxed),
            exhausted_total: self.usage.exhausted_total.load(Ordering::Relaxed),
        }
    }
}

impl Drop for FramePool {
    fn drop(&mut self) {
        // SAFETY: `allocation` came from `alloc_zeroed(self.layout)` and is freed only here, once.
        unsafe { alloc::dealloc(self.allocation.as_ptr(), self.layout) };
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::status::Status;

    #[test]
    fn acquire_keeping_leaves_the_reserve_free() {
        let pool = FramePool::new(64, 4).unwrap();
        let a = pool.acquire_keeping(2).unwrap();
        let b = pool.acquire_keeping(2).unwrap();
        assert!(pool.acquire_keeping(2).is_err(), "2 of 4 free: the reserve");
        assert_eq!(pool.stats().exhausted_total, 1);
        let c = pool.acquire().unwrap();
        let d = pool.acquire_keeping(0).unwrap();
        assert!(pool.acquire_keeping(0).is_err());
        for slot in [a, b, c, d] {
            assert_eq!(pool.release(slot).unwrap(), 0);
        }
        assert!(pool.acquire_keeping(3).is_ok());
    }

    #[test]
    fn new_rejects_sizes_outside_the_limits() {
        let cases = [
            (
                0,
                1,
                "Invalid pool slot_bytes: 0, valid range 1..=268435456",
            ),
            (
                MAX_SLOT_BYTES + 1,
                1,
                "Invalid pool slot_bytes: 268435457, valid range 1..=268435456",
            ),
            (64, 0, "Invalid pool slot_count: 0, valid range 1..=65536"),
            (
                64,
                65_537,
                "Invalid pool slot_count: 65537, valid range 1..=65536",
            ),
        ];
        for (slot_bytes, slot_count, message) in cases {
            let error = FramePool::new(slot_bytes, slot_count).err().unwrap();
            assert_eq!(error.status(), Status::InvalidArgument);
            assert_eq!(error.to_string(), message);
        }
        let error = FramePool::new(MAX_SLOT_BYTES, 257).err().unwrap();
        assert_eq!(error.status(), Status::InvalidArgument);
        assert!(
            error.to_string().contains("at most 68719476736 bytes"),
            "{error}"
        );
    }

    #[test]
    fn slots_are_aligned_zeroed_and_strided() {
        let pool = FramePool::new(3840 * 2160 * 4, 3).unwrap();
        let stats = pool.stats();
        assert_eq!((stats.slot_stride, stats.slot_count), (33_177_600, 3));
        assert_eq!(pool.base() as usize % SLOT_ALIGN, 0);
        let last = pool.slot_ptr(2).unwrap();
        assert_eq!(last as usize - pool.base() as usize, 2 * 33_177_600);
        // SAFETY: `last` is the start of slot 2, which has 33,177,600 bytes.
        assert_eq!(unsafe { *last.add(33_177_599) }, 0);
        assert_eq!(pool.slot_ptr(3), None);
        let odd = FramePool::new(65, 2).unwrap();
        assert_eq!(odd.stats().slot_stride, 128);
    }

    #[test]
    fn release_to_zero_makes_every_copy_of_the_handle_stale() {
        let pool = FramePool::new(64, 1).unwrap();
        let first = pool.acquire().unwrap();
        assert_eq!(pool.acquire().unwrap_err().status(), Status::PoolExhausted);
        assert_eq!(pool.release(first), Ok(0));
        let second = pool.acquire().unwrap();
        assert_eq!(first & INDEX_MASK, second & INDEX_MASK);
        assert_ne!(first, second);
        assert_eq!(
            pool.retain(first).unwrap_err().status(),
            Status::InvalidHandle
        );
        assert_eq!(
            pool.release(first).unwrap_err().status(),
            Status::InvalidHandle
        );
        assert_eq!(
            pool.refcount(first).unwrap_err().status(),
            Status::InvalidHandle
        );
        assert_eq!(pool.refcount(second), Ok(1));
        assert_eq!(
            pool.refcount(second + 1).unwrap_err().status(),
            Status::InvalidHandle,
            "index past the last slot"
        );
        assert_eq!(
            pool.release(second | 0x7FFF),
            Err(ErrorKind::StaleSlot {
                slot: second | 0x7FFF
            }
            .into())
        );
        let stats = pool.stats();
        assert_eq!(
            (stats.in_use, stats.acquired_total, stats.exhausted_total),
            (1, 2, 1)
        );
        assert_eq!(stats.to_array(), [64.0, 64.0, 1.0, 1.0, 2.0, 1.0]);
    }

    /// Several threads acquire, fill with their own pattern, verify and release; an owner table
    /// proves no slot is ever handed out twice at once.
    #[test]
    fn threads_never_share_a_slot() {
        const THREADS: u32 = 4;
        const ITERATIONS: u32 = 20_000;
        const SLOT_BYTES: u32 = 256;
        let pool = Arc::new(FramePool::new(SLOT_BYTES, 6).unwrap());
        let owners: Arc<Vec<AtomicU32>> = Arc::new((0..6).map(|_| AtomicU32::new(0)).collect());
        let workers: Vec<_> = (1..=THREADS)
            .map(|id| {
                let (pool, owners) = (Arc::clone(&pool), Arc::clone(&owners));
                std::thread::spawn(move || {
                    let mut held = Vec::new();
                    for iteration in 0..ITERATIONS {
                        match pool.acquire() {
                            Ok(handle) => held.push(handle),
                            Err(error) => assert_eq!(error.status(), Status::PoolExhausted),
                        }
                        if held.len() < 2 && iteration % 3 != 0 {
                            continue;
                        }
                        for &handle in &held {
                            let index = handle & INDEX_MASK;
                            let owner = &owners[index as usize];
                            assert_eq!(
                                owner.compare_exchange(0, id, Ordering::SeqCst, Ordering::SeqCst),
                                Ok(0),
                                "slot handed out twice"
                            );
                            let slot = pool.slot_ptr(index).unwrap();
                            let pattern = (id as u8) ^ (iteration as u8);
                            // SAFETY: this thread owns the slot (owner check above), which has
                            // SLOT_BYTES bytes; nobody else touches it until release.
                            let bytes = unsafe {
                                std::slice::from_raw_parts_mut(slot, SLOT_BYTES as usize)
                            };
                            bytes.fill(pattern);
                            std::hint::spin_loop();
                            assert!(
                                bytes.iter().all(|&b| b == pattern),
                                "slot written by another thread"
                            );
                            owner.store(0, Ordering::SeqCst);
                            assert_eq!(pool.release(handle), Ok(0));
                        }
                        held.clear();
                    }
                    for handle in held {
                        pool.release(handle).unwrap();
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        let stats = pool.stats();
        assert_eq!(stats.in_use, 0);
        assert!(stats.acquired_total > 0);
    }
}
