//! Status codes of the C ABI and the typed [`Error`] behind each negative one.
//!
//! Every fallible operation in the crate returns `Result<_, Error>`; `ffi.rs` turns the error into
//! its [`Status`] code and stores its message for `sl_last_error`. Errors carry plain data (no
//! `String`), so reporting one on a hot path such as an exhausted pool does not allocate: the text
//! is formatted straight into the calling thread's reusable last-error buffer.

use std::fmt;

use crate::error_text::ErrorText;

/// A status code returned across the C ABI: `0` is success, negative values are failures.
///
/// The discriminants are the exact `i32` values of `docs/native_abi.md`.
///
/// # Examples
///
/// ```
/// use streamlib_native::status::Status;
///
/// assert_eq!(Status::InvalidHandle.code(), -2);
/// assert_eq!(Status::from_code(-3), Some(Status::PoolExhausted));
/// assert_eq!(Status::PoolExhausted.name(), "SL_ERR_POOL_EXHAUSTED");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Status {
    /// `SL_OK`: success.
    Ok = 0,
    /// `SL_ERR_INVALID_ARGUMENT`: a capacity, size, count or pointer outside its valid range.
    InvalidArgument = -1,
    /// `SL_ERR_INVALID_HANDLE`: handle unknown, closed or already freed.
    InvalidHandle = -2,
    /// `SL_ERR_POOL_EXHAUSTED`: every slot of the pool is in use.
    PoolExhausted = -3,
    /// `SL_ERR_OUT_OF_MEMORY`: the allocation was refused.
    OutOfMemory = -4,
    /// `SL_ERR_PANIC`: a bug; native code panicked.
    Panic = -5,
    /// `SL_ERR_WRONG_ENDPOINT`: e.g. a push on a consumer handle.
    WrongEndpoint = -6,
    /// `SL_ERR_TABLE_FULL`: too many live handles of that kind.
    TableFull = -7,
    /// `SL_ERR_BUFFER_TOO_SMALL`: a caller's output buffer cannot hold the result (ABI 3).
    BufferTooSmall = -8,
    /// `SL_ERR_UNSUPPORTED`: not available on this OS, build or machine (ABI 3).
    Unsupported = -9,
    /// `SL_ERR_DEVICE_NOT_FOUND`: no camera, microphone or display of that name (ABI 3).
    DeviceNotFound = -10,
    /// `SL_ERR_PERMISSION_DENIED`: the OS or the user refused access to a device (ABI 3).
    PermissionDenied = -11,
    /// `SL_ERR_CODEC`: the codec library refused the input or failed (ABI 3).
    Codec = -12,
    /// `SL_ERR_DEVICE`: a device failed while open (busy, unplugged, display closed) (ABI 3).
    Device = -13,
    /// `SL_ERR_PLUGIN`: a native plugin cannot be loaded, is not a plugin, or failed (ABI 4).
    Plugin = -14,
    /// `SL_ERR_PLUGIN_ABI`: a native plugin was built for another plugin ABI version (ABI 4).
    PluginAbi = -15,
}

impl Status {
    /// Every status, in code order (`0`, `-1`, ... `-15`).
    pub const ALL: [Status; 16] = [
        Status::Ok,
        Status::InvalidArgument,
        Status::InvalidHandle,
        Status::PoolExhausted,
        Status::OutOfMemory,
        Status::Panic,
        Status::WrongEndpoint,
        Status::TableFull,
        Status::BufferTooSmall,
        Status::Unsupported,
        Status::DeviceNotFound,
        Status::PermissionDenied,
        Status::Codec,
        Status::Device,
        Status::Plugin,
        Status::PluginAbi,
    ];

    /// The `i32` code that crosses the ABI.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The status with code `code`, or `None` if no status has it.
    pub fn from_code(code: i32) -> Option<Status> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// The constant's name in `docs/native_abi.md`, e.g. `"SL_ERR_INVALID_HANDLE"`.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Ok => "SL_OK",
            Status::InvalidArgument => "SL_ERR_INVALID_ARGUMENT",
            Status::InvalidHandle => "SL_ERR_INVALID_HANDLE",
            Status::PoolExhausted => "SL_ERR_POOL_EXHAUSTED",
            Status::OutOfMemory => "SL_ERR_OUT_OF_MEMORY",
            Status::Panic => "SL_ERR_PANIC",
            Status::WrongEndpoint => "SL_ERR_WRONG_ENDPOINT",
            Status::TableFull => "SL_ERR_TABLE_FULL",
            Status::BufferTooSmall => "SL_ERR_BUFFER_TOO_SMALL",
            Status::Unsupported => "SL_ERR_UNSUPPORTED",
            Status::DeviceNotFound => "SL_ERR_DEVICE_NOT_FOUND",
            Status::PermissionDenied => "SL_ERR_PERMISSION_DENIED",
            Status::Codec => "SL_ERR_CODEC",
            Status::Device => "SL_ERR_DEVICE",
            Status::Plugin => "SL_ERR_PLUGIN",
            Status::PluginAbi => "SL_ERR_PLUGIN_ABI",
        }
    }
}

