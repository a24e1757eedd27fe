//! The process-wide handle tables behind the C ABI, and the lookups `ffi.rs` uses.
//!
//! There is one copy of the library per process (`dlopen` of one path shares it), so a handle
//! created on one thread (Deno isolate) can be posted to a Worker and used there. Ring endpoints
//! are looked up for exclusive use (each is owned by one thread at a time); pools for shared use
//! (a pool is thread-safe, and each isolate attaches its own handle to it).

use std::sync::{Arc, LazyLock};

use crate::frame_pool::FramePool;
use crate::handle_table::HandleTable;
use crate::policy::Policy;
use crate::ring::{RingConsumer, RingEndpoint, RingProducer, ring};
use crate::status::{Error, ErrorKind};

/// Live ring endpoint handles at most (two per ring).
pub const RING_ENDPOINT_CAPACITY: u32 = 16_384;

/// Live pool handles at most (one per pool per attached isolate).
pub const POOL_HANDLE_CAPACITY: u32 = 4_096;

const RING_ENDPOINT_TAG: u32 = 1;
const POOL_TAG: u32 = 2;

static RING_ENDPOINTS: LazyLock<HandleTable<RingEndpoint>> =
    LazyLock::new(|| HandleTable::new("ring endpoint", RING_ENDPOINT_TAG, RING_ENDPOINT_CAPACITY));

static POOLS: LazyLock<HandleTable<Arc<FramePool>>> =
    LazyLock::new(|| HandleTable::new("pool", POOL_TAG, POOL_HANDLE_CAPACITY));

/// Creates a ring and returns its `[producer, consumer]` handles.
pub(crate) fn create_ring(capacity: u32, policy: u32) -> Result<[u32; 2], Error> {
    let policy = Policy::from_code(policy)?;
    let (producer, consumer) = ring(capacity, policy)?;
    let producer = RING_ENDPOINTS.insert(RingEndpoint::Producer(producer))?;
    match RING_ENDPOINTS.insert(RingEndpoint::Consumer(consumer)) {
        Ok(consumer) => Ok([producer, consumer]),
        Err(error) => {
            drop(RING_ENDPOINTS.remove(producer));
            Err(error)
        }
    }
}

/// Frees one ring endpoint.
pub(crate) fn free_ring_endpoint(handle: u32) -> Result<(), Error> {
    RING_ENDPOINTS.remove(handle).map(drop)
}

/// Runs `f` on the endpoint behind `handle`.
pub(crate) fn with_endpoint<R>(
    handle: u32,
    f: impl FnOnce(&mut RingEndpoint) -> R,
) -> Result<R, Error> {
    RING_ENDPOINTS.with_exclusive(handle, f)
}

/// Runs `f` on the producer behind `handle`, for `operation` (named in the error).
pub(crate) fn with_producer<R>(
    handle: u32,
    operation: &'static str,
    f: impl FnOnce(&mut RingProducer) -> R,
) -> Result<R, Error> {
    RING_ENDPOINTS.with_exclusive(handle, |endpoint| match endpoint {
        RingEndpoint::Producer(producer) => Ok(f(producer)),
        RingEndpoint::Consumer(_) => Err(Error::new(ErrorKind::WrongEndpoint {
            operation,
            handle,
            expected: "producer",
        })),
    })?
}

/// Runs `f` on the consumer behind `handle`, for `operation` (named in the error).
pub(crate) fn with_consumer<R>(
    handle: u32,
    operation: &'static str,
    f: impl FnOnce(&mut RingConsumer) -> R,
) -> Result<R, Error> {
    RING_ENDPOINTS.with_exclusive(handle, |endpoint| match endpoint {
        RingEndpoint::Consumer(consumer) => Ok(f(consumer)),
        RingEndpoint::Producer(_) => Err(Error::new(ErrorKind::WrongEndpoint {
            operation,
            handle,
            expected: "consumer",
        })),
    })?
}

