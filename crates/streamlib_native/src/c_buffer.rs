//! Caller-owned buffers behind the raw pointers of the C ABI.
//!
//! Deno passes `TypedArray` data pointers of any alignment (and may pass null for an empty
//! buffer), so messages are viewed as `[u8; 32]` arrays (alignment 1) and scalar outputs are
//! written unaligned. Every function checks for null first and reports the parameter by name.

use std::ptr;

use crate::message::MessageBytes;
use crate::status::{Error, ErrorKind};

/// `Err` naming `param` if `ptr` is null.
pub(crate) fn non_null<T>(ptr: *const T, param: &'static str) -> Result<(), Error> {
    if ptr.is_null() {
        Err(ErrorKind::NullPointer { param }.into())
    } else {
        Ok(())
    }
}

/// Clamps a count to the non-negative `i32` range of the ABI's return values.
pub(crate) fn count_to_status(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// The message at `ptr`.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null.
///
/// # Safety
///
/// A non-null `ptr` must be readable for 32 bytes, not written by anyone else during `'a`.
pub(crate) unsafe fn message<'a>(
    ptr: *const u8,
    param: &'static str,
) -> Result<&'a MessageBytes, Error> {
    non_null(ptr, param)?;
    // SAFETY: non-null, readable for 32 bytes and not mutated meanwhile (caller contract);
    // [u8; 32] has alignment 1.
    Ok(unsafe { &*ptr.cast::<MessageBytes>() })
}

/// The message buffer at `ptr`, for writing.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null.
///
/// # Safety
///
/// A non-null `ptr` must be writable for 32 bytes, not accessed by anyone else during `'a`.
pub(crate) unsafe fn message_mut<'a>(
    ptr: *mut u8,
    param: &'static str,
) -> Result<&'a mut MessageBytes, Error> {
    non_null(ptr, param)?;
    // SAFETY: non-null, writable for 32 bytes and not aliased meanwhile (caller contract);
    // [u8; 32] has alignment 1.
    Ok(unsafe { &mut *ptr.cast::<MessageBytes>() })
}

/// `count` messages at `ptr`; an empty slice when `count` is 0, whatever `ptr` is.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null and `count` is not 0.
///
/// # Safety
///
/// If `count > 0`, `ptr` must be readable for `count * 32` bytes, not written by anyone else
/// during `'a`.
pub(crate) unsafe fn messages<'a>(
    ptr: *const u8,
    count: u32,
    param: &'static str,
) -> Result<&'a [MessageBytes], Error> {
    if count == 0 {
        return Ok(&[]);
    }
    non_null(ptr, param)?;
    // SAFETY: non-null and readable for count * 32 bytes, not mutated meanwhile (caller
    // contract); [u8; 32] has alignment 1 and count * 32 fits in isize on 64-bit targets.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<MessageBytes>(), count as usize) })
}

/// `count` message buffers at `ptr`, for writing; empty when `count` is 0, whatever `ptr` is.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null and `count` is not 0.
///
/// # Safety
///
/// If `count > 0`, `ptr` must be writable for `count * 32` bytes, not accessed by anyone else
/// during `'a`.
pub(crate) unsafe fn messages_mut<'a>(
    ptr: *mut u8,
    count: u32,
    param: &'static str,
) -> Result<&'a mut [MessageBytes], Error> {
    if count == 0 {
        return Ok(&mut []);
    }
    non_null(ptr, param)?;
    // SAFETY: non-null and writable for count * 32 bytes, not aliased meanwhile (caller
    // contract); [u8; 32] has alignment 1 and count * 32 fits in isize on 64-bit targets.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MessageBytes>(), count as usize) })
}

/// Writes `values` to `out`, unaligned.
///
/// # Safety
///
/// `out` must be non-null and writable for `values.len()` elements of `T`.
pub(crate) unsafe fn write_all<T: Copy>(out: *mut T, values: &[T]) {
    for (i, &value) in values.iter().enumerate() {
        // SAFETY: `out` is writable for values.len() elements (caller contract), i < len, and
        // write_unaligned needs no alignment.
        unsafe { ptr::write_unaligned(out.add(i), value) };
    }
}

