//! Loading a plugin library: `dlopen`, the entry symbol, the ABI version check, and the processor
//! table read out of its descriptor.

use std::ffi::{CStr, c_char};
use std::path::Path;
use std::sync::Arc;

use streamlib_plugin::abi::{
    ENTRY_SYMBOL, ErrorBuffer, OLDEST_PLUGIN_ABI_VERSION, PLUGIN_ABI_VERSION, PluginDescriptor,
    ProcessCall,
};

use super::error::PluginError;

/// The `create` function of a processor type.
pub type CreateFn = unsafe extern "C" fn(*const u8, u32, *mut ErrorBuffer) -> *mut std::ffi::c_void;
/// The `process` function of a processor type.
pub type ProcessFn =
    unsafe extern "C" fn(*mut std::ffi::c_void, *mut ProcessCall, *mut ErrorBuffer) -> i32;
/// The `destroy` function of a processor type.
pub type DestroyFn = unsafe extern "C" fn(*mut std::ffi::c_void);

/// One processor type of a loaded plugin.
#[derive(Clone, Debug)]
pub struct ProcessorType {
    /// The descriptor JSON, as the plugin wrote it.
    pub descriptor_json: String,
    /// The processor's name (from the descriptor), for messages.
    pub name: String,
    /// Input ports.
    pub inputs: u32,
    /// Output ports.
    pub outputs: u32,
    /// Its functions.
    pub create: CreateFn,
    /// See [`CreateFn`].
    pub process: ProcessFn,
    /// See [`CreateFn`].
    pub destroy: DestroyFn,
}

/// A loaded plugin. Nodes hold an `Arc` of it, so the library stays mapped while any of its
/// instances lives.
pub struct PluginLibrary {
    /// The path it was loaded from.
    pub path: String,
    /// The plugin's name.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// The plugin ABI version it was built for ([`OLDEST_PLUGIN_ABI_VERSION`] to
    /// [`PLUGIN_ABI_VERSION`]).
    pub abi: u32,
    /// Its processor types, in descriptor order.
    pub processors: Vec<ProcessorType>,
    // Last: the function pointers above point into it.
    _library: libloading::Library,
}

impl std::fmt::Debug for PluginLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginLibrary")
            .field("path", &self.path)
            .field("name", &self.name)
            .finish()
    }
}