/// What went wrong, with the offending values; see [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A numeric argument outside `min..=max`.
    OutOfRange {
        /// The argument, e.g. `"ring capacity"`.
        what: &'static str,
        /// The value passed.
        value: u64,
        /// Smallest valid value.
        min: u64,
        /// Largest valid value.
        max: u64,
    },
    /// A ring policy other than 0 (`fifo`) or 1 (`latest`).
    UnknownPolicy {
        /// The value passed.
        value: u32,
    },
    /// A pool whose slab would exceed the total size limit.
    PoolTooLarge {
        /// Slots requested.
        slot_count: u32,
        /// Bytes per slot after rounding up to the 64-byte alignment.
        slot_stride: u64,
        /// Largest slab allowed, in bytes.
        max_total: u64,
    },
    /// A required pointer argument was null.
    NullPointer {
        /// The parameter's name in the ABI, e.g. `"out"`.
        param: &'static str,
    },
    /// A handle that is unknown, closed, freed or of another kind.
    InvalidHandle {
        /// What the handle should have named, e.g. `"ring endpoint"`.
        kind: &'static str,
        /// The handle passed.
        handle: u32,
    },
    /// A pool slot handle whose slot is free or has been reused since.
    StaleSlot {
        /// The slot handle passed.
        slot: u32,
    },
    /// Every slot of a pool is in use.
    PoolExhausted {
        /// Slots in the pool.
        slot_count: u32,
    },
    /// An allocation was refused.
    OutOfMemory {
        /// What was being allocated, e.g. `"frame pool slab"`.
        what: &'static str,
        /// Bytes requested.
        bytes: u64,
    },
    /// A producer operation on a consumer endpoint or the reverse.
    WrongEndpoint {
        /// The operation, e.g. `"sl_ring_push"`.
        operation: &'static str,
        /// The endpoint handle passed.
        handle: u32,
        /// The side the operation needs: `"producer"` or `"consumer"`.
        expected: &'static str,
    },
    /// A ring endpoint used by two threads at once; the later call is refused.
    EndpointBusy {
        /// The endpoint handle passed.
        handle: u32,
    },
    /// A handle table has no free entry.
    TableFull {
        /// What the table holds, e.g. `"ring endpoint"`.
        kind: &'static str,
        /// Live handles the table can hold.
        capacity: u32,
    },
    /// A slot reference count would exceed `i32::MAX`.
    RefcountOverflow {
        /// The slot handle passed.
        slot: u32,
    },
    /// An evicting push on a `fifo` ring, which never evicts.
    FifoNeverEvicts {
        /// The operation, e.g. `"sl_ring_push_evict"`.
        operation: &'static str,
        /// What to call instead, e.g. `"sl_ring_push_batch"`.
        alternative: &'static str,
    },
    /// A pointer argument not aligned for its element type.
    Misaligned {
        /// The parameter's name in the ABI, e.g. `"pcm"`.
        param: &'static str,
        /// The alignment it needs, in bytes.
        align: u32,
    },
    /// A text argument that is not UTF-8.
    NotUtf8 {
        /// The parameter's name in the ABI, e.g. `"device"`.
        param: &'static str,
    },
    /// A code (pixel format, backend, profile...) that names nothing.
    UnknownCode {
        /// What the code selects, e.g. `"pixel format"`.
        what: &'static str,
        /// The value passed.
        value: u32,
        /// The valid codes with their names, e.g. `"0 (RGBA), 1 (BGRA)"`.
        valid: &'static str,
    },
    /// A frame size the operation cannot take.
    UnsupportedSize {
        /// Who refuses it, e.g. `"the openh264 encoder"`.
        what: &'static str,
        /// Width passed.
        width: u32,
        /// Height passed.
        height: u32,
        /// The sizes that are valid, in words.
        valid: &'static str,
    },
    /// A buffer whose length does not match what its contents must be.
    WrongLength {
        /// What the buffer holds, e.g. `"I420 frame"`.
        what: &'static str,
        /// Bytes passed.
        actual: u64,
        /// Bytes required.
        expected: u64,
    },
    /// An output buffer too small for the result; the caller retries with `needed` bytes.
    BufferTooSmall {
        /// What was to be written, e.g. `"access unit"`.
        what: &'static str,
        /// Bytes the result needs.
        needed: u64,
        /// Bytes the caller offered.
        capacity: u64,
    },
    /// A feature this OS, build or machine does not have.
    Unsupported {
        /// The feature, e.g. `"screen capture"`.
        what: &'static str,
        /// Why, and what would work instead.
        detail: ErrorText,
    },
    /// No device of the requested name or index.
    DeviceNotFound {
        /// The kind of device, e.g. `"camera"`.
        what: &'static str,
        /// What was asked for and what exists.
        detail: ErrorText,
    },
    /// Access to a device was refused by the OS or the user.
    PermissionDenied {
        /// The kind of device, e.g. `"camera"`.
        what: &'static str,
        /// What the OS said, and how to grant access.
        detail: ErrorText,
    },
    /// The codec library refused the input or failed.
    Codec {
        /// The operation, e.g. `"openh264 decode"`.
        what: &'static str,
        /// The library's report.
        detail: ErrorText,
    },
    /// A WebRTC session description (SDP offer) that cannot be parsed or accepted.
    InvalidSdp {
        /// What was wrong with it.
        detail: ErrorText,
    },
    /// A WebRTC endpoint whose every place is taken by a live peer.
    PeersFull {
        /// Who takes the places: `"viewer"`, `"publisher"` or `"publish session"`.
        peers: &'static str,
        /// The endpoint's limit (`maxPeers`).
        limit: u32,
    },
    /// A name (e.g. a WebRTC endpoint's) already held by another live object.
    NameTaken {
        /// What holds names, e.g. `"WebRTC endpoint"`.
        what: &'static str,
        /// The name.
        name: ErrorText,
    },
    /// An open device failed.
    Device {
        /// The device and operation, e.g. `"X11 screen capture"`.
        what: &'static str,
        /// What the OS or the device reported.
        detail: ErrorText,
    },
}

