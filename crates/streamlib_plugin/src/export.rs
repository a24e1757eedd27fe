//! What [`export_plugin!`](crate::export_plugin) generates code against: the per-processor
//! `extern "C"` trampolines and the static [`PluginDescriptor`].
//!
//! Every trampoline runs the processor's code inside `catch_unwind`: an error becomes
//! [`STATUS_ERROR`] (or a null instance) with the message in the host's [`ErrorBuffer`], a panic
//! becomes [`STATUS_PANIC`] with `panicked: <message>`. A failed or panicked `process` emits
//! nothing: every output's `length` is reset to 0. Panics are caught only in a plugin built with
//! `panic = "unwind"` (Rust's default); with `panic = "abort"` a panic ends the host process.

use std::any::Any;
use std::ffi::{CString, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crate::abi::{
    ErrorBuffer, PLUGIN_ABI_VERSION, PluginDescriptor, ProcessCall, ProcessorEntry, STATUS_ERROR,
    STATUS_OK, STATUS_PANIC,
};
use crate::error_buffer::{panic_text, write_error};
use crate::frames::Frames;
use crate::{Config, NativeProcessor};

/// `panicked: <payload text>`, dropping the payload without letting a panicking `Drop` escape.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = format!("panicked: {}", panic_text(payload.as_ref()));
    if let Err(inner) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(inner);
    }
    message
}

/// `text` as a NUL-terminated string that lives as long as the library (interior NULs removed).
pub fn leak_c_string(text: &str) -> *const c_char {
    let bytes: Vec<u8> = text.bytes().filter(|&b| b != 0).collect();
    CString::new(bytes).unwrap_or_default().into_raw()
}

/// Creates a `P` from its config JSON. Returns the boxed instance, or null with the error (or
/// `panicked: ...`) in `error`.
///
/// # Safety
///
/// `config_json` points to `config_len` readable bytes (or `config_len` is 0); `error` is null
/// or a valid [`ErrorBuffer`] (see [`write_error`]).
pub unsafe extern "C" fn create_trampoline<P: NativeProcessor>(
    config_json: *const u8,
    config_len: u32,
    error: *mut ErrorBuffer,
) -> *mut c_void {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<*mut c_void, String> {
        let config = if config_len == 0 {
            Config::empty()
        } else if config_json.is_null() {
            return Err(format!("config: a null pointer with length {config_len}"));
        } else {
            // SAFETY: non-null, and the host promises `config_len` readable bytes.
            let bytes = unsafe { std::slice::from_raw_parts(config_json, config_len as usize) };
            Config::from_slice(bytes)?
        };
        let processor = P::create(&config)?;
        Ok(Box::into_raw(Box::new(processor)).cast())
    }));
    let message = match outcome {
        Ok(Ok(instance)) => return instance,
        Ok(Err(message)) => message,
        Err(payload) => panic_message(payload),
    };
    // SAFETY: the host promises `error` is null or valid.
    unsafe { write_error(error, &message) };
    std::ptr::null_mut()
}

/// Sets every output of a call to emit nothing, if the call's output array is usable.
///
/// # Safety
///
/// As [`process_trampoline`]'s `call`.
unsafe fn clear_outputs(call: *mut ProcessCall) {
    if call.is_null() || !call.is_aligned() {
        return;
    }
    // SAFETY: null, misaligned and zero-length arrays are checked before any access; the host
    // promises the rest is valid.
    unsafe {
        let outputs = (*call).outputs;
        let count = (*call).output_count;
        if count == 0 || outputs.is_null() || !outputs.is_aligned() {
            return;
        }
        for index in 0..count as usize {
            (*outputs.add(index)).length = 0;
        }
    }
}

/// Runs one `process` call of the `P` at `instance`.
///
/// # Safety
///
/// `instance` is null or came from [`create_trampoline::<P>`](create_trampoline) and is not
/// destroyed, and no other call uses it concurrently; `call` is null or a valid [`ProcessCall`]
/// (see [`Frames::from_call`]); `error` is null or a valid [`ErrorBuffer`].
pub unsafe extern "C" fn process_trampoline<P: NativeProcessor>(
    instance: *mut c_void,
    call: *mut ProcessCall,
    error: *mut ErrorBuffer,
) -> i32 {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let instance = instance.cast::<P>();
        if instance.is_null() || !instance.is_aligned() {
            return Err("the host passed a null or misaligned instance".into());
        }
        // SAFETY: the host passes a valid call (the contract); `from_call` checks its arrays.
        let mut frames = unsafe { Frames::from_call(call, &P::descriptor()) }?;
        frames.clear_outputs();
        // SAFETY: a live instance from create_trampoline::<P>, used by this call alone.
        let processor = unsafe { &mut *instance };
        processor.process(&mut frames)?;
        let (dropped, next_call_in_ns) = (frames.dropped(), frames.next_call_in_ns());
        // SAFETY: `from_call` checked `call` is non-null and aligned; `frames` borrows the
        // call's frame arrays, not the struct; the host reads these fields after the call.
        unsafe {
            (*call).dropped = dropped;
            (*call).next_call_in_ns = next_call_in_ns;
        }
        Ok(())
    }));
    let (status, message) = match outcome {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(message)) => (STATUS_ERROR, message),
        Err(payload) => (STATUS_PANIC, panic_message(payload)),
    };
    // SAFETY: the host promises `call` is null or valid; `frames` above has been dropped.
    unsafe { clear_outputs(call) };
    // SAFETY: the host promises `error` is null or valid.
    unsafe { write_error(error, &message) };
    status
}