impl PluginLibrary {
    /// Loads the plugin at `path` and checks it.
    ///
    /// # Errors
    ///
    /// [`PluginError::plugin`] when the file cannot be loaded, exports no
    /// `streamlib_plugin_entry`, returns a null or malformed descriptor; [`PluginError::abi`] when
    /// its ABI version is outside [`OLDEST_PLUGIN_ABI_VERSION`]`..=`[`PLUGIN_ABI_VERSION`] (both
    /// versions in the message). Versions 1 and 2 share the descriptor layout; a version 1 plugin
    /// reads the prefix of the version 2 `ProcessCall`.
    pub fn load(path: &str) -> Result<Arc<Self>, PluginError> {
        if !Path::new(path).exists() {
            return Err(PluginError::plugin(format!(
                "Cannot load native plugin '{path}': no such file (build the plugin crate with cargo build --release, or check the path)"
            )));
        }
        // SAFETY: loading a library runs its initializers. That is the point of a plugin: the user
        // asked for this file to be loaded into the process, as `dlopen` would.
        let library = unsafe { libloading::Library::new(path) }.map_err(|error| {
            PluginError::plugin(format!("Cannot load native plugin '{path}': {error}"))
        })?;
        // SAFETY: the symbol's type is the ABI's entry function type; a library exporting the name
        // with another type breaks the plugin contract (documented in docs/plugins.md).
        let entry = unsafe {
            library.get::<unsafe extern "C" fn() -> *const PluginDescriptor>(ENTRY_SYMBOL.as_bytes())
        }
        .map_err(|_| {
            PluginError::plugin(format!(
                "'{path}' is not a streamlib native plugin: it does not export {ENTRY_SYMBOL} (write one with the streamlib_plugin crate's export_plugin! macro)"
            ))
        })?;
        // SAFETY: calling the plugin's entry function, per the ABI; it returns a static pointer.
        let descriptor = unsafe { entry() };
        if descriptor.is_null() {
            return Err(PluginError::plugin(format!(
                "Native plugin '{path}' returned no descriptor from {ENTRY_SYMBOL}"
            )));
        }
        // SAFETY: non-null; every ABI version starts with the `u32` version, so reading it alone
        // is valid whatever version the plugin was built for.
        let abi_version = unsafe { descriptor.cast::<u32>().read_unaligned() };
        if !(OLDEST_PLUGIN_ABI_VERSION..=PLUGIN_ABI_VERSION).contains(&abi_version) {
            return Err(PluginError::abi(format!(
                "Native plugin '{path}' was built for plugin ABI version {abi_version}, but this streamlib supports plugin ABI version {PLUGIN_ABI_VERSION} (and still loads {OLDEST_PLUGIN_ABI_VERSION}): rebuild the plugin against a streamlib_plugin crate of ABI version {PLUGIN_ABI_VERSION}"
            )));
        }
        // SAFETY: non-null, and a version whose descriptor has this layout (1 and 2 share it),
        // living as long as the library.
        let descriptor = unsafe { &*descriptor };
        let name = c_text(descriptor.name, "name", path)?;
        let version = c_text(descriptor.version, "version", path)?;
        let count = descriptor.processor_count as usize;
        if count > 0 && descriptor.processors.is_null() {
            return Err(PluginError::plugin(format!(
                "Native plugin '{path}' declares {count} processors but no processor table"
            )));
        }
        let mut processors = Vec::with_capacity(count);
        for i in 0..count {
            // SAFETY: `processors` points at `processor_count` entries (plugin contract).
            let entry = unsafe { &*descriptor.processors.add(i) };
            let descriptor_json = c_text(entry.descriptor_json, "processor descriptor", path)?;
            let (name, inputs, outputs) = summarize(&descriptor_json).map_err(|problem| {
                PluginError::plugin(format!(
                    "Native plugin '{path}': processor {i} has a malformed descriptor: {problem}"
                ))
            })?;
            processors.push(ProcessorType {
                descriptor_json,
                name,
                inputs,
                outputs,
                create: entry.create,
                process: entry.process,
                destroy: entry.destroy,
            });
        }
        Ok(Arc::new(Self {
            path: path.to_owned(),
            name,
            version,
            abi: abi_version,
            processors,
            _library: library,
        }))
    }

    /// `{"name", "version", "abi", "path", "processors": [<descriptor>, ...]}`.
    pub fn describe(&self) -> String {
        let processors: Vec<&str> = self
            .processors
            .iter()
            .map(|p| p.descriptor_json.as_str())
            .collect();
        format!(
            "{{\"name\":{},\"version\":{},\"abi\":{},\"path\":{},\"processors\":[{}]}}",
            json_string(&self.name),
            json_string(&self.version),
            self.abi,
            json_string(&self.path),
            processors.join(",")
        )
    }
}

fn c_text(ptr: *const c_char, what: &str, path: &str) -> Result<String, PluginError> {
    if ptr.is_null() {
        return Err(PluginError::plugin(format!(
            "Native plugin '{path}' has a null {what}"
        )));
    }
    // SAFETY: non-null and NUL-terminated (plugin contract), living as long as the library.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str().map(str::to_owned).map_err(|_| {
        PluginError::plugin(format!(
            "Native plugin '{path}' has a {what} that is not UTF-8"
        ))
    })
}

/// The name and port counts of a processor descriptor: enough for the host, which leaves the
/// rest of the JSON to the TypeScript side.
fn summarize(json: &str) -> Result<(String, u32, u32), String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let name = value
        .get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .ok_or("\"name\" must be a non-empty string")?;
    let ports = |key: &str| -> Result<u32, String> {
        let ports = value
            .get(key)
            .and_then(|p| p.as_array())
            .ok_or(format!("\"{key}\" must be an array of ports"))?;
        u32::try_from(ports.len()).map_err(|_| format!("too many {key}"))
    };
    Ok((name.to_owned(), ports("inputs")?, ports("outputs")?))
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}