/// `len` bytes at `ptr`; empty when `len` is 0, whatever `ptr` is.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null and `len` is not 0.
///
/// # Safety
///
/// If `len > 0`, `ptr` must be readable for `len` bytes, not written by anyone else during `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: u32,
    param: &'static str,
) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    non_null(ptr, param)?;
    // SAFETY: non-null and readable for `len` bytes, not mutated meanwhile (caller contract).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len as usize) })
}

/// `len` writable bytes at `ptr`; empty when `len` is 0, whatever `ptr` is.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null and `len` is not 0.
///
/// # Safety
///
/// If `len > 0`, `ptr` must be writable for `len` bytes, not accessed by anyone else during `'a`.
pub(crate) unsafe fn bytes_mut<'a>(
    ptr: *mut u8,
    len: u32,
    param: &'static str,
) -> Result<&'a mut [u8], Error> {
    if len == 0 {
        return Ok(&mut []);
    }
    non_null(ptr, param)?;
    // SAFETY: non-null and writable for `len` bytes, not aliased meanwhile (caller contract).
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len as usize) })
}

/// UTF-8 text of `len` bytes at `ptr` (empty when `len` is 0).
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] for a null `ptr` with `len > 0`, [`ErrorKind::NotUtf8`].
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(
    ptr: *const u8,
    len: u32,
    param: &'static str,
) -> Result<&'a str, Error> {
    // SAFETY: forwarded caller contract.
    let bytes = unsafe { bytes(ptr, len, param) }?;
    std::str::from_utf8(bytes).map_err(|_| ErrorKind::NotUtf8 { param }.into())
}

/// `count` values of `T` at `ptr`, which must be aligned for `T`; empty when `count` is 0.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`], [`ErrorKind::Misaligned`].
///
/// # Safety
///
/// If `count > 0`, `ptr` must be readable for `count` values, not written by anyone else during
/// `'a`.
pub(crate) unsafe fn aligned<'a, T>(
    ptr: *const T,
    count: u32,
    param: &'static str,
) -> Result<&'a [T], Error> {
    if count == 0 {
        return Ok(&[]);
    }
    non_null(ptr, param)?;
    if !ptr.is_aligned() {
        return Err(ErrorKind::Misaligned {
            param,
            align: align_of::<T>() as u32,
        }
        .into());
    }
    // SAFETY: non-null, aligned and readable for `count` values (caller contract).
    Ok(unsafe { std::slice::from_raw_parts(ptr, count as usize) })
}

/// `count` writable values of `T` at `ptr`, which must be aligned for `T`.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`], [`ErrorKind::Misaligned`].
///
/// # Safety
///
/// If `count > 0`, `ptr` must be writable for `count` values, not accessed by anyone else during
/// `'a`.
pub(crate) unsafe fn aligned_mut<'a, T>(
    ptr: *mut T,
    count: u32,
    param: &'static str,
) -> Result<&'a mut [T], Error> {
    if count == 0 {
        return Ok(&mut []);
    }
    non_null(ptr, param)?;
    if !ptr.is_aligned() {
        return Err(ErrorKind::Misaligned {
            param,
            align: align_of::<T>() as u32,
        }
        .into());
    }
    // SAFETY: non-null, aligned and writable for `count` values (caller contract).
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, count as usize) })
}

/// Copies `count` values of `T` from `ptr` (any alignment) into a new vector. For small,
/// control-path arrays such as settings.
///
/// # Errors
///
/// [`ErrorKind::NullPointer`] if `ptr` is null and `count` is not 0.
///
/// # Safety
///
/// If `count > 0`, `ptr` must be readable for `count` values.
pub(crate) unsafe fn read_all<T: Copy>(
    ptr: *const T,
    count: u32,
    param: &'static str,
) -> Result<Vec<T>, Error> {
    if count == 0 {
        return Ok(Vec::new());
    }
    non_null(ptr, param)?;
    Ok((0..count as usize)
        // SAFETY: `ptr` is readable for `count` values (caller contract), i < count, and
        // read_unaligned needs no alignment.
        .map(|i| unsafe { ptr::read_unaligned(ptr.add(i)) })
        .collect())
}

/// Copies `value` into `out` when it fits, and returns its full length either way (the
/// `sl_last_error` convention for variable-length outputs).
pub(crate) fn copy_truncated(value: &[u8], out: &mut [u8]) -> i32 {
    let n = value.len().min(out.len());
    out[..n].copy_from_slice(&value[..n]);
    count_to_status(value.len())
}
