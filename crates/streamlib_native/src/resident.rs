//! Keeps this library mapped until the process exits, once it has been loaded.
//!
//! Deno closes a `Deno.dlopen` handle when the isolate that opened it ends (a Worker that
//! finished or was terminated, a test file of `deno test --parallel`), and the C library unmaps
//! a library when its last handle closes. But this library's state is process-wide and outlives
//! any one isolate: threads it started (capture, WebRTC endpoints, SRT and RTMP connections,
//! plugin nodes, the speaker), its handle tables and plugin registry. Unmapped under a running
//! thread, the next instruction that thread runs is a segmentation fault of the whole process;
//! unmapped and mapped again, every table starts empty while other isolates hold handles into it.
//!
//! So the first call of [`sl_abi_version`](crate::ffi::sl_abi_version), which the loader
//! (`ffi/native/load.ts`) makes before anything else, marks the loaded image `RTLD_NODELETE`:
//! handles still open and close as before, but the last close no longer unmaps it. This is what
//! the C library offers for it on Linux (glibc, musl) and macOS (dyld); elsewhere nothing is done.

/// Marks the image holding this function as never to be unloaded (once a process; later calls
/// return at once). Returns whether it is marked: `false` where the platform has no way to, or
/// where the image is not a loaded library (an executable linking the crate statically, its
/// tests among them: there is nothing to unload). `ffi/native/load_test.ts` checks the effect:
/// the library stays mapped after the only isolate that opened it ended.
pub fn keep_resident() -> bool {
    static RESIDENT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *RESIDENT.get_or_init(mark_resident)
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
fn mark_resident() -> bool {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    // SAFETY: `dladdr` only reads the address (a function of this image, so mapped) and writes
    // the `Dl_info` it is given, which is valid for writes; it returns 0 without writing when
    // the address is in no loaded image.
    let found = unsafe { libc::dladdr(keep_resident as *const libc::c_void, info.as_mut_ptr()) };
    if found == 0 {
        return false;
    }
    // SAFETY: `dladdr` returned non-zero, so it filled the structure (zeroed before, so any field
    // it left alone is null).
    let info = unsafe { info.assume_init() };
    if info.dli_fname.is_null() {
        return false;
    }
    // SAFETY: `dli_fname` is a NUL-terminated path owned by the dynamic loader, valid while the
    // image is loaded, which it is (this code runs from it). `RTLD_NOLOAD` opens nothing new: it
    // returns a handle of the image already loaded, now flagged `RTLD_NODELETE`. The handle is
    // kept open on purpose (never passed to `dlclose`): it is the reference that stays.
    let handle = unsafe {
        libc::dlopen(
            info.dli_fname,
            libc::RTLD_NOW | libc::RTLD_NOLOAD | libc::RTLD_NODELETE,
        )
    };
    !handle.is_null()
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn mark_resident() -> bool {
    false
}
