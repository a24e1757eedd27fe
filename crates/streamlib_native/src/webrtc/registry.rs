//! The process-wide table of live WebRTC endpoints, by handle and by name, so the dashboard's
//! HTTP handler (in the main isolate) finds the endpoint of a node that may run in a Worker: the
//! native library is one per process, whatever isolate loaded it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use crate::error_text::ErrorText;
use crate::status::{Error, ErrorKind};
use crate::webrtc::endpoint::Endpoint;

/// Live endpoints at most.
pub const MAX_ENDPOINTS: usize = 256;

struct Table {
    by_handle: HashMap<u32, (String, Arc<Endpoint>)>,
    by_name: HashMap<String, u32>,
}

static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(|| {
    Mutex::new(Table {
        by_handle: HashMap::new(),
        by_name: HashMap::new(),
    })
});
// Handles are never reused (a stale handle cannot reach a newer endpoint); bit 31 stays clear.
static NEXT: AtomicU32 = AtomicU32::new(1);

fn lock() -> std::sync::MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Stores `endpoint` under `name`.
///
/// # Errors
///
/// `NameTaken` when a live endpoint has the name; `TableFull` past [`MAX_ENDPOINTS`].
pub fn insert(name: &str, endpoint: Endpoint) -> Result<u32, Error> {
    let mut table = lock();
    if table.by_name.contains_key(name) {
        return Err(ErrorKind::NameTaken {
            what: "WebRTC endpoint",
            name: ErrorText::new(name),
        }
        .into());
    }
    if table.by_handle.len() >= MAX_ENDPOINTS {
        return Err(ErrorKind::TableFull {
            kind: "WebRTC endpoint",
            capacity: MAX_ENDPOINTS as u32,
        }
        .into());
    }
    let handle = NEXT.fetch_add(1, Ordering::Relaxed) & 0x7fff_ffff;
    table.by_name.insert(name.to_owned(), handle);
    table
        .by_handle
        .insert(handle, (name.to_owned(), Arc::new(endpoint)));
    Ok(handle)
}

fn unknown(handle: u32) -> Error {
    ErrorKind::InvalidHandle {
        kind: "WebRTC endpoint",
        handle,
    }
    .into()
}

/// Removes the endpoint; it stops once no call is using it.
///
/// # Errors
///
/// `InvalidHandle` for an unknown handle.
pub fn remove(handle: u32) -> Result<(), Error> {
    let removed = {
        let mut table = lock();
        let (name, endpoint) = table
            .by_handle
            .remove(&handle)
            .ok_or_else(|| unknown(handle))?;
        table.by_name.remove(&name);
        endpoint
    };
    drop(removed); // joins the network thread outside the lock
    Ok(())
}

/// The endpoint behind `handle`.
///
/// # Errors
///
/// `InvalidHandle` for an unknown handle.
pub fn get(handle: u32) -> Result<Arc<Endpoint>, Error> {
    lock()
        .by_handle
        .get(&handle)
        .map(|(_, e)| Arc::clone(e))
        .ok_or_else(|| unknown(handle))
}

/// The handle of the endpoint named `name`.
///
/// # Errors
///
/// `DeviceNotFound` when no live endpoint has the name.
pub fn find(name: &str) -> Result<u32, Error> {
    lock().by_name.get(name).copied().ok_or_else(|| {
        ErrorKind::DeviceNotFound {
            what: "WebRTC endpoint",
            detail: ErrorText::format(format_args!("no live endpoint is named '{name}'")),
        }
        .into()
    })
}