/// Drops the `P` at `instance` (nothing for null). A panic in its `Drop` is caught and
/// swallowed: there is nowhere to report it.
///
/// # Safety
///
/// `instance` is null or came from [`create_trampoline::<P>`](create_trampoline) and is not yet
/// destroyed; nothing uses it afterwards.
pub unsafe extern "C" fn destroy_trampoline<P: NativeProcessor>(instance: *mut c_void) {
    let instance = instance.cast::<P>();
    if instance.is_null() || !instance.is_aligned() {
        return;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the box create_trampoline::<P> leaked, reclaimed once.
        drop(unsafe { Box::from_raw(instance) });
    }));
    if let Err(payload) = outcome {
        drop(panic_message(payload));
    }
}

/// The ABI entry of processor type `P`: its descriptor JSON (leaked, built once per library)
/// and its three trampolines.
pub fn processor_entry<P: NativeProcessor>() -> ProcessorEntry {
    ProcessorEntry {
        descriptor_json: leak_c_string(&P::descriptor().to_json()),
        create: create_trampoline::<P>,
        process: process_trampoline::<P>,
        destroy: destroy_trampoline::<P>,
    }
}

/// A plugin's static descriptor, built once by the entry function.
pub struct ExportedPlugin {
    descriptor: PluginDescriptor,
}

// SAFETY: the descriptor's pointers point to leaked data that is never written again.
unsafe impl Send for ExportedPlugin {}

// SAFETY: as for Send: shared access only reads immutable, leaked data.
unsafe impl Sync for ExportedPlugin {}

impl ExportedPlugin {
    /// Builds the descriptor, leaking its strings and entries (they live as long as the
    /// library).
    ///
    /// # Panics
    ///
    /// With more than `u32::MAX` processors.
    pub fn new(name: &str, version: &str, processors: Vec<ProcessorEntry>) -> Self {
        let count = u32::try_from(processors.len()).expect("fewer than 2^32 processors");
        let processors: &'static [ProcessorEntry] = Box::leak(processors.into_boxed_slice());
        Self {
            descriptor: PluginDescriptor {
                abi_version: PLUGIN_ABI_VERSION,
                processor_count: count,
                name: leak_c_string(name),
                version: leak_c_string(version),
                processors: processors.as_ptr(),
            },
        }
    }

    /// The descriptor.
    pub fn descriptor(&self) -> &PluginDescriptor {
        &self.descriptor
    }
}

/// The body of `streamlib_plugin_entry`: the descriptor in `cell`, built by `build` on the first
/// call; null if building panics (the panic is not allowed to reach the host).
pub fn entry(
    cell: &'static OnceLock<ExportedPlugin>,
    build: impl FnOnce() -> ExportedPlugin,
) -> *const PluginDescriptor {
    match catch_unwind(AssertUnwindSafe(|| cell.get_or_init(build))) {
        Ok(plugin) => plugin.descriptor(),
        Err(payload) => {
            drop(panic_message(payload));
            std::ptr::null()
        }
    }
}

/// Exports a plugin: generates `streamlib_plugin_entry`, the one symbol the host looks up, which
/// returns a [`PluginDescriptor`](crate::abi::PluginDescriptor) listing the processors.
///
/// ```
/// # use streamlib_plugin::{Config, Frames, NativeProcessor, ProcessorSpec};
/// # struct Silence;
/// # impl NativeProcessor for Silence {
/// #     fn descriptor() -> ProcessorSpec {
/// #         ProcessorSpec {
/// #             name: "Silence",
/// #             description: "Does nothing.",
/// #             tags: &[],
/// #             inputs: &[],
/// #             outputs: &[],
/// #             config_schema: r#"{"type": "object"}"#,
/// #         }
/// #     }
/// #     fn create(_: &Config) -> Result<Self, String> {
/// #         Ok(Silence)
/// #     }
/// #     fn process(&mut self, _: &mut Frames<'_>) -> Result<(), String> {
/// #         Ok(())
/// #     }
/// # }
/// streamlib_plugin::export_plugin!(
///     name = "my_plugin",
///     version = env!("CARGO_PKG_VERSION"),
///     processors = [Silence],
/// );
///
/// // SAFETY: the entry returns a pointer to a static descriptor.
/// let plugin = unsafe { &*streamlib_plugin_entry() };
/// assert_eq!(plugin.processor_count, 1);
/// ```
///
/// Each processor is a type implementing [`NativeProcessor`](crate::NativeProcessor). Use it
/// once per library (in a `cdylib`); the function is also callable from Rust, for tests.
#[macro_export]
macro_rules! export_plugin {
    (
        name = $name:expr,
        version = $version:expr,
        processors = [$($processor:ty),* $(,)?] $(,)?
    ) => {
        /// The streamlib plugin entry point: returns this library's plugin descriptor (built on
        /// the first call, then the same pointer every time), or null if building it panicked.
        #[unsafe(no_mangle)]
        pub extern "C" fn streamlib_plugin_entry() -> *const $crate::abi::PluginDescriptor {
            static PLUGIN: ::std::sync::OnceLock<$crate::export::ExportedPlugin> =
                ::std::sync::OnceLock::new();
            $crate::export::entry(&PLUGIN, || {
                $crate::export::ExportedPlugin::new(
                    $name,
                    $version,
                    ::std::vec![$($crate::export::processor_entry::<$processor>()),*],
                )
            })
        }
    };
}
