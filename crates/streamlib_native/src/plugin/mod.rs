//! The host side of native plugins: loading a plugin library ([`library`]), running its
//! processors on native threads ([`node`]) over the same rings and frame pool as every other
//! connection ([`ports`], [`shared_state`]). The ABI plugins implement is the
//! `streamlib_plugin` crate's `abi` module; `docs/plugins.md` describes both sides.

pub mod error;
pub mod latency;
pub mod library;
pub mod node;
pub mod ports;
pub mod probe;
pub mod shared_state;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use crate::last_error;
use crate::panic_guard::guarded_status;
use crate::status::ErrorKind;

use error::PluginError;
use library::PluginLibrary;
use node::PluginNode;

/// Live plugin handles at most.
pub const PLUGIN_CAPACITY: usize = 256;
/// Live plugin node handles at most.
pub const NODE_CAPACITY: usize = 4_096;

/// Plugins and nodes live in maps rather than `HandleTable`s: they are only used on control paths
/// (and the host's 1 kHz poll), and handles are never reused, so a stale one is always refused.
/// Handles count up from these bases, which keep them apart from each other and from the
/// `HandleTable` handles of rings, pools and media (bit 30 set, below 2^31).
const PLUGIN_BASE: u32 = 0x4000_0000;
const NODE_BASE: u32 = 0x5000_0000;
const HANDLES: u32 = 0x0FFF_FFFF;

static NEXT: AtomicU32 = AtomicU32::new(1);
static PLUGINS: LazyLock<Mutex<HashMap<u32, Arc<PluginLibrary>>>> = LazyLock::new(Default::default);
static NODES: LazyLock<Mutex<HashMap<u32, Arc<Mutex<PluginNode>>>>> =
    LazyLock::new(Default::default);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn next_handle(base: u32) -> Result<u32, PluginError> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    if n > HANDLES {
        return Err(PluginError::plugin(
            "Native plugin handles exhausted for this process",
        ));
    }
    Ok(base | n)
}

fn invalid(kind: &'static str, handle: u32) -> PluginError {
    ErrorKind::InvalidHandle { kind, handle }.into()
}

/// Loads a plugin and returns its handle.
pub(crate) fn load(path: &str) -> Result<u32, PluginError> {
    let library = PluginLibrary::load(path)?;
    let mut plugins = lock(&PLUGINS);
    if plugins.len() >= PLUGIN_CAPACITY {
        return Err(ErrorKind::TableFull {
            kind: "native plugin",
            capacity: PLUGIN_CAPACITY as u32,
        }
        .into());
    }
    let handle = next_handle(PLUGIN_BASE)?;
    plugins.insert(handle, library);
    Ok(handle)
}

/// Runs `f` on the plugin behind `handle`.
pub(crate) fn with_plugin<R>(
    handle: u32,
    f: impl FnOnce(&Arc<PluginLibrary>) -> R,
) -> Result<R, PluginError> {
    let library = lock(&PLUGINS)
        .get(&handle)
        .cloned()
        .ok_or_else(|| invalid("native plugin", handle))?;
    Ok(f(&library))
}

/// Frees a plugin handle (its library stays loaded while nodes of it live).
pub(crate) fn free(handle: u32) -> Result<(), PluginError> {
    lock(&PLUGINS)
        .remove(&handle)
        .map(drop)
        .ok_or_else(|| invalid("native plugin", handle))
}

/// Creates a node of processor `index` of `plugin`.
pub(crate) fn create_node(plugin: u32, index: u32) -> Result<u32, PluginError> {
    let library = with_plugin(plugin, Arc::clone)?;
    let node = PluginNode::new(library, index)?;
    let mut nodes = lock(&NODES);
    if nodes.len() >= NODE_CAPACITY {
        return Err(ErrorKind::TableFull {
            kind: "native plugin node",
            capacity: NODE_CAPACITY as u32,
        }
        .into());
    }
    let handle = next_handle(NODE_BASE)?;
    nodes.insert(handle, Arc::new(Mutex::new(node)));
    Ok(handle)
}

/// Frees a node: stops it, destroys its instance and closes its connection ends.
pub(crate) fn free_node(handle: u32) -> Result<(), PluginError> {
    let node = lock(&NODES)
        .remove(&handle)
        .ok_or_else(|| invalid("native plugin node", handle))?;
    drop(node);
    Ok(())
}

/// Runs `f` on the node behind `handle`.
pub(crate) fn with_node<R>(
    handle: u32,
    f: impl FnOnce(&mut PluginNode) -> Result<R, PluginError>,
) -> Result<R, PluginError> {
    let node = lock(&NODES)
        .get(&handle)
        .cloned()
        .ok_or_else(|| invalid("native plugin node", handle))?;
    let mut node = lock(&node);
    f(&mut node)
}

/// [`guarded_status`] for plugin operations, whose errors own their message.
pub(crate) fn guarded_plugin(body: impl FnOnce() -> Result<i32, PluginError>) -> i32 {
    let mut failure = None;
    let status = guarded_status(|| match body() {
        Ok(value) => Ok(value),
        Err(error) => {
            failure = Some(error);
            Ok(0)
        }
    });
    match failure {
        Some(error) => {
            last_error::set(&error);
            error.status().code()
        }
        None => status,
    }
}
