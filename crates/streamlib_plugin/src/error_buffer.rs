//! Writing messages into the host's [`ErrorBuffer`], and turning panic payloads into text.

use std::any::Any;

use crate::abi::ErrorBuffer;

/// The longest prefix of `text` that fits in `max` bytes without splitting a character.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::error_buffer::truncate_utf8;
///
/// assert_eq!(truncate_utf8("gain", 10), "gain");
/// // "é" is two bytes: cutting at 2 would split it.
/// assert_eq!(truncate_utf8("né", 2), "n");
/// ```
pub fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The text of a panic payload: the `&str` or `String` given to `panic!`, or a placeholder.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::error_buffer::panic_text;
///
/// let payload = std::panic::catch_unwind(|| panic!("at frame {}", 3)).unwrap_err();
/// assert_eq!(panic_text(payload.as_ref()), "at frame 3");
/// ```
pub fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "a panic payload that is not a string"
    }
}

/// Writes `message` into `buffer`, truncated to its capacity at a character boundary, and sets its
/// `length`. Does nothing if `buffer` is null or misaligned; writes nothing (length 0) if its
/// `bytes` are null.
///
/// # Safety
///
/// `buffer` is null or points to an [`ErrorBuffer`] that nothing else accesses during the call,
/// whose `bytes` (when not null) point to `capacity` writable bytes.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::abi::ErrorBuffer;
/// use streamlib_plugin::error_buffer::write_error;
///
/// let mut bytes = [0u8; 8];
/// let mut buffer = ErrorBuffer { bytes: bytes.as_mut_ptr(), capacity: 8, length: 0 };
/// // SAFETY: `buffer` describes `bytes`, which outlives the call.
/// unsafe { write_error(&mut buffer, "config 'gain' is out of range") };
/// assert_eq!(&bytes[..buffer.length as usize], b"config '");
/// ```
pub unsafe fn write_error(buffer: *mut ErrorBuffer, message: &str) {
    if buffer.is_null() || !buffer.is_aligned() {
        return;
    }
    // SAFETY: non-null and aligned, and the caller promises it is a valid, unshared ErrorBuffer.
    let buffer = unsafe { &mut *buffer };
    if buffer.bytes.is_null() {
        buffer.length = 0;
        return;
    }
    let capacity = usize::try_from(buffer.capacity).unwrap_or(usize::MAX);
    let text = truncate_utf8(message, capacity);
    // SAFETY: `bytes` holds `capacity` writable bytes (the caller's promise), `text` is at most
    // that long, and a `&str` cannot overlap memory the host handed out as writable.
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), buffer.bytes, text.len()) };
    // `text.len() <= capacity`, which is a u32.
    buffer.length = text.len() as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(capacity: u32, message: &str) -> String {
        let mut bytes = vec![0u8; capacity as usize];
        let mut buffer = ErrorBuffer {
            bytes: bytes.as_mut_ptr(),
            capacity,
            length: 99,
        };
        // SAFETY: `buffer` describes `bytes`, which outlives the call.
        unsafe { write_error(&mut buffer, message) };
        String::from_utf8(bytes[..buffer.length as usize].to_vec()).expect("valid UTF-8")
    }

    #[test]
    fn truncates_at_a_character_boundary() {
        // "€" is three bytes, so only whole characters fit.
        assert_eq!(written(7, "a€€"), "a€€");
        assert_eq!(written(6, "a€€"), "a€");
        assert_eq!(written(4, "a€€"), "a€");
        assert_eq!(written(3, "a€€"), "a");
        assert_eq!(written(0, "a€€"), "");
        assert_eq!(written(64, "short"), "short");
    }

    #[test]
    fn tolerates_null_buffers() {
        // SAFETY: null is allowed.
        unsafe { write_error(std::ptr::null_mut(), "lost") };
        let mut buffer = ErrorBuffer {
            bytes: std::ptr::null_mut(),
            capacity: 16,
            length: 5,
        };
        // SAFETY: null `bytes` are allowed.
        unsafe { write_error(&mut buffer, "lost") };
        assert_eq!(buffer.length, 0);
    }

    #[test]
    fn names_non_string_panics() {
        let payload = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert_eq!(
            panic_text(payload.as_ref()),
            "a panic payload that is not a string"
        );
    }
}