/// A failed operation: the [`Status`] code for the ABI plus the details for `sl_last_error`.
///
/// The message follows the house style: sentence case, no trailing period, a colon before the
/// details, the offending value and the valid range or alternatives.
///
/// # Examples
///
/// ```
/// use streamlib_native::status::{Error, ErrorKind, Status};
///
/// let error = Error::new(ErrorKind::OutOfRange { what: "ring capacity", value: 0, min: 1, max: 16 });
/// assert_eq!(error.status(), Status::InvalidArgument);
/// assert_eq!(error.to_string(), "Invalid ring capacity: 0, valid range 1..=16");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

impl Error {
    /// Wraps `kind`.
    pub const fn new(kind: ErrorKind) -> Self {
        Self { kind }
    }

    /// The details.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The status code this error crosses the ABI as.
    pub const fn status(&self) -> Status {
        match self.kind {
            ErrorKind::OutOfRange { .. }
            | ErrorKind::UnknownPolicy { .. }
            | ErrorKind::PoolTooLarge { .. }
            | ErrorKind::NullPointer { .. }
            | ErrorKind::RefcountOverflow { .. }
            | ErrorKind::FifoNeverEvicts { .. }
            | ErrorKind::Misaligned { .. }
            | ErrorKind::NotUtf8 { .. }
            | ErrorKind::UnknownCode { .. }
            | ErrorKind::UnsupportedSize { .. }
            | ErrorKind::WrongLength { .. }
            | ErrorKind::InvalidSdp { .. }
            | ErrorKind::NameTaken { .. } => Status::InvalidArgument,
            ErrorKind::InvalidHandle { .. } | ErrorKind::StaleSlot { .. } => Status::InvalidHandle,
            ErrorKind::PoolExhausted { .. } => Status::PoolExhausted,
            ErrorKind::OutOfMemory { .. } => Status::OutOfMemory,
            ErrorKind::WrongEndpoint { .. } | ErrorKind::EndpointBusy { .. } => {
                Status::WrongEndpoint
            }
            ErrorKind::TableFull { .. } | ErrorKind::PeersFull { .. } => Status::TableFull,
            ErrorKind::BufferTooSmall { .. } => Status::BufferTooSmall,
            ErrorKind::Unsupported { .. } => Status::Unsupported,
            ErrorKind::DeviceNotFound { .. } => Status::DeviceNotFound,
            ErrorKind::PermissionDenied { .. } => Status::PermissionDenied,
            ErrorKind::Codec { .. } => Status::Codec,
            ErrorKind::Device { .. } => Status::Device,
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::OutOfRange {
                what,
                value,
                min,
                max,
            } => {
                write!(f, "Invalid {what}: {value}, valid range {min}..={max}")
            }
            ErrorKind::UnknownPolicy { value } => {
                write!(
                    f,
                    "Invalid ring policy: {value}, valid policies: 0 (fifo), 1 (latest)"
                )
            }
            ErrorKind::PoolTooLarge {
                slot_count,
                slot_stride,
                max_total,
            } => write!(
                f,
                "Invalid pool size: {slot_count} slots of {slot_stride} bytes (64-byte aligned) \
                 is {} bytes, at most {max_total} bytes allowed",
                u64::from(slot_count) * slot_stride
            ),
            ErrorKind::NullPointer { param } => {
                write!(f, "Invalid argument: '{param}' is a null pointer")
            }
            ErrorKind::InvalidHandle { kind, handle } => write!(
                f,
                "Invalid {kind} handle {handle:#010x}: unknown, closed, already freed or of \
                 another kind"
            ),
            ErrorKind::StaleSlot { slot } => write!(
                f,
                "Invalid slot handle {slot:#010x}: the slot is free or was reused since \
                 (generation {}, index {})",
                slot >> 16,
                slot & 0xFFFF
            ),
            ErrorKind::PoolExhausted { slot_count } => {
                write!(f, "Pool exhausted: all {slot_count} slots are in use")
            }
            ErrorKind::OutOfMemory { what, bytes } => {
                write!(
                    f,
                    "Out of memory: the {what} of {bytes} bytes could not be allocated"
                )
            }
            ErrorKind::WrongEndpoint {
                operation,
                handle,
                expected,
            } => write!(
                f,
                "Wrong endpoint for {operation}: handle {handle:#010x} is not a {expected}"
            ),
            ErrorKind::EndpointBusy { handle } => write!(
                f,
                "Wrong endpoint: handle {handle:#010x} is in use by another thread right now, \
                 an endpoint is owned by one thread at a time"
            ),
            ErrorKind::TableFull { kind, capacity } => write!(
                f,
                "Handle table full: {capacity} live {kind} handles already, free some first"
            ),
            ErrorKind::RefcountOverflow { slot } => write!(
                f,
                "Invalid retain of slot {slot:#010x}: reference count would exceed {}",
                i32::MAX
            ),
            ErrorKind::FifoNeverEvicts {
                operation,
                alternative,
            } => write!(
                f,
                "Invalid ring for {operation}: fifo rings never evict, use {alternative}"
            ),
            ErrorKind::Misaligned { param, align } => write!(
                f,
                "Invalid argument: '{param}' is not aligned to {align} bytes (pass a typed array \
                 of its element type)"
            ),
            ErrorKind::NotUtf8 { param } => {
                write!(f, "Invalid argument: '{param}' is not UTF-8 text")
            }
            ErrorKind::UnknownCode { what, value, valid } => {
                write!(f, "Invalid {what}: {value}, valid values: {valid}")
            }
            ErrorKind::UnsupportedSize {
                what,
                width,
                height,
                valid,
            } => write!(
                f,
                "Unsupported size for {what}: {width}x{height}, expected {valid}"
            ),
            ErrorKind::WrongLength {
                what,
                actual,
                expected,
            } => write!(f, "Invalid {what}: {actual} bytes, expected {expected}"),
            ErrorKind::BufferTooSmall {
                what,
                needed,
                capacity,
            } => write!(
                f,
                "Buffer too small for the {what}: it needs {needed} bytes, the buffer has \
                 {capacity}"
            ),
            ErrorKind::Unsupported { what, detail } => {
                write!(f, "Unsupported {what}: {detail}")
            }
            ErrorKind::DeviceNotFound { what, detail } => {
                write!(f, "No such {what}: {detail}")
            }
            ErrorKind::PermissionDenied { what, detail } => {
                write!(f, "Permission denied for the {what}: {detail}")
            }
            ErrorKind::Codec { what, detail } => write!(f, "Codec error in {what}: {detail}"),
            ErrorKind::Device { what, detail } => write!(f, "Device error in {what}: {detail}"),
            ErrorKind::InvalidSdp { detail } => write!(f, "Invalid SDP offer: {detail}"),
            ErrorKind::NameTaken { what, name } => {
                write!(f, "Invalid argument: another {what} is named '{name}'")
            }
            ErrorKind::PeersFull { peers, limit } => write!(
                f,
                "Endpoint full: {peers} places taken: {limit} of {limit}, its limit; a place \
                 frees when one leaves (DELETE) or is silent past its ICE consent checks"
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_match_the_abi_table() {
        let codes: Vec<(i32, &str)> = Status::ALL.iter().map(|s| (s.code(), s.name())).collect();
        assert_eq!(
            codes,
            [
                (0, "SL_OK"),
                (-1, "SL_ERR_INVALID_ARGUMENT"),
                (-2, "SL_ERR_INVALID_HANDLE"),
                (-3, "SL_ERR_POOL_EXHAUSTED"),
                (-4, "SL_ERR_OUT_OF_MEMORY"),
                (-5, "SL_ERR_PANIC"),
                (-6, "SL_ERR_WRONG_ENDPOINT"),
                (-7, "SL_ERR_TABLE_FULL"),
                (-8, "SL_ERR_BUFFER_TOO_SMALL"),
                (-9, "SL_ERR_UNSUPPORTED"),
                (-10, "SL_ERR_DEVICE_NOT_FOUND"),
                (-11, "SL_ERR_PERMISSION_DENIED"),
                (-12, "SL_ERR_CODEC"),
                (-13, "SL_ERR_DEVICE"),
                (-14, "SL_ERR_PLUGIN"),
                (-15, "SL_ERR_PLUGIN_ABI"),
            ]
        );
        assert_eq!(Status::from_code(1), None);
        assert_eq!(Status::from_code(-16), None);
    }

    #[test]
    fn error_messages_name_the_value_and_the_valid_range() {
        let error = Error::new(ErrorKind::PoolTooLarge {
            slot_count: 2,
            slot_stride: 64,
            max_total: 100,
        });
        assert_eq!(error.status(), Status::InvalidArgument);
        assert_eq!(
            error.to_string(),
            "Invalid pool size: 2 slots of 64 bytes (64-byte aligned) is 128 bytes, at most 100 \
             bytes allowed"
        );
        let error = Error::new(ErrorKind::StaleSlot { slot: 0x0003_0001 });
        assert_eq!(error.status(), Status::InvalidHandle);
        assert!(error.to_string().contains("generation 3, index 1"));
        let error = Error::new(ErrorKind::EndpointBusy { handle: 1 });
        assert_eq!(error.status(), Status::WrongEndpoint);
        assert!(!error.to_string().ends_with('.'));
    }

    #[test]
    fn media_errors_carry_their_status_and_details() {
        let error = Error::new(ErrorKind::DeviceNotFound {
            what: "camera",
            detail: ErrorText::new("/dev/video9: No such file or directory (os error 2)"),
        });
        assert_eq!(error.status(), Status::DeviceNotFound);
        assert_eq!(
            error.to_string(),
            "No such camera: /dev/video9: No such file or directory (os error 2)"
        );
        let error = Error::new(ErrorKind::BufferTooSmall {
            what: "access unit",
            needed: 9000,
            capacity: 100,
        });
        assert_eq!(error.status(), Status::BufferTooSmall);
        assert_eq!(
            error.to_string(),
            "Buffer too small for the access unit: it needs 9000 bytes, the buffer has 100"
        );
        let error = Error::new(ErrorKind::UnsupportedSize {
            what: "the openh264 encoder",
            width: 8,
            height: 8,
            valid: "even sizes from 16x16",
        });
        assert_eq!(error.status(), Status::InvalidArgument);
        assert_eq!(
            error.to_string(),
            "Unsupported size for the openh264 encoder: 8x8, expected even sizes from 16x16"
        );
        // Errors travel by value on hot paths: keep them small.
        assert!(size_of::<Error>() <= 128, "{}", size_of::<Error>());
    }
}