/// [`with_producer`] for hot paths: `None`, having run nothing, for a handle that is not a live
/// producer free to use now (the caller's slow path reports why).
#[inline]
pub(crate) fn try_producer<R>(handle: u32, f: impl FnOnce(&mut RingProducer) -> R) -> Option<R> {
    RING_ENDPOINTS
        .try_exclusive(handle, |endpoint| match endpoint {
            RingEndpoint::Producer(producer) => Some(f(producer)),
            RingEndpoint::Consumer(_) => None,
        })
        .ok()
        .flatten()
}

/// [`with_consumer`] for hot paths, as [`try_producer`].
#[inline]
pub(crate) fn try_consumer<R>(handle: u32, f: impl FnOnce(&mut RingConsumer) -> R) -> Option<R> {
    RING_ENDPOINTS
        .try_exclusive(handle, |endpoint| match endpoint {
            RingEndpoint::Consumer(consumer) => Some(f(consumer)),
            RingEndpoint::Producer(_) => None,
        })
        .ok()
        .flatten()
}

/// [`with_pool`] for hot paths: `None`, having run nothing, for a handle that is not a live pool.
#[inline]
pub(crate) fn try_pool<R>(handle: u32, f: impl FnOnce(&FramePool) -> R) -> Option<R> {
    POOLS.try_shared(handle, |pool| f(pool)).ok()
}

/// Creates a pool and returns its first handle.
pub(crate) fn create_pool(slot_bytes: u32, slot_count: u32) -> Result<u32, Error> {
    POOLS.insert(Arc::new(FramePool::new(slot_bytes, slot_count)?))
}

/// Returns a new handle to the pool behind `handle`.
pub(crate) fn attach_pool(handle: u32) -> Result<u32, Error> {
    let pool = POOLS.with_shared(handle, Arc::clone)?;
    POOLS.insert(pool)
}

/// Frees one pool handle; the slab goes with the last one.
pub(crate) fn free_pool(handle: u32) -> Result<(), Error> {
    POOLS.remove(handle).map(drop)
}

/// Runs `f` on the pool behind `handle`.
pub(crate) fn with_pool<R>(handle: u32, f: impl FnOnce(&FramePool) -> R) -> Result<R, Error> {
    POOLS.with_shared(handle, |pool| f(pool))
}

/// A shared reference to the pool behind `handle`, for a capture that keeps writing into it.
pub(crate) fn pool_arc(handle: u32) -> Result<Arc<FramePool>, Error> {
    POOLS.with_shared(handle, Arc::clone)
}

/// Runs `f` with the start and size of live slot `slot` of `pool`, holding a reference to the slot
/// meanwhile (so it cannot go back to the pool during the call).
pub(crate) fn with_slot<R>(
    pool: u32,
    slot: u32,
    f: impl FnOnce(*mut u8, usize) -> Result<R, Error>,
) -> Result<R, Error> {
    with_pool(pool, |p| {
        p.retain(slot)?;
        let result = match p.handle_ptr(slot) {
            Some(start) => f(start, p.slot_bytes() as usize),
            None => Err(ErrorKind::StaleSlot { slot }.into()),
        };
        // The reference taken above is live, so this release cannot fail.
        let _ = p.release(slot);
        result
    })?
}

/// Takes the producer behind `handle` out of the table (the handle is freed): the caller owns it
/// from then on, as a capture thread does.
pub(crate) fn take_producer(handle: u32, operation: &'static str) -> Result<RingProducer, Error> {
    with_producer(handle, operation, |_| ())?;
    match RING_ENDPOINTS.remove(handle)? {
        RingEndpoint::Producer(producer) => Ok(producer),
        RingEndpoint::Consumer(_) => Err(ErrorKind::WrongEndpoint {
            operation,
            handle,
            expected: "producer",
        }
        .into()),
    }
}

/// Takes the consumer behind `handle` out of the table (the handle is freed): the caller owns it
/// from then on, as a native plugin node's thread does.
pub(crate) fn take_consumer(handle: u32, operation: &'static str) -> Result<RingConsumer, Error> {
    with_consumer(handle, operation, |_| ())?;
    match RING_ENDPOINTS.remove(handle)? {
        RingEndpoint::Consumer(consumer) => Ok(consumer),
        RingEndpoint::Producer(_) => Err(ErrorKind::WrongEndpoint {
            operation,
            handle,
            expected: "consumer",
        }
        .into()),
    }
}
